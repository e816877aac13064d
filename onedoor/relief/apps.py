from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReliefConfig(AppConfig):
    name = "onedoor.relief"
    label = "relief"
    verbose_name = _("物资储备")

    def ready(self) -> None:
        from onedoor.core.navigation import register_home_panel, register_nav
        from onedoor.registry.sections import register_person_section
        from onedoor.registry.signals import person_died

        from .campaigns import end_entries_at_death
        from .models import CAMPAIGN_VIEWERS, FIELD_ISSUERS, STOCK_VIEWERS
        from .panels import stock_alerts_panel
        from .sections import campaigns_for_person

        register_nav(_("物资储备"), "relief:stock", roles=set(STOCK_VIEWERS), order=80)
        register_nav(_("送温暖活动"), "relief:campaign_list", roles=set(CAMPAIGN_VIEWERS), order=81)
        # Field staff deliver from their phones; the page lists only what their grants let them deliver.
        register_nav(_("入户发放"), "relief:field_home", roles=set(FIELD_ISSUERS), order=82)
        register_home_panel("relief/panels/alerts.html", stock_alerts_panel, roles={"storekeeper"}, order=20)

        register_person_section(_("送温暖活动"), "relief/person_section.html", campaigns_for_person, order=60)
        person_died.connect(end_entries_at_death, dispatch_uid="relief.end_entries_at_death")
