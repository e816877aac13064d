from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "onedoor.core"
    label = "core"
    verbose_name = _("公共基础")

    def ready(self) -> None:
        from . import audit  # noqa: F401  (connects the history signal)
        from .navigation import register_home_panel, register_nav
        from .panels import jobs_panel, scope_panel

        register_nav(_("后台任务"), "core:job_list", order=950)
        register_nav(_("工具"), "core:workdays_tool", roles={"window_clerk", "dispatcher", "handler"}, order=960)
        register_home_panel("core/panels/scope.html", scope_panel, order=10)
        register_home_panel("core/panels/tools.html", lambda request: {},
                            roles={"window_clerk", "dispatcher", "handler"}, order=80)
        register_home_panel("core/panels/jobs.html", jobs_panel, order=90)
