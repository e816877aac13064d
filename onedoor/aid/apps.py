from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AidConfig(AppConfig):
    name = "onedoor.aid"
    label = "aid"
    verbose_name = _("临时救助与贴息贷款")

    def ready(self) -> None:
        # An approved one-off-cash or loan task becomes a payment or a loan in the approving transaction.
        from onedoor.intake.signals import task_approved

        from .receivers import aid_from_approved_task

        task_approved.connect(aid_from_approved_task, dispatch_uid="aid.aid_from_approved_task")
