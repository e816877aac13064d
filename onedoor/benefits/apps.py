from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BenefitsConfig(AppConfig):
    name = "onedoor.benefits"
    label = "benefits"
    verbose_name = _("待遇发放")

    def ready(self) -> None:
        # An approved monthly-cash task becomes an enrollment in the approving transaction.
        from onedoor.intake.signals import task_approved
        from onedoor.registry.signals import person_died

        from .receivers import end_benefits_at_death, enroll_approved_task

        task_approved.connect(enroll_approved_task, dispatch_uid="benefits.enroll_approved_task")
        person_died.connect(end_benefits_at_death, dispatch_uid="benefits.end_benefits_at_death")
