"""Payroll for N active enrollments: `payroll.compute_run` (batched INSERT … SELECT that skips payments
already there, signatures computed in SQL, then the correction pass and the run's totals) against one raw
INSERT … SELECT writing the same rows — same columns, same latest-amount lookup, same HMAC signature
expression — into the payment table itself (its indexes, foreign keys and unique constraints are the
price of integrity that any way of writing these rows pays). The notes add the same statement into a
bare copy of the table (no index, no constraint). A second case times computing the same run again
(adds 0 rows, checked) against the first computation: target ≤ 0.5×.

Enrollments are written set-based for the bench (persons through the registry's bulk inserter, then
INSERT … SELECT for enrollments and their amounts), not through the approval flow."""

from __future__ import annotations

import time
from datetime import date, timedelta

from django.db import connection

from bench.runner import case

MONTH = date(2026, 4, 1)
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"


def _finance():
    from onedoor.accounts.actions import assign_role, create_staff
    from onedoor.accounts.models import User
    from onedoor.geo.models import Area

    user = User.objects.filter(username="bench.finance").first()
    if user is None:
        user = create_staff(actor=None, username="bench.finance", full_name="基准财务", organisation=None,
                            password="x")
        assign_role(actor=None, user=user, role="finance", area=Area.objects.get(code="350212000000"))
    return user


def _policy():
    from onedoor.accounts.models import Organisation
    from onedoor.policies.models import Policy

    department, _ = Organisation.objects.get_or_create(name="基准民政局", defaults={
        "short_name": "基准民政", "kind": "bureau", "area_id": "350212000000"})
    policy, _ = Policy.objects.get_or_create(code="bench-dibao", defaults={
        "name": "最低生活保障（基准）", "department": department, "kind": "monthly_cash", "subject": "person"})
    return policy


