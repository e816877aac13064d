from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PoliciesConfig(AppConfig):
    name = "onedoor.policies"
    label = "policies"
    verbose_name = _("政策目录")

    def ready(self) -> None:
        from onedoor.core.navigation import register_nav
        from onedoor.registry.sections import register_person_section

        from .sections import suggestions_section

        register_nav(_("政策目录"), "policies:policy_list", order=120)
        register_person_section(_("可能符合的政策"), "policies/person_section.html", suggestions_section, order=10)
