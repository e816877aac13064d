from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IntakeConfig(AppConfig):
    name = "onedoor.intake"
    label = "intake"
    verbose_name = _("一门受理")

    def ready(self) -> None:
        from onedoor.core.navigation import register_home_panel, register_nav
        from onedoor.registry.sections import register_person_section

        from .panels import my_tasks_panel, overdue_by_department_panel, todays_applications_panel
        from .sections import applications_for_person

        register_nav(_("窗口受理"), "intake:window", roles={"window_clerk", "dispatcher"}, order=50)
        register_nav(_("今日受理"), "intake:today", roles={"window_clerk"}, order=55)
        register_nav(_("我的事项"), "intake:my_tasks", roles={"handler"}, order=60)
        register_nav(_("调度台"), "intake:dispatch", roles={"dispatcher"}, order=65)
        register_home_panel("intake/panels/today.html", todays_applications_panel, roles={"window_clerk"}, order=10)
        register_home_panel("intake/panels/my_tasks.html", my_tasks_panel, roles={"handler"}, order=10)
        register_home_panel("intake/panels/overdue.html", overdue_by_department_panel, roles={"dispatcher"},
                            order=10)
        register_person_section(_("申请记录"), "intake/person_section.html", applications_for_person, order=20)
