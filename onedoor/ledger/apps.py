from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LedgerConfig(AppConfig):
    name = "onedoor.ledger"
    label = "ledger"
    verbose_name = _("救助台账")

    def ready(self) -> None:
        from onedoor.core.navigation import register_nav
        from onedoor.registry.sections import register_person_section

        from .models import LEDGER_ROLES
        from .sections import assistance_for_person

        register_nav(_("救助台账"), "ledger:record_list", roles=set(LEDGER_ROLES) - {"window_clerk", "patrol"},
                     order=120)
        register_person_section(_("救助记录（一人一档）"), "ledger/person_section.html", assistance_for_person,
                                order=30)
