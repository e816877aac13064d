"""Every state change of one-off aid and loans. Money leaves a reserve fund only in `_take_from_fund`:
one conditional UPDATE (balance = balance − x WHERE balance ≥ x), so concurrent disbursements can never
take a fund below zero, whatever the database's isolation level. The assistance ledger is written when
the help is delivered: a one-off payment when disbursed, a loan subsidy when paid (docs/subsystems/ledger.md)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from onedoor.accounts.choices import OrganisationKind
from onedoor.core.audit import attribute_to
from onedoor.core.exceptions import Conflict, DomainError, NotPermitted
from onedoor.core.money import format_yuan, to_money
from onedoor.core.scoping import is_admin
from onedoor.ledger.actions import record_assistance, reverse_assistance
from onedoor.ledger.choices import AssistanceKind

from . import loans as arithmetic
from .choices import AidPaymentStatus, LoanStatus, MovementKind, SubsidyStatus
from .models import AidPayment, FundMovement, Loan, LoanInstallment, LoanSubsidy, ReserveFund


def town_code(area_code: str) -> str:
    return area_code[:9] + "000"


def district_code(area_code: str) -> str:
    return area_code[:6] + "000000"


def _check_may(actor: Any, obj, action: str, message: str) -> None:
    if is_admin(actor):
        return
    if actor is None or not type(obj).objects.visible_to(actor, action).filter(pk=obj.pk).exists():
        raise NotPermitted(message)


def _positive(amount: Any, what: str) -> Decimal:
    value = to_money(amount)
    if value <= 0:
        raise DomainError(f"{what}必须大于零。", code="amount_not_positive", details={"field": "amount"})
    return value


# --- reserve funds ------------------------------------------------------------------------------

@transaction.atomic
def open_fund(*, actor: Any, name: str, organisation, area, town_limit: Decimal | None = None) -> ReserveFund:
    if ReserveFund.objects.filter(area=area).exists():
        raise Conflict(f"{area.name}已有备用金账户。", code="fund_exists")
    fund = ReserveFund(name=name, organisation=organisation, area=area,
                       town_limit=to_money(town_limit) if town_limit is not None else None)
    attribute_to(fund, actor)
    fund.save()
    return fund


def _movement(fund_id: int, kind: str, amount: Decimal, *, actor: Any, reason: str = "",
              payment: AidPayment | None = None) -> FundMovement:
    # Read inside the transaction that changed the balance: the row is locked by our UPDATE.
    balance = ReserveFund.objects.filter(pk=fund_id).values_list("balance", flat=True).get()
    return FundMovement.objects.create(fund_id=fund_id, kind=kind, amount=amount, balance_after=balance,
                                       payment=payment, reason=reason[:200], actor=actor)


@transaction.atomic
def top_up_fund(fund: ReserveFund, *, actor: Any, amount: Any, reason: str) -> FundMovement:
    """Money allocated into a reserve fund (finance)."""
    _check_may(actor, fund, "top_up", "只有财务人员可以拨入备用金。")
    amount = _positive(amount, "拨入金额")
    if not reason.strip():
        raise DomainError("请填写拨入事由。", code="reason_required", details={"field": "reason"})
    ReserveFund.objects.filter(pk=fund.pk).update(balance=F("balance") + amount)
    return _movement(fund.pk, MovementKind.TOP_UP, amount, actor=actor, reason=reason.strip())


def _take_from_fund(fund: ReserveFund, amount: Decimal) -> None:
    taken = ReserveFund.objects.filter(pk=fund.pk, is_active=True, balance__gte=amount).update(
        balance=F("balance") - amount)
    if not taken:
        balance = ReserveFund.objects.filter(pk=fund.pk).values_list("balance", flat=True).first()
        raise Conflict(f"{fund.name}余额不足：需发放 {format_yuan(amount)} 元，现余额 {format_yuan(balance or 0)} 元。"
                       f"请先拨入备用金。", code="fund_insufficient")


def fund_for(area_code: str, amount: Decimal) -> ReserveFund:
    """The fund that pays `amount` for someone in `area_code`: the town's reserve when the amount is within
    its single-payment limit, otherwise the district's."""
    town = ReserveFund.objects.filter(area_id=town_code(area_code), is_active=True).first()
    if town is not None and (town.town_limit is None or amount <= town.town_limit):
        return town
    district = ReserveFund.objects.filter(area_id=district_code(area_code), is_active=True).first()
    if district is None:
        raise DomainError("没有可用的备用金账户（镇级限额以上须由区级备用金发放），请先开设。", code="no_fund")
    return district


# --- one-off aid payments ------------------------------------------------------------------------

