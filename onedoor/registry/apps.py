from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RegistryConfig(AppConfig):
    name = "onedoor.registry"
    label = "registry"
    verbose_name = _("救助对象登记")

    def ready(self) -> None:
        from onedoor.core.navigation import register_home_panel, register_nav

        from .panels import recent_people_panel

        register_nav(_("救助对象"), "registry:person_list",
                     roles={"window_clerk", "dispatcher", "handler", "social_worker", "leader"}, order=100)
        register_home_panel("registry/panels/recent.html", recent_people_panel, roles={"window_clerk"}, order=20)
