"""The annual report over N assistance-ledger rows: `reports.annual.annual_report` for a district leader (every
section, scoped through `visible_to`, about thirty queries) against the same aggregates written by hand in raw
SQL in the same run — the two ledger scans (cash by policy; cash by the category held on the day of payment,
with the same two correlated look-ups, the category read once to map ids to keys) plus one statement per other section (loans, subsidies, applications,
tasks, decisions, campaign issues, stock, agreements, catalogue). Both answers are checked equal.

Population, set-based: N / 40 people through the registry's bulk inserter, one category assignment each
(every fifth person changes category on 1 July), every second person heading a household, then the ledger rows with one INSERT … SELECT per million
(generate_series on PostgreSQL, a recursive CTE on SQLite), and one reversal per thousand rows."""

from __future__ import annotations

import time
from datetime import date, timedelta

from django.db import connection, transaction

from bench.runner import best_of, case

YEAR = 2026
START, END = date(YEAR, 1, 1), date(YEAR, 12, 31)
DISTRICT = "350212000000"
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
CHUNK = 1_000_000
PEOPLE_PER_ROW = 40


def _leader():
    from onedoor.accounts.actions import assign_role, create_staff
    from onedoor.accounts.models import User
    from onedoor.geo.models import Area

    user = User.objects.filter(username="bench.leader").first()
    if user is None:
        user = create_staff(actor=None, username="bench.leader", full_name="基准领导", organisation=None,
                            password="x")
        assign_role(actor=None, user=user, role="leader", area=Area.objects.get(code=DISTRICT))
    return user


def _policies() -> tuple[int, list[int]]:
    from onedoor.accounts.models import Organisation
    from onedoor.policies.models import Policy

    department, _ = Organisation.objects.get_or_create(name="基准报表民政局", defaults={
        "short_name": "基准报表民政", "kind": "bureau", "area_id": DISTRICT})
    ids = []
    for code, name in (("bench-r-dibao", "最低生活保障（报表基准）"), ("bench-r-tekun", "特困供养（报表基准）"),
                       ("bench-r-orphan", "孤儿基本生活费（报表基准）"), ("bench-r-temp", "临时救助（报表基准）")):
        policy, _ = Policy.objects.get_or_create(code=code, defaults={
            "name": name, "department": department, "kind": "monthly_cash", "subject": "person"})
        ids.append(policy.pk)
    return department.pk, ids


def _series(count: int) -> str:
    if connection.vendor == "postgresql":
        return f"SELECT g AS n FROM generate_series(1, {count}) g"
    return (f"WITH RECURSIVE s(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM s WHERE n < {count}) "
            "SELECT n FROM s")


