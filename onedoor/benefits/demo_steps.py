"""Demo district, benefits part: the amount rules of the catalogue's monthly-cash policies (after the
catalogue step, 40); the year's enrollments of the synthetic households (65); and the twelve monthly
payroll runs of the demo year (66) through the real payroll code — computed, approved by a second
finance officer, exported as a bank file, reconciled from a generated bank return file in which a few
payments fail (closed account, name mismatch), the failures re-issued in the next month's run.

Enrollments are written in bulk (a decision for each of thousands of households through intake would
take hours at article scale; the intake step shows that path for its sample), each with its amount
computed by `benefits.amounts.compute_amount` — the same rules, standards and registry figures a
decision would use — and an "enrolled" event. Idempotent: enrollments and runs already there are left."""

from __future__ import annotations

import csv
import io
import time
from datetime import date, timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from onedoor.accounts.actions import assign_role, create_staff
from onedoor.accounts.choices import Role
from onedoor.accounts.models import Organisation, User
from onedoor.demo import synth
from onedoor.demo.steps import demo_step, refresh_statistics
from onedoor.ledger.models import AssistanceRecord
from onedoor.policies.models import Policy
from onedoor.registry.models import Household, Person

from .actions import review_due_after, rule_for
from .amounts import compute_amount
from .bankfile import export_bank_file, reconcile_return_file, reference
from .choices import LIVE_STATUSES, PaymentStatus, RunState
from .models import Enrollment, EnrollmentAmount, EnrollmentEvent, Payment, PayrollRun
from .payroll import approve_run, close_run, compute_run, create_run, reissue_failed
from .rules import load_benefit_rules

DISTRICT = "350212000000"
REVIEWER = ("finance.review", "周复核")  # the second finance officer: four eyes on every run
FAILURE_RATE = Decimal("0.003")
FAILURE_REASONS = ["账户已销户", "户名与账号不符", "账户冻结"]
ELDERLY_BANDS = [(100, Decimal("1000.00")), (90, Decimal("500.00")), (80, Decimal("200.00"))]
DECIDED = {"mz-disability-living": Decimal("180.00"), "mz-disability-care": Decimal("240.00"),
           "mz-child-difficulty": Decimal("500.00")}


@demo_step(45, "待遇计算规则")
def load_demo_benefit_rules(options: dict) -> str:
    return load_benefit_rules(actor=None).summary()


def _start(plan: synth.Plan, id_number: str) -> date:
    """Most benefits run through the whole year; about one in seven was decided during it."""
    draw = synth._digest(plan.seed, "start", id_number) % 7
    return date(plan.year, 1, 1) if draw else date(plan.year, 1 + synth._digest(plan.seed, "m", id_number) % 11 + 1, 1)


def _wanted(plan: synth.Plan, families: list[synth.Family]) -> list[tuple[str, synth.Family, synth.Member, Decimal | None]]:
    """(policy code, family, member paid, decided amount) for every benefit of the synthetic district."""
    on = date(plan.year, 1, 1)
    wanted = []
    for family in families:
        if family.kind == "dibao":
            wanted.append(("mz-dibao", family, family.head, None))
        for member in family.members:
            if "特困供养" in member.categories:
                wanted.append(("mz-tekun", family, member, None))
            if "孤儿" in member.categories:
                wanted.append(("mz-orphan", family, member, None))
            if "事实无人抚养儿童" in member.categories:
                wanted.append(("mz-unsupported-child", family, member, None))
            if "困境儿童" in member.categories:
                wanted.append(("mz-child-difficulty", family, member, DECIDED["mz-child-difficulty"]))
            if "重度残疾" in member.categories:
                wanted.append(("mz-disability-living", family, member, DECIDED["mz-disability-living"]))
                wanted.append(("mz-disability-care", family, member, DECIDED["mz-disability-care"]))
            age = synth.age_on(member.birth, on)
            band = next((amount for low, amount in ELDERLY_BANDS if age >= low), None)
            if band is not None:
                wanted.append(("mz-elderly-allowance", family, member, band))
    return wanted


