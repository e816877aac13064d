"""Out-of-scope probes of aid's routes: the 莲花镇 clerk against 五显镇's reserve fund, a one-off payment
and a loan of a 五显镇 resident (五显测试人). Pages about them answer 404, lists do not show them, posting
changes nothing, and the finance-only pages are closed to a window clerk (403)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django.urls import reverse

from onedoor.core.probes import FOREIGN_MARKER, Probe


def foreign_fund(world: Any):
    from .actions import open_fund, top_up_fund
    from .models import ReserveFund

    fund = ReserveFund.objects.filter(area=world.wuxian).first()
    if fund is None:
        fund = open_fund(actor=world.user("finance"), name="五显镇临时救助备用金", organisation=world.org("五显镇"),
                         area=world.wuxian, town_limit=Decimal("2000.00"))
        top_up_fund(fund, actor=world.user("finance"), amount="5000", reason="五显镇年初拨付")
    return fund


def _policy(kind: str):
    from onedoor.accounts.models import Organisation
    from onedoor.policies.models import Policy

    policy, _ = Policy.objects.get_or_create(code=f"probe-aid-{kind}", defaults={
        "name": f"探针{kind}", "department": Organisation.objects.get(short_name="区民政局"), "kind": kind,
        "required_documents": []})
    return policy


def _approved(world: Any, kind: str, amount: str):
    from onedoor.intake import actions
    from onedoor.registry.probes_pages import foreign_person

    handler = world.user("handler.mz")
    application = actions.submit_application(actor=world.user("clerk.wuxian"), applicant=foreign_person(world),
                                             policies=[_policy(kind)], window=world.org("五显镇"),
                                             statement="五显测试申请")
    task = application.tasks.get()
    actions.accept_task(task, actor=handler)
    actions.start_investigation(task, actor=handler)
    actions.propose_decision(task, actor=handler, note="五显", amount=Decimal(amount))
    return actions.approve(task, actor=handler, reason="五显")


def foreign_payment(world: Any):
    foreign_fund(world)
    return _approved(world, "one_off_cash", "500.00").aid_payment


def foreign_loan(world: Any):
    from .actions import register_loan

    loan = _approved(world, "loan", "30000.00").loan
    return register_loan(actor=world.user("finance"), loan=loan, bank=world.org("合作银行"), annual_rate="4.35",
                         term_months=12, start_date=date(2026, 1, 15), contract_no="五显-001")


def _counts() -> tuple:
    from onedoor.ledger.models import AssistanceRecord

    from .models import AidPayment, FundMovement, LoanInstallment

    return (FundMovement.objects.count(), AssistanceRecord.objects.count(),
            AidPayment.objects.filter(status="pending").count(),
            LoanInstallment.objects.filter(paid_on__isnull=False).count())


def refused(route: str, make, data: dict | None = None):
    def check(client, world) -> None:
        obj = make(world)
        before = _counts()
        response = client.post(reverse(route, kwargs={"pk": obj.pk}), data or {})
        assert response.status_code == 404, f"{route} answered {response.status_code}"
        assert _counts() == before, f"{route} changed something"

    return check


def closed_to_clerks(route: str, method: str = "get"):
    def check(client, world) -> None:
        foreign_loan(world)
        response = getattr(client, method)(reverse(route))
        assert response.status_code == 403, f"{route} answered {response.status_code}"
        assert FOREIGN_MARKER not in response.content.decode()

    return check


PROBES = [
    Probe("aid:fund_list", expect="absent", given=foreign_fund),
    Probe("aid:fund_detail", kwargs=lambda w: {"pk": foreign_fund(w).pk}),
    Probe("aid:payment_list", expect="absent", given=foreign_payment),
    Probe("aid:payment_disburse", expect="check", check=refused("aid:payment_disburse", foreign_payment)),
    Probe("aid:payment_return", expect="check", check=refused("aid:payment_return", foreign_payment,
                                                              {"reason": "x"})),
    Probe("aid:loan_list", expect="absent", given=foreign_loan),
    Probe("aid:loan_detail", kwargs=lambda w: {"pk": foreign_loan(w).pk}),
    Probe("aid:loan_repay", expect="check", check=refused("aid:loan_repay", foreign_loan,
                                                          {"paid_on": "2026-02-15"})),
    Probe("aid:loan_register", expect="check", check=closed_to_clerks("aid:loan_register")),
    Probe("aid:subsidy_pay", expect="check", check=closed_to_clerks("aid:subsidy_pay")),
    Probe("aid:loan_mark_overdue", expect="check", check=closed_to_clerks("aid:loan_mark_overdue", "post")),
    Probe("api:list_aid_payments", expect="absent", given=foreign_payment),
    Probe("api:list_loans", expect="absent", given=foreign_loan),
    Probe("api:get_loan", kwargs=lambda w: {"loan_id": foreign_loan(w).pk}),
]