@transaction.atomic
def payment_from_task(task, *, actor: Any) -> AidPayment:
    """An approved one-off-cash task becomes a payment (intake.signals.task_approved, in the approving
    transaction). Under 先行救助 (急难型) it is disbursed at once; when it cannot be (no fund, balance too
    low) the decision still stands and the payment waits with the reason in `note`."""
    existing = AidPayment.objects.filter(task=task).first()
    if existing is not None:
        return existing
    application = task.application
    payment = AidPayment(task=task, person_id=application.applicant_id, household_id=application.household_id,
                         area_id=task.area_id, policy_id=task.policy_id, department_id=task.department_id,
                         amount=_positive(task.decided_amount, "救助金额"), act_first=task.act_first)
    attribute_to(payment, actor)
    payment.save()
    if task.act_first:
        try:
            with transaction.atomic():
                _disburse(payment, actor=actor, on=timezone.localdate())
        except DomainError as exc:
            payment.refresh_from_db()
            payment.note = f"未能当即发放：{exc.message}"[:200]
            attribute_to(payment, actor)
            payment.save(update_fields=["note"])
    return payment


def _disburse(payment: AidPayment, *, actor: Any, on: date) -> AidPayment:
    payment = AidPayment.objects.select_for_update().select_related("policy").get(pk=payment.pk)
    if payment.status != AidPaymentStatus.PENDING:
        raise Conflict("该笔救助已发放或已退回，不能重复发放。", code="already_disbursed")
    fund = fund_for(payment.area_id, payment.amount)
    _take_from_fund(fund, payment.amount)
    _movement(fund.pk, MovementKind.DISBURSEMENT, payment.amount, actor=actor, payment=payment,
              reason=f"{payment.policy.name}：{payment.person_id}")
    payment.status, payment.fund, payment.disbursed_on = AidPaymentStatus.DISBURSED, fund, on
    payment.disbursed_by = actor if getattr(actor, "pk", None) else None
    payment.note = ""
    attribute_to(payment, actor)
    payment.save(update_fields=["status", "fund", "disbursed_on", "disbursed_by", "note"])
    record_assistance(person=payment.person, household=payment.household, area=payment.area_id, on=on,
                      department=payment.department, kind=AssistanceKind.CASH, source=payment,
                      policy=payment.policy, amount=payment.amount, actor=actor)
    return payment


@transaction.atomic
def disburse_payment(payment: AidPayment, *, actor: Any, on: date | None = None) -> AidPayment:
    """Pay out a decided one-off aid payment from its reserve fund (支出型 after the decision, or an
    急难型 one that could not be paid at approval)."""
    _check_may(actor, payment, "disburse", "只有财务人员或本镇窗口人员可以发放临时救助。")
    return _disburse(payment, actor=actor, on=on or timezone.localdate())


@transaction.atomic
def return_payment(payment: AidPayment, *, actor: Any, reason: str) -> AidPayment:
    """Money of a disbursed payment came back (not collected, recovered): back into the fund it left,
    and the ledger record reversed."""
    _check_may(actor, payment, "return", "只有财务人员可以登记退回。")
    if not reason.strip():
        raise DomainError("请填写退回原因。", code="reason_required", details={"field": "reason"})
    payment = AidPayment.objects.select_for_update().get(pk=payment.pk)
    if payment.status != AidPaymentStatus.DISBURSED:
        raise Conflict("只有已发放的救助可以登记退回。", code="not_disbursed")
    ReserveFund.objects.filter(pk=payment.fund_id).update(balance=F("balance") + payment.amount)
    _movement(payment.fund_id, MovementKind.RETURN, payment.amount, actor=actor, payment=payment, reason=reason)
    payment.status, payment.note = AidPaymentStatus.RETURNED, reason.strip()[:200]
    attribute_to(payment, actor)
    payment.save(update_fields=["status", "note"])
    reverse_assistance(source=payment, actor=actor, reason=reason.strip())
    return payment


# --- loans -------------------------------------------------------------------------------------

@transaction.atomic
def loan_from_task(task, *, actor: Any) -> Loan:
    """An approved loan task becomes a loan waiting for its bank contract (finance registers the terms)."""
    existing = Loan.objects.filter(task=task).first()
    if existing is not None:
        return existing
    application = task.application
    loan = Loan(borrower_id=application.applicant_id, household_id=application.household_id, area_id=task.area_id,
                task=task, policy_id=task.policy_id, department_id=task.department_id,
                principal=_positive(task.decided_amount, "贷款本金"))
    attribute_to(loan, actor)
    loan.save()
    return loan