@demo_step(65, "待遇享受")
def load_demo_enrollments(options: dict) -> str:
    from onedoor.registry.demo_steps import demo_families

    if Enrollment.objects.filter(decision__isnull=True).exists():
        return f"已有 {Enrollment.objects.count()} 项待遇，未重复生成"
    plan, families = demo_families(options)
    wanted = _wanted(plan, families)
    policies = Policy.objects.in_bulk({code for code, *_ in wanted}, field_name="code")
    if not wanted or len(policies) < len({code for code, *_ in wanted}):
        return "政策目录或演示救助对象尚未载入，跳过"
    people = Person.objects.in_bulk([m.id_number for _, _, m, _ in wanted] + [f.head.id_number for f in families],
                                    field_name="id_number")
    households = {h.head_id: h for h in Household.objects.filter(head__in=[p.pk for p in people.values()],
                                                                 dissolved_on__isnull=True)}
    live = set(Enrollment.objects.filter(status__in=LIVE_STATUSES).values_list("policy_id", "person_id"))
    rules = {code: rule_for(policy) for code, policy in policies.items()}
    actor = User.objects.filter(username="handler.mz").first()
    rows: list[tuple[Enrollment, object]] = []
    for code, family, member, decided in wanted:
        person = people.get(member.id_number)
        head = people.get(family.head.id_number)
        if person is None or head is None or (policies[code].pk, person.pk) in live:
            continue
        household = households.get(head.pk) if code == "mz-dibao" else None
        start = _start(plan, member.id_number)
        computed = compute_amount(rules[code], month=start, person=person, household=household,
                                  decided_amount=decided)
        enrollment = Enrollment(policy=policies[code], person=person, household=household,
                                area_id=person.residence_area_id, monthly_amount=computed.amount, start_month=start,
                                review_due=review_due_after(policies[code], start))
        rows.append((enrollment, computed))
    with transaction.atomic():
        created = Enrollment.objects.bulk_create([e for e, _ in rows], batch_size=1000)
        EnrollmentAmount.objects.bulk_create(
            [EnrollmentAmount(enrollment=e, from_month=e.start_month, amount=c.amount, basis=c.basis,
                              reason="审批决定（演示数据）") for e, (_, c) in zip(created, rows, strict=True)],
            batch_size=1000)
        EnrollmentEvent.objects.bulk_create(
            [EnrollmentEvent(enrollment=e, actor=actor, code="enrolled", note=f"{e.start_month:%Y年%-m月}起发放",
                             data={"amount": str(e.monthly_amount), "demo": True}) for e in created],
            batch_size=1000)
    refresh_statistics()
    total = sum((e.monthly_amount for e in created), Decimal("0.00"))
    return f"生成 {len(created)} 项待遇（首月应发 {total:,.2f} 元）"


def _reviewer() -> User:
    user = User.objects.filter(username=REVIEWER[0]).first()
    if user is None:
        from onedoor.demo.demo_steps import DEMO_PASSWORD

        user = create_staff(actor=None, username=REVIEWER[0], full_name=REVIEWER[1],
                            organisation=Organisation.objects.get(short_name="区民政局"), password=DEMO_PASSWORD)
        assign_role(actor=None, user=user, role=Role.FINANCE, area=user.organisation.area, organisation=None,
                    note="演示账号：发放批次的复核人")
    return user


def _failures(plan: synth.Plan, payments: list[tuple[int, str, str]]) -> dict[int, str]:
    """A few payments of each run fail at the bank, chosen by a hash of the payee and the month (so the
    same seed fails the same people): 0.3 %, at least one per run."""
    if not payments:
        return {}
    ranked = sorted(payments, key=lambda p: synth._digest(plan.seed, "fail", p[1], p[2]))
    count = max(1, int(len(payments) * FAILURE_RATE))
    return {pk: FAILURE_REASONS[synth._digest(plan.seed, "why", key) % len(FAILURE_REASONS)]
            for pk, key, _ in ranked[:count]}