def _populate(scale: int) -> str:
    """People, categories and `scale` ledger rows (plus reversals). Returns a line for the notes."""
    from django.contrib.contenttypes.models import ContentType
    from django.db import transaction
    from django.utils import timezone

    from onedoor.core.idnumber import make_id_number
    from onedoor.geo.actions import load_areas
    from onedoor.geo.models import Area
    from onedoor.ledger.models import AssistanceRecord
    from onedoor.registry.bulk import Inserter
    from onedoor.registry.models import Category, Person

    began = time.perf_counter()
    load_areas()
    department_id, policy_ids = _policies()
    villages = list(Area.objects.current().filter(level__in=["village", "community"]).values_list("code", flat=True))
    people = max(50, scale // PEOPLE_PER_ROW)
    after_id = Person.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    inserter = Inserter(Person)
    birth, batch = date(1950, 1, 1), []
    for i in range(people):
        name = SURNAMES[i % len(SURNAMES)] + SURNAMES[(i // 53) % len(SURNAMES)] + "报"
        number = make_id_number("350212", birth + timedelta(days=i // 900), 100 + i % 900)
        batch.append({"id_number": number, "id_tail": number[-6:], "name": name, "name_simplified": name,
                      "birth_date": birth + timedelta(days=i // 900), "sex": "M" if int(number[16]) % 2 else "F",
                      "residence_area_id": villages[i % len(villages)], "self_care_unable": []})
        if len(batch) == 5000:
            inserter.insert_dicts(batch)
            batch = []
    inserter.insert_dicts(batch)
    ids = list(Person.objects.filter(pk__gt=after_id).order_by("pk").values_list("pk", flat=True))
    first, last = ids[0], ids[-1]
    if last - first + 1 != len(ids):
        raise RuntimeError("bench people ids are not contiguous")
    categories = list(Category.objects.order_by("pk").values_list("pk", flat=True))[:6]
    cases = " ".join(f"WHEN {k} THEN {pk}" for k, pk in enumerate(categories))
    later = " ".join(f"WHEN {k} THEN {pk}" for k, pk in enumerate(reversed(categories)))
    now = timezone.now()
    n_cat = len(categories)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO registry_categoryassignment (category_id, person_id, household_id, area_id, valid_from,"
            " valid_to, source, reason, end_reason, created_by_id)"
            f" SELECT CASE (p.id %% {n_cat}) {cases} END, p.id, NULL, p.residence_area_id, %s,"
            " CASE WHEN p.id %% 5 = 0 THEN %s ELSE NULL END, 'manual', '基准', '', NULL"
            " FROM registry_person p WHERE p.id >= %s AND p.id <= %s",
            [date(2020, 1, 1), date(YEAR, 7, 1), first, last])
        cursor.execute(
            "INSERT INTO registry_categoryassignment (category_id, person_id, household_id, area_id, valid_from,"
            " valid_to, source, reason, end_reason, created_by_id)"
            f" SELECT CASE (p.id %% {n_cat}) {later} END, p.id, NULL, p.residence_area_id, %s, NULL, 'manual',"
            " '基准', '', NULL FROM registry_person p WHERE p.id >= %s AND p.id <= %s AND p.id %% 5 = 0",
            [date(YEAR, 7, 1), first, last])
        # every second person heads a household (no category of its own): half the rows carry a household
        cursor.execute(
            "INSERT INTO registry_household (head_id, residence_area_id, address, hukou_type, formed_on, dissolved_on)"
            " SELECT p.id, p.residence_area_id, '', '', %s, NULL FROM registry_person p"
            " WHERE p.id >= %s AND p.id <= %s AND p.id %% 2 = 0", [date(2020, 1, 1), first, last])
    source_type = ContentType.objects.get_for_model(Person).pk
    base_source = (AssistanceRecord.objects.order_by("-source_id").values_list("source_id", flat=True).first()
                   or 0) + 1
    policies = " ".join(f"WHEN {k} THEN {pk}" for k, pk in enumerate(policy_ids))
    if connection.vendor == "postgresql":
        day = "(%s::date + ((s.n * 7) %% 365)::int)"
    else:
        day = "date(%s, '+' || ((s.n * 7) %% 365) || ' days')"
    done = 0
    while done < scale:
        count = min(CHUNK, scale - done)
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(
                "INSERT INTO ledger_assistancerecord (person_id, household_id, area_id, delivered_on, policy_id,"
                " programme, department_id, kind, amount, quantity, unit, source_type_id, source_id, reverses_id,"
                " reason, created_at, actor_id)"
                f" SELECT p.id, h.id, p.residence_area_id, {day},"
                f" CASE (s.n %% {len(policy_ids)}) {policies} END, '', %s,"
                " CASE WHEN s.n %% 50 = 0 THEN 'in_kind' ELSE 'cash' END,"
                " 100 + (s.n %% 900) + (s.n %% 100) / 100.0, NULL, '', %s, %s + s.n, NULL, '', %s, NULL"
                f" FROM ({_series(count)}) s JOIN registry_person p ON p.id = %s + ((s.n + %s) %% %s)"
                " LEFT JOIN registry_household h ON h.head_id = p.id",
                [START, department_id, source_type, base_source + done, now, first, done, people])
        done += count
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO ledger_assistancerecord (person_id, household_id, area_id, delivered_on, policy_id,"
            " programme, department_id, kind, amount, quantity, unit, source_type_id, source_id, reverses_id,"
            " reason, created_at, actor_id)"
            " SELECT person_id, household_id, area_id, delivered_on, policy_id, programme, department_id, kind,"
            " -amount, NULL, '', source_type_id, source_id, id, '银行退回', created_at, NULL"
            " FROM ledger_assistancerecord WHERE source_id >= %s AND source_id %% 1000 = 0",
            [base_source])
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")
    return f"populated {scale} ledger rows for {people} people in {time.perf_counter() - began:.1f}s"


def _raw() -> dict:
    """The report's figures by hand-written SQL, with JIT off as the report runs them (the leader sees the
    district: the scope is the area range). The category look-up is the report's own SQL text."""
    from onedoor.core.scoping import subtree_bounds

    low, high = subtree_bounds(DISTRICT)
    where = "r.kind = 'cash' AND r.delivered_on >= %s AND r.delivered_on <= %s AND r.area_id >= %s AND r.area_id <= %s"
    params = [START, END, low, high]
    times = "SUM(CASE WHEN r.reverses_id IS NULL THEN 1 ELSE -1 END)"

    from onedoor.reports.annual import category_key_sql, category_keys

    key = category_key_sql(category_keys(), outer="r")
    out: dict = {}
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL jit = off")  # as the report does (reports.annual.without_jit)
        cursor.execute(f"SELECT r.policy_id, SUM(r.amount), {times} FROM ledger_assistancerecord r WHERE {where}"
                       " GROUP BY r.policy_id", params)
        out["by_policy"] = cursor.fetchall()
        cursor.execute(f"SELECT k, SUM(amount), SUM(t) FROM (SELECT r.amount AS amount, CASE WHEN r.reverses_id"
                       f" IS NULL THEN 1 ELSE -1 END AS t, {key}"
                       f" AS k FROM ledger_assistancerecord r WHERE {where}) x GROUP BY k", params)
        out["by_category"] = cursor.fetchall()
        for name, sql, args in (
            ("loans", "SELECT COUNT(DISTINCT borrower_id), COUNT(*), SUM(principal) FROM aid_loan WHERE start_date"
             " >= %s AND start_date <= %s AND area_id >= %s AND area_id <= %s", params),
            ("subsidies", "SELECT SUM(s.amount), COUNT(*) FROM aid_loansubsidy s JOIN aid_loan l ON l.id = s.loan_id"
             " WHERE s.status = 'paid' AND s.paid_on >= %s AND s.paid_on <= %s AND l.area_id >= %s"
             " AND l.area_id <= %s", params),
            ("channels", "SELECT channel, COUNT(*) FROM intake_application WHERE submitted_at >= %s"
             " AND submitted_at < %s AND area_id >= %s AND area_id <= %s GROUP BY channel",
             [START, END + timedelta(days=1), low, high]),
            ("departments", "SELECT department_id, COUNT(*) FROM intake_task WHERE received_on >= %s"
             " AND received_on <= %s AND area_id >= %s AND area_id <= %s GROUP BY department_id", params),
            ("decided", "SELECT received_on, decided_at, due_date FROM intake_task WHERE decided_at >= %s"
             " AND decided_at < %s AND area_id >= %s AND area_id <= %s", [START, END + timedelta(days=1), low, high]),
            ("issued", "SELECT l.item_id, SUM(l.quantity) FROM relief_deliveryline l JOIN relief_delivery d ON"
             " d.id = l.delivery_id WHERE d.delivered_on >= %s AND d.delivered_on <= %s GROUP BY l.item_id",
             [START, END]),
            ("stock", "SELECT b.item_id, SUM(b.quantity) FROM relief_stockbalance b JOIN relief_store s ON"
             " s.id = b.store_id WHERE s.kind <> 'supplier' AND b.quantity > 0 GROUP BY b.item_id", []),
            ("agreements", "SELECT l.item_id, SUM(l.reserved_quantity) FROM relief_agreementline l JOIN"
             " relief_agreement a ON a.id = l.agreement_id WHERE a.valid_from <= %s AND a.valid_to >= %s"
             " GROUP BY l.item_id", [date.today(), date.today()]),
            ("catalogue", "SELECT COUNT(*), COUNT(DISTINCT department_id) FROM policies_policy WHERE is_active", []),
        ):
            cursor.execute(sql, args)
            out[name] = cursor.fetchall()
    return out


@case("annual_report", description="annual_report() over N ledger rows vs the same aggregates in raw SQL",
      target_ratio=1.5, default_scale=10_000_000)
def annual_report_case(scale: int):
    from decimal import Decimal

    from onedoor.reports.annual import annual_report, category_of_key, money

    populated = _populate(scale)
    leader = _leader()
    rounds, inner = (3, 1) if scale >= 100_000 else (5, 5)

    def ours():
        return annual_report(leader, start=START, end=END, area_code=DISTRICT)

    report = ours()
    raw = _raw()
    raw_amount = money(sum((money(a) for _, a, _ in raw["by_policy"]), Decimal(0)))
    raw_times = sum(t for *_, t in raw["by_policy"])
    raw_categories = sorted((str(category_of_key(k) or "none"), money(a), t) for k, a, t in raw["by_category"])
    ours_categories = sorted((r.key, r.amount, r.count) for r in report.subsidies.by_category)
    if (report.subsidies.amount, report.subsidies.times) != (raw_amount, raw_times) \
            or ours_categories != raw_categories:
        raise RuntimeError(f"annual_report {report.subsidies.amount}/{report.subsidies.times} differs from raw SQL "
                           f"{raw_amount}/{raw_times} or by category {ours_categories} != {raw_categories}")
    seconds = best_of(ours, rounds=rounds, inner=inner)
    baseline = best_of(_raw, rounds=rounds, inner=inner)
    return seconds, baseline, (f"{populated}; subsidies {report.subsidies.amount} yuan, {report.subsidies.times} "
                               f"person-times in {len(report.subsidies.by_category)} categories")