def _terms(bank, annual_rate, term_months, subsidy_share) -> tuple[Decimal, int, Decimal]:
    errors = {}
    if bank is None or bank.kind != OrganisationKind.BANK:
        errors["bank"] = "请选择贷款银行。"
    rate = Decimal(str(annual_rate)) if annual_rate is not None else None
    if rate is None or rate < 0 or rate > 36:
        errors["annual_rate"] = "年利率应在 0 至 36（%）之间。"
    if not term_months or int(term_months) <= 0 or int(term_months) > 360:
        errors["term_months"] = "期限应为 1 至 360 个月。"
    share = Decimal(str(subsidy_share))
    if share < 0 or share > 100:
        errors["subsidy_share"] = "贴息比例应在 0 至 100（%）之间。"
    if errors:
        raise DomainError("贷款信息有误，请按提示修改。", code="invalid_loan", details=errors)
    return rate, int(term_months), share


def _write_schedule(loan: Loan) -> None:
    rows = arithmetic.schedule(principal=loan.principal, annual_rate_percent=loan.annual_rate,
                               term_months=loan.term_months, start=loan.start_date)
    LoanInstallment.objects.bulk_create([
        LoanInstallment(loan=loan, number=r.number, due_date=r.due_date, principal_due=r.principal_due,
                        interest_due=r.interest_due, outstanding_before=r.outstanding_before) for r in rows])
    LoanSubsidy.objects.bulk_create([
        LoanSubsidy(loan=loan, quarter=quarter, interest=interest, share=loan.subsidy_share,
                    amount=arithmetic.subsidy_for(interest, loan.subsidy_share))
        for quarter, interest in sorted(arithmetic.quarterly_interest(rows).items())])


@transaction.atomic
def register_loan(*, actor: Any, bank, annual_rate, term_months: int, start_date: date,
                  subsidy_share=Decimal("100"), contract_no: str = "", loan: Loan | None = None,
                  borrower=None, principal=None, department=None, area=None, policy=None,
                  household=None) -> Loan:
    """Record a loan's bank contract and write its schedule and quarterly subsidies. With `loan` (one
    decided through intake, pending) the terms complete it; without, finance registers a loan directly."""
    rate, months, share = _terms(bank, annual_rate, term_months, subsidy_share)
    if loan is not None:
        _check_may(actor, loan, "change", "只有财务人员可以登记贷款。")
        loan = Loan.objects.select_for_update().get(pk=loan.pk)
        if loan.status != LoanStatus.PENDING:
            raise Conflict("该贷款已登记合同。", code="loan_registered")
    else:
        if not is_admin(actor) and not actor.has_role("finance"):
            raise NotPermitted("只有财务人员可以登记贷款。")
        if borrower is None or department is None:
            raise DomainError("请填写借款人和贴息部门。", code="invalid_loan",
                              details={"borrower": "请选择借款人。"} if borrower is None else {"department": "请选择贴息部门。"})
        loan = Loan(borrower=borrower, household=household, department=department, policy=policy,
                    area_id=getattr(area, "pk", area) or borrower.residence_area_id,
                    principal=_positive(principal, "贷款本金"))
    loan.bank, loan.annual_rate, loan.term_months, loan.subsidy_share = bank, rate, months, share
    loan.start_date, loan.contract_no, loan.status = start_date, contract_no.strip(), LoanStatus.ACTIVE
    attribute_to(loan, actor)
    loan.save()
    _write_schedule(loan)
    return loan


def _refresh_status(loan: Loan, today: date) -> None:
    unpaid = loan.installments.filter(paid_on__isnull=True)
    if not unpaid.exists():
        last = loan.installments.order_by("-paid_on").values_list("paid_on", flat=True).first()
        Loan.objects.filter(pk=loan.pk).update(status=LoanStatus.SETTLED, settled_on=last)
    elif unpaid.filter(due_date__lt=today).exists():
        Loan.objects.filter(pk=loan.pk).update(status=LoanStatus.OVERDUE)
    else:
        Loan.objects.filter(pk=loan.pk).update(status=LoanStatus.ACTIVE)
    loan.refresh_from_db(fields=["status", "settled_on"])


