"""Demo district, aid part: a reserve fund (备用金) for the district and for every town window,
topped up by the demo finance officer, so 急难型 临时救助 in the intake demo can be paid at once; and the
demo year's interest-subsidised loans with their repayments and quarterly subsidies."""

from __future__ import annotations

import random
from datetime import date, timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from onedoor.accounts.choices import OrganisationKind
from onedoor.accounts.models import Organisation, User
from onedoor.demo import synth
from onedoor.demo.steps import demo_step
from onedoor.policies.models import Policy
from onedoor.registry.demo_steps import demo_families
from onedoor.registry.models import Household, Person

from . import actions
from .models import Loan, LoanInstallment, ReserveFund

DISTRICT = "350212000000"
TOWN_FUND = Decimal("50000.00")
DISTRICT_FUND = Decimal("300000.00")
YEAR_TOP_UP = Decimal("200000.00")
TOWN_LIMIT = Decimal("3000.00")  # larger one-off payments are decided and paid by the district


@demo_step(55, "临时救助备用金")
@transaction.atomic
def load_demo_funds(options: dict) -> str:
    if ReserveFund.objects.exists():
        return f"已有 {ReserveFund.objects.count()} 个备用金账户，未改动"
    finance = User.objects.filter(username="finance").first()
    if finance is None:
        return "没有演示财务账号，跳过"
    bureau = Organisation.objects.get(kind=OrganisationKind.BUREAU, area_id=DISTRICT)
    district = actions.open_fund(actor=finance, name="区级临时救助资金", organisation=bureau, area=bureau.area)
    actions.top_up_fund(district, actor=finance, amount=DISTRICT_FUND, reason="年度预算拨入（演示）")
    towns = Organisation.objects.filter(kind=OrganisationKind.TOWN_OFFICE).select_related("area").order_by("area_id")
    for office in towns:
        fund = actions.open_fund(actor=finance, name=f"{office}临时救助备用金", organisation=office, area=office.area,
                                 town_limit=TOWN_LIMIT)
        actions.top_up_fund(fund, actor=finance, amount=TOWN_FUND, reason="年度备用金拨付（演示）")
    return f"区级 1 个（{DISTRICT_FUND} 元），镇（街、场）{towns.count()} 个（各 {TOWN_FUND} 元，单笔限额 {TOWN_LIMIT} 元）"


# --- interest-subsidised loans ------------------------------------------------------------------------

PRINCIPALS = [30000, 50000, 80000, 100000, 120000, 150000, 200000]
PRINCIPAL_WEIGHTS = [12, 20, 18, 22, 12, 10, 6]  # about 90,000 yuan on average (article: 142 loans, 12.85 million)
CONTRACT_PREFIX = "TAHZ-"
OVERDUE_EVERY = 20  # one borrower in twenty stops repaying in the autumn


