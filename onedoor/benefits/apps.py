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
        self._connect_enrollment_changes()
        self._register_enrollment_pages()
        self._register_payroll_pages()

    def _connect_enrollment_changes(self) -> None:
        """Recompute triggers (benefits/receivers.py): a new standard, a household change, a death in
        the household (after the death has ended the deceased's own benefits, connected above)."""
        from onedoor.policies.signals import standard_changed
        from onedoor.registry.signals import household_changed, person_died

        from .receivers import (
            recompute_for_household,
            recompute_for_new_standard,
            review_household_after_death,
        )

        standard_changed.connect(recompute_for_new_standard, dispatch_uid="benefits.recompute_for_new_standard")
        household_changed.connect(recompute_for_household, dispatch_uid="benefits.recompute_for_household")
        person_died.connect(review_household_after_death, dispatch_uid="benefits.review_household_after_death")

    def _register_enrollment_pages(self) -> None:
        from onedoor.core.navigation import register_nav
        from onedoor.registry.sections import register_person_section

        from .sections import enrollments_for_person

        register_nav(_("待遇享受"), "benefits:enrollment_list", roles={"handler", "dispatcher", "finance", "leader"},
                     order=70)
        register_person_section(_("待遇享受"), "benefits/enrollments/person_section.html", enrollments_for_person,
                                order=30)

    def _register_payroll_pages(self) -> None:
        from onedoor.core.navigation import register_nav

        register_nav(_("待遇发放"), "benefits:run_list", roles={"finance", "leader"}, order=72)
