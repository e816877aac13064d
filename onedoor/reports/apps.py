from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

# Who reads reports and dashboards: leaders above all; the dispatcher, finance and storekeepers for
# their part. Figures are always scoped to the reader's areas.
REPORT_READERS = frozenset({"leader", "dispatcher", "finance", "storekeeper", "handler"})


class ReportsConfig(AppConfig):
    name = "onedoor.reports"
    label = "reports"
    verbose_name = _("统计报表")

    def ready(self) -> None:
        from onedoor.core.navigation import register_home_panel, register_nav

        from .dashboards import DASHBOARD_ROLES
        from .panels import dashboards_panel

        register_nav(_("统计报表"), "reports:index", roles=set(REPORT_READERS), order=90)
        register_nav(_("数据看板"), "reports:dashboard", roles=set(DASHBOARD_ROLES), order=89)
        # One card for every role with a dashboard: links only, so it costs the home page no query.
        register_home_panel("reports/dashboards/panel.html", dashboards_panel, roles=set(DASHBOARD_ROLES), order=15)
