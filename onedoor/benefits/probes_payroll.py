"""Out-of-scope probes of the payroll pages and API, imported by benefits/probes.py.

Payroll runs are the bureau's (finance, the dispatcher, leaders): the 莲花镇 clerk gets 404 for a run, its
moves and its bank files, 403 for the payroll lists, and its API list shows nothing; a payment of a 五显镇
person (named 五显测试人) answers 404 to a re-issue, and nothing changes."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal

from django.core.files.base import ContentFile
from django.urls import reverse

from onedoor.core.probes import FOREIGN_MARKER, Probe


def foreign_payment(world):
    """A failed April payment of a 五显镇 person in an exported run of the district (built once per test)."""
    from onedoor.benefits import signing
    from onedoor.benefits.models import BankFile, Enrollment, Payment, PayrollRun
    from onedoor.intake.probes_api import probe_policy
    from onedoor.registry.probes_api import foreign_person

    found = Payment.objects.filter(payee_name__contains=FOREIGN_MARKER).first()
    if found is not None:
        return found
    person = foreign_person(world)
    policy = probe_policy(world)
    enrollment = Enrollment.objects.create(policy=policy, person=person, area=world.wuxian_village,
                                           monthly_amount=Decimal("800.00"), start_month=date(2026, 4, 1))
    run = PayrollRun.objects.create(month=date(2026, 4, 1), area=world.district, state="reconciled",
                                    prepared_by=world.user("finance"), payment_count=1,
                                    total_amount=Decimal("800.00"))
    payment = Payment(run=run, enrollment=enrollment, area=world.wuxian_village, month=date(2026, 4, 1),
                      amount=Decimal("800.00"), payee_name=person.name, bank_account=person.bank_account,
                      status="failed", failure_reason=f"{FOREIGN_MARKER}账户冻结")
    payment.signature = signing.sign(payment)
    payment.save()
    bank = BankFile(run=run, kind="export", created_by=world.user("finance"), original_name="五显.csv", rows=1)
    bank.file.save("probe.csv", ContentFile("参考号\n".encode()), save=False)
    bank.save()
    return payment


def _run_kwargs(world) -> dict:
    return {"run_id": foreign_payment(world).run_id}


def _counts() -> tuple:
    from onedoor.benefits.models import BankFile, Payment, PayrollRun

    return (PayrollRun.objects.count(), list(PayrollRun.objects.values_list("state", flat=True)),
            Payment.objects.count(), BankFile.objects.count())


def posted_404(route: str, kwargs, data=None):
    """Posting about a foreign run or payment answers 404 and changes nothing."""

    def check(client, world) -> None:
        args = kwargs(world)
        before = _counts()
        response = client.post(reverse(route, kwargs=args), data or {})
        assert response.status_code == 404, f"{route} answered {response.status_code}"
        assert _counts() == before, f"{route} changed something"

    return check


def closed_to_clerks(route: str):
    def check(client, world) -> None:
        foreign_payment(world)
        response = client.get(reverse(route))
        assert response.status_code == 403, f"{route} answered {response.status_code}"
        assert FOREIGN_MARKER not in response.content.decode()

    return check


def _api_create_refused(client, world) -> None:
    foreign_payment(world)
    before = _counts()
    response = client.post(reverse("api:create_payroll_run"), json.dumps({"month": "2026-05"}),
                           content_type="application/json")
    assert response.status_code == 403, response.content
    assert _counts() == before


def _file_kwargs(world) -> dict:
    payment = foreign_payment(world)
    return {"run_id": payment.run_id, "file_id": payment.run.bank_files.get().pk}


PROBES: list = [
    Probe("benefits:run_list", expect="check", check=closed_to_clerks("benefits:run_list")),
    Probe("benefits:failed_list", expect="check", check=closed_to_clerks("benefits:failed_list")),
    Probe("benefits:run_detail", kwargs=_run_kwargs),
    Probe("benefits:bank_file_download", kwargs=_file_kwargs),
    Probe("benefits:run_new", expect="check", check=lambda client, world: _page_new_refused(client, world)),
    *[Probe(f"benefits:run_{move}", expect="check", check=posted_404(f"benefits:run_{move}", _run_kwargs))
      for move in ("compute", "approve", "export", "reconcile", "close")],
    Probe("benefits:payment_reissue", expect="check",
          check=posted_404("benefits:payment_reissue", lambda w: {"payment_id": foreign_payment(w).pk})),
    Probe("api:get_payroll_run", kwargs=_run_kwargs),
    Probe("api:list_payroll_runs", expect="absent", given=foreign_payment),
    Probe("api:create_payroll_run", expect="check", check=_api_create_refused),
]


def _page_new_refused(client, world) -> None:
    foreign_payment(world)
    before = _counts()
    response = client.post(reverse("benefits:run_new"), {"month": "2026-05"})
    assert response.status_code == 403, f"run_new answered {response.status_code}"
    assert _counts() == before