@demo_step(67, "贴息贷款")
def load_demo_loans(options: dict) -> str:
    """The year's interest-subsidised loans (小额贴息贷款 of the 合作银行 and 创业担保贷款 of 人社局) to heads
    of the synthetic 就业困难 and 低保边缘 households, registered by finance with the bank's terms; the
    instalments due in the year repaid (a few borrowers fall behind and become overdue); each ended
    quarter's subsidy paid through `pay_quarter_subsidies` (which writes the ledger)."""
    if Loan.objects.filter(contract_no__startswith=CONTRACT_PREFIX).exists():
        return f"已有 {Loan.objects.count()} 笔贷款，未重复生成"
    finance = User.objects.filter(username="finance").first()
    bank = Organisation.objects.filter(kind=OrganisationKind.BANK).order_by("pk").first()
    policies = Policy.objects.in_bulk(["bank-microloan", "rs-startup-loan"], field_name="code")
    if finance is None or bank is None or len(policies) < 2:
        return "没有财务账号、合作银行或贷款政策，跳过"
    plan, families = demo_families(options)
    heads = [f.head.id_number for f in families if f.kind in ("employment", "edge")][:plan.loans]
    people = Person.objects.in_bulk(heads, field_name="id_number")
    households = {h.head_id: h for h in Household.objects.filter(head__in=[p.pk for p in people.values()])}
    today = timezone.localdate()
    year_end = min(date(plan.year, 12, 31), today)
    draw = random.Random(plan.seed + 67)
    loans = []
    for index, number in enumerate(heads):
        person = people.get(number)
        if person is None:
            continue
        startup = index % 3 == 0
        policy = policies["rs-startup-loan" if startup else "bank-microloan"]
        start = date(plan.year, 1 + index % 12, 1 + draw.randrange(27))
        if start > today:
            continue
        loan = actions.register_loan(
            actor=finance, bank=bank, annual_rate=Decimal("4.35") if startup else Decimal("3.85"),
            term_months=draw.choice([12, 24, 36]), start_date=start, subsidy_share=Decimal("100" if startup else "50"),
            contract_no=f"{CONTRACT_PREFIX}{plan.year}-{index + 1:04d}", borrower=person, household=households.get(person.pk),
            principal=Decimal(draw.choices(PRINCIPALS, PRINCIPAL_WEIGHTS)[0]), department=policy.department,
            policy=policy)
        loans.append((index, loan))
    for index, loan in loans:
        stop = date(plan.year, 9, 30) if index % OVERDUE_EVERY == 7 else year_end
        for installment in LoanInstallment.objects.filter(loan=loan, due_date__lte=stop).order_by("number"):
            actions.record_repayment(loan, actor=finance, paid_on=installment.due_date)
    quarters = [date(plan.year, month, 1) for month in (1, 4, 7, 10)]
    paid = 0
    for quarter in quarters:
        end = date(quarter.year + (quarter.month == 10), 1 if quarter.month == 10 else quarter.month + 3, 1)
        on = end + timedelta(days=9)
        if on <= today:
            paid += actions.pay_quarter_subsidies(actor=finance, quarter=quarter, on=on)["paid"]
    overdue = actions.mark_overdue_loans(today=today)["overdue"]
    total = sum((loan.principal for _, loan in loans), Decimal("0"))
    return f"{plan.year}年发放贴息贷款 {len(loans)} 笔，本金 {total:,.0f} 元；支付季度贴息 {paid} 笔；逾期 {overdue} 笔"


# --- the year's one-off aid, paid out -----------------------------------------------------------------

@demo_step(63, "全年临时救助发放")
def load_demo_year_aid(options: dict) -> str:
    """Every one-off cash approval of the demo year (step 62) becomes its payment through
    `payment_from_task` and is disbursed by finance from the reserve fund the rules pick, a few days after
    the decision (which writes the ledger). A fund that runs low is topped up first, as the bureau does."""
    from onedoor.intake.models import Task
    from onedoor.policies.choices import PolicyKind

    from .models import AidPayment

    plan = synth.plan_for(options, timezone.localdate())
    finance = User.objects.filter(username="finance").first()
    tasks = (Task.objects.filter(policy__kind=PolicyKind.ONE_OFF_CASH, decided_amount__isnull=False,
                                 decided_at__year=plan.year, aid_payment__isnull=True,
                                 application__statement__startswith="【演示】")
             .select_related("application", "policy").order_by("decided_at", "pk"))
    if finance is None or not ReserveFund.objects.exists():
        return "没有财务账号或备用金，跳过"
    paid = 0
    total = Decimal("0.00")
    for task in tasks.iterator(chunk_size=500):
        with transaction.atomic():
            payment = actions.payment_from_task(task, actor=finance)
            fund = actions.fund_for(payment.area_id, payment.amount)
            if fund.balance < payment.amount:
                actions.top_up_fund(fund, actor=finance, amount=YEAR_TOP_UP, reason="备用金不足，追加拨付（演示）")
            on = min(timezone.localdate(task.decided_at) + timedelta(days=synth._digest(plan.seed, task.application.receipt_no) % 4), timezone.localdate())
            actions.disburse_payment(AidPayment.objects.get(pk=payment.pk), actor=finance, on=on)
        paid += 1
        total += payment.amount
    return f"{plan.year}年发放临时救助等一次性救助 {paid} 笔，{total:,.2f} 元" if paid else "没有待发放的演示救助"
