"""Out-of-scope probes of benefits' routes: the 莲花镇 clerk against an enrollment of a 五显镇 resident
(named 五显测试人, so an "absent" probe spots a leak). The enrollment pages are gathered here with the
payroll pages' probes (probes_payroll.py)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.urls import reverse

from onedoor.core.probes import Probe

from .probes_payroll import PROBES as PAYROLL_PROBES


def foreign_enrollment(world):
    """A 五显镇 resident's monthly benefit, written directly: the probe needs a row, not a decision."""
    from onedoor.intake.probes import probe_policy
    from onedoor.registry.probes_pages import foreign_person

    from .models import Enrollment, EnrollmentAmount

    enrollment = Enrollment.objects.create(
        policy=probe_policy(), person=foreign_person(world), area=world.wuxian_village,
        monthly_amount=Decimal("500.00"), start_month=date(2026, 4, 1), review_due=date(2026, 1, 1))
    EnrollmentAmount.objects.create(enrollment=enrollment, from_month=enrollment.start_month,
                                    amount=Decimal("500.00"), basis={"method": "decided", "decided_amount": "500.00"},
                                    reason="五显测试")
    return enrollment


def _refused(client, world) -> None:
    from .models import EnrollmentEvent

    enrollment = foreign_enrollment(world)
    before = EnrollmentEvent.objects.count()
    response = client.post(reverse("benefits:enrollment_action", kwargs={"pk": enrollment.pk, "action": "suspend"}),
                           {"suspend-reason": "探针"})
    assert response.status_code == 404, f"enrollment_action answered {response.status_code}"
    enrollment.refresh_from_db()
    assert enrollment.status == "active" and EnrollmentEvent.objects.count() == before


def _reviews_closed_to_clerks(client, world) -> None:
    foreign_enrollment(world)
    response = client.get(reverse("benefits:review_list"))
    assert response.status_code == 403, f"review_list answered {response.status_code}"
    assert "五显" not in response.content.decode()


ENROLLMENT_PROBES: list = [
    Probe("benefits:enrollment_list", expect="absent", given=foreign_enrollment),
    Probe("benefits:enrollment_list", expect="absent", given=foreign_enrollment,
          query={"review": "due", "q": "测试"}),
    Probe("benefits:enrollment_detail", kwargs=lambda w: {"pk": foreign_enrollment(w).pk}),
    Probe("benefits:enrollment_action", expect="check", check=_refused),
    Probe("benefits:review_list", expect="check", check=_reviews_closed_to_clerks),
]

PROBES: list = [*ENROLLMENT_PROBES, *PAYROLL_PROBES]