def _populate(scale: int) -> None:
    """N persons with bank accounts, one active enrollment each from MONTH, 800.00 a month."""
    from onedoor.benefits.models import Enrollment
    from onedoor.core.idnumber import make_id_number
    from onedoor.geo.actions import load_areas
    from onedoor.geo.models import Area
    from onedoor.registry.bulk import Inserter
    from onedoor.registry.models import Person

    if Enrollment.objects.count() >= scale:
        return
    load_areas()
    policy = _policy()
    villages = list(Area.objects.current().filter(level__in=["village", "community"]).values_list("code", flat=True))
    inserter = Inserter(Person)
    # Earlier cases of the same run may have left people behind: enroll only the ones made here.
    after_id = Person.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    start, batch = date(1940, 1, 1), []
    for i in range(scale):
        name = SURNAMES[i % len(SURNAMES)] + SURNAMES[(i // 53) % len(SURNAMES)]
        number = make_id_number("350212", start + timedelta(days=i // 1000), i % 1000)
        batch.append({"id_number": number, "id_tail": number[-6:], "name": name, "name_simplified": name,
                      "birth_date": start + timedelta(days=i // 1000), "sex": "M" if int(number[16]) % 2 else "F",
                      "residence_area_id": villages[i % len(villages)], "self_care_unable": [],
                      "bank_name": "同安农商银行", "bank_account": f"6221{i:012d}"})
        if len(batch) == 5000:
            inserter.insert_dicts(batch)
            batch = []
    inserter.insert_dicts(batch)
    now = "2026-03-10 00:00:00+00:00"
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO benefits_enrollment (policy_id, person_id, household_id, decision_id, area_id, monthly_amount,"
            " start_month, last_month, status, review_due, created_at)"
            " SELECT %s, p.id, NULL, NULL, p.residence_area_id, 800.00, %s, NULL, 'active', NULL, %s"
            " FROM registry_person p WHERE p.id > %s", [policy.pk, MONTH, now, after_id])
        cursor.execute(
            "INSERT INTO benefits_enrollmentamount (enrollment_id, from_month, amount, basis, reason, created_at)"
            " SELECT e.id, e.start_month, 800.00, '{\"method\": \"fixed\"}', '基准', %s FROM benefits_enrollment e",
            [now])
        cursor.execute("ANALYZE")


def _clear_runs() -> None:
    from onedoor.benefits.models import Payment, PayrollRun

    Payment.objects.all().delete()
    PayrollRun.history.all().delete()
    PayrollRun.objects.all().delete()


def _remove_everything() -> None:
    """Leave the bench database as the cases after this one expect it (they count persons): remove
    what the payroll cases made, including the people enrolled here, and nothing earlier cases made."""
    from django.db import transaction

    with transaction.atomic(), connection.cursor() as cursor:
        for table in ("benefits_payment", "benefits_historicalpayrollrun", "benefits_payrollrun",
                      "benefits_enrollmentamount"):
            cursor.execute(f"DELETE FROM {table}")
        # Foreign keys are checked at commit, so the people can go before their enrollments.
        cursor.execute("DELETE FROM registry_person WHERE id IN (SELECT person_id FROM benefits_enrollment)")
        cursor.execute("DELETE FROM benefits_enrollment")


def _raw_sql(*, bare: bool, run_id: int = 0) -> tuple[str, dict]:
    """The same rows as the payroll's INSERT … SELECT, written in one statement (into a bare table)."""
    from onedoor.benefits import payroll, signing

    sql = payroll._REGULAR_SQL.format(signature=payroll._regular_signature_sql(), policy_filter="")
    # no batching, no "already paid" check: the plain statement a person would write for an empty month
    sql = sql.split("  AND NOT EXISTS")[0].replace("WHERE e.id >= %(low)s AND e.id < %(high)s\n  AND ", "WHERE ")
    if bare:
        with connection.cursor() as cursor:
            cursor.execute("DROP TABLE IF EXISTS bench_raw_payment")
            cursor.execute("CREATE TABLE bench_raw_payment AS SELECT * FROM benefits_payment WHERE 1 = 0")
        sql = sql.replace("INSERT INTO benefits_payment (", "INSERT INTO bench_raw_payment (")
    if bare and connection.vendor == "postgresql":
        sql = sql.replace("INSERT INTO bench_raw_payment (", "INSERT INTO bench_raw_payment (id, ").replace(
            "SELECT %(run)s", "SELECT nextval('bench_raw_seq'), %(run)s")
        with connection.cursor() as cursor:
            cursor.execute("DROP SEQUENCE IF EXISTS bench_raw_seq")
            cursor.execute("CREATE SEQUENCE bench_raw_seq")
    ipad, opad = signing.hmac_pads()
    from django.utils import timezone

    return sql, {"run": run_id, "month": MONTH.isoformat(), "now": timezone.now(), "ipad": ipad, "opad": opad}


def _timed(func) -> float:
    start = time.perf_counter()
    func()
    return time.perf_counter() - start


def _warm() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*), sum(a.amount) FROM benefits_enrollment e JOIN registry_person p ON "
                       "p.id = e.person_id JOIN benefits_enrollmentamount a ON a.enrollment_id = e.id")


@case("payroll_run", description="compute_run for N active enrollments vs a raw INSERT … SELECT of the same rows",
      target_ratio=1.5, default_scale=20_000)
def payroll_run(scale: int):
    from onedoor.benefits import payroll
    from onedoor.benefits.models import Payment, PayrollRun

    _populate(scale)
    _clear_runs()
    actor = _finance()
    _warm()

    def raw(sql, params):
        def execute():
            with connection.cursor() as cursor:
                cursor.execute(sql, params)
        return execute

    bare = _timed(raw(*_raw_sql(bare=True)))
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE bench_raw_payment")
    scratch = PayrollRun.objects.create(month=MONTH, policy=_policy(), area_id="350212000000", prepared_by=actor)
    baseline = _timed(raw(*_raw_sql(bare=False, run_id=scratch.pk)))
    raw_rows = Payment.objects.filter(run=scratch).count()
    _clear_runs()
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE benefits_payment")
    run = payroll.create_run(actor=actor, month=MONTH)
    seconds = _timed(lambda: payroll.compute_run(run, actor=actor))
    rows = Payment.objects.filter(run=run).count()
    if rows != scale or raw_rows != scale:
        raise RuntimeError(f"payroll wrote {rows} rows, the raw statement {raw_rows}, for {scale} enrollments")
    return seconds, baseline, (f"{rows} payments; the raw statement into a bare table (no index, no constraint) "
                               f"took {bare:.3f}s ({seconds / bare:.2f}x)")


@case("payroll_rerun", description="computing the same run again (adds 0 rows) vs the first computation",
      target_ratio=0.5, default_scale=20_000)
def payroll_rerun(scale: int):
    from onedoor.benefits import payroll
    from onedoor.benefits.models import Payment

    _populate(scale)
    _clear_runs()
    actor = _finance()
    _warm()
    run = payroll.create_run(actor=actor, month=MONTH)
    first = _timed(lambda: payroll.compute_run(run, actor=actor))
    before = Payment.objects.count()
    again = _timed(lambda: payroll.compute_run(run, actor=actor))
    added = Payment.objects.count() - before
    _remove_everything()  # the cases after this one (registry_import) start from an empty registry
    if added:
        raise RuntimeError(f"the second computation added {added} payments")
    return again, first, f"second run added {added} rows; first {first:.3f}s"