@transaction.atomic
def record_repayment(loan: Loan, *, actor: Any, paid_on: date, amount: Any = None) -> LoanInstallment:
    """The borrower repaid the earliest unpaid instalment (as the bank reports it). The last one settles
    the loan; a repayment that clears every past-due instalment ends the overdue state."""
    _check_may(actor, loan, "change", "只有财务人员可以登记还款。")
    loan = Loan.objects.select_for_update().get(pk=loan.pk)
    if loan.status in (LoanStatus.PENDING, LoanStatus.SETTLED):
        raise Conflict("该贷款尚未登记合同或已结清，不能登记还款。", code="loan_not_repayable")
    installment = loan.installments.filter(paid_on__isnull=True).order_by("number").first()
    paid = to_money(amount) if amount not in (None, "") else installment.total_due
    if paid < installment.total_due:
        raise DomainError(f"第 {installment.number} 期应还 {format_yuan(installment.total_due)} 元，实还金额不足。",
                          code="repayment_short", details={"field": "amount"})
    if paid_on < loan.start_date:
        raise DomainError("还款日期不能早于放款日期。", code="repayment_early", details={"field": "paid_on"})
    installment.paid_on, installment.paid_amount = paid_on, paid
    installment.save(update_fields=["paid_on", "paid_amount"])
    _refresh_status(loan, max(paid_on, timezone.localdate()))
    return installment


@transaction.atomic
def mark_overdue_loans(*, today: date | None = None) -> dict[str, int]:
    """Set-based: active loans with an instalment past due and unpaid become overdue; overdue ones with
    none become active again. Returns the counts."""
    today = today or timezone.localdate()
    late = LoanInstallment.objects.filter(paid_on__isnull=True, due_date__lt=today).values("loan_id")
    overdue = Loan.objects.filter(status=LoanStatus.ACTIVE, pk__in=late).update(status=LoanStatus.OVERDUE)
    cured = Loan.objects.filter(status=LoanStatus.OVERDUE).exclude(pk__in=late).update(status=LoanStatus.ACTIVE)
    return {"overdue": overdue, "cured": cured}


def subsidy_payable(subsidy: LoanSubsidy, on: date) -> str:
    """Empty when the subsidy may be paid on `on`; otherwise the Chinese reason why not."""
    if subsidy.status != SubsidyStatus.PENDING:
        return "该季度贴息已支付。"
    if arithmetic.quarter_end(subsidy.quarter) >= on:
        return f"{subsidy.quarter_label}尚未结束。"
    end = arithmetic.quarter_end(subsidy.quarter)
    if LoanInstallment.objects.filter(loan_id=subsidy.loan_id, due_date__gte=subsidy.quarter, due_date__lte=end,
                                      paid_on__isnull=True).exists():
        return f"{subsidy.quarter_label}的应还款尚未还清，贴息暂缓支付。"
    return ""


@transaction.atomic
def pay_subsidy(subsidy: LoanSubsidy, *, actor: Any, on: date | None = None) -> LoanSubsidy:
    """Pay one quarter's interest subsidy of one loan (finance); writes the ledger (kind loan_subsidy)."""
    _check_may(actor, subsidy, "pay", "只有财务人员可以支付贴息。")
    on = on or timezone.localdate()
    subsidy = LoanSubsidy.objects.select_for_update().select_related("loan").get(pk=subsidy.pk)
    reason = subsidy_payable(subsidy, on)
    if reason:
        raise Conflict(reason, code="subsidy_not_payable")
    subsidy.status, subsidy.paid_on = SubsidyStatus.PAID, on
    subsidy.paid_by = actor if getattr(actor, "pk", None) else None
    attribute_to(subsidy, actor)
    subsidy.save(update_fields=["status", "paid_on", "paid_by"])
    loan = subsidy.loan
    if subsidy.amount > 0:
        record_assistance(person=loan.borrower, household=loan.household, area=loan.area_id, on=on,
                          department=loan.department, kind=AssistanceKind.LOAN_SUBSIDY, source=subsidy,
                          policy=loan.policy, programme="" if loan.policy_id else "小额贴息贷款",
                          amount=subsidy.amount, actor=actor)
    return subsidy


def pay_quarter_subsidies(*, actor: Any, quarter: date, on: date | None = None) -> dict[str, int]:
    """Pay every payable subsidy of `quarter` that the actor may pay; each in its own transaction, so one
    refusal does not undo the others. Returns counts (paid, waiting)."""
    on = on or timezone.localdate()
    quarter = arithmetic.quarter_of(quarter)
    counts = {"paid": 0, "waiting": 0}
    pending = (LoanSubsidy.objects.visible_to(actor, "pay").filter(quarter=quarter, status=SubsidyStatus.PENDING)
               .exclude(loan__status=LoanStatus.PENDING).order_by("pk"))
    for subsidy in pending.iterator(chunk_size=500):
        if subsidy_payable(subsidy, on):
            counts["waiting"] += 1
            continue
        pay_subsidy(subsidy, actor=actor, on=on)
        counts["paid"] += 1
    return counts