def _return_file(plan: synth.Plan, run: PayrollRun, paid_on: date) -> bytes:
    exported = list(run.payments.filter(status=PaymentStatus.EXPORTED).order_by("pk")
                    .values_list("pk", "amount", "enrollment__person__id_number", "enrollment__policy__code",
                                 "line", "month"))
    # Keyed by what the payment is for, never by its id: row ids follow the INSERT … SELECT's plan.
    failures = _failures(plan, [(pk, f"{number or pk}|{code}|{line}|{month:%Y-%m}", f"{run.month:%Y-%m}")
                                for pk, _, number, code, line, month in exported])
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["参考号", "金额", "处理结果", "失败原因", "到账日期"])
    for pk, amount, *_ in exported:
        reason = failures.get(pk)
        writer.writerow([reference(run.pk, pk), f"{amount:.2f}", "失败" if reason else "成功", reason or "",
                         "" if reason else paid_on.isoformat()])
    return out.getvalue().encode("utf-8-sig")


@demo_step(66, "月度发放")
def load_demo_payroll(options: dict) -> str:
    plan = synth.plan_for(options, timezone.localdate())
    finance = User.objects.filter(username="finance").first()
    if finance is None or not Enrollment.objects.filter(decision__isnull=True).exists():
        return "没有财务账号或演示待遇（第 65 步），跳过"
    reviewer = _reviewer()
    months = [date(plan.year, m, 1) for m in range(1, 13) if date(plan.year, m, 1) <= timezone.localdate()]
    done = 0
    spent = dict.fromkeys(("计算", "重发", "审核", "导出", "对账"), 0.0)

    def timed(phase: str, started: float) -> float:
        now = time.monotonic()
        spent[phase] += now - started
        return now

    for month in months:
        if PayrollRun.objects.filter(month=month).exists():
            continue
        clock = time.monotonic()
        run = compute_run(create_run(actor=finance, month=month), actor=finance)
        clock = timed("计算", clock)
        previous = (PayrollRun.objects.filter(month__lt=month, state__in=[RunState.RECONCILED, RunState.CLOSED])
                    .order_by("-month").first())
        if previous is not None:  # last month's failures, to a corrected account
            for failed in previous.payments.filter(status=PaymentStatus.FAILED, reissued_as__isnull=True) \
                    .select_related("enrollment__person"):
                number = failed.enrollment.person.id_number or str(failed.pk)
                reissue_failed(failed, actor=finance, run=run,
                               bank_account=synth.bank_account(plan.seed, number + "/new"))
        clock = timed("重发", clock)
        approve_run(run, actor=reviewer)
        clock = timed("审核", clock)
        export_bank_file(run, actor=finance, fmt="csv", encoding="utf-8")
        clock = timed("导出", clock)
        paid_on = month + timedelta(days=14)
        reconcile_return_file(run, actor=finance, file=io.BytesIO(_return_file(plan, run, paid_on)),
                              filename=f"回盘{month:%Y%m}.csv", on=paid_on)
        timed("对账", clock)
        refresh_statistics(Payment._meta.db_table, AssistanceRecord._meta.db_table)
        if month != months[-1]:
            close_run(run, actor=finance)
        done += 1
    paid = Payment.objects.filter(status=PaymentStatus.PAID, month__year=plan.year)
    failed = Payment.objects.filter(status=PaymentStatus.FAILED, month__year=plan.year).count()
    phases = "，".join(f"{phase} {seconds:.0f} 秒" for phase, seconds in spent.items())
    return (f"{plan.year}年发放批次 {done} 个；到账 {paid.count()} 笔，失败 {failed} 笔（用时：{phases}）"
            if done else "发放批次已有，未重复生成")
