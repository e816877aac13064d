from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AidConfig(AppConfig):
    name = "onedoor.aid"
    label = "aid"
    verbose_name = _("临时救助与贴息贷款")

    def ready(self) -> None:
        # An approved one-off-cash or loan task becomes a payment or a loan in the approving transaction.
        from onedoor.core.navigation import register_nav
        from onedoor.intake.signals import task_approved

        from .receivers import aid_from_approved_task

        register_nav(_("临时救助"), "aid:payment_list", roles={"finance", "dispatcher", "window_clerk", "leader"},
                     order=110)
        register_nav(_("贴息贷款"), "aid:loan_list", roles={"finance", "leader"}, order=115)

        task_approved.connect(aid_from_approved_task, dispatch_uid="aid.aid_from_approved_task")
