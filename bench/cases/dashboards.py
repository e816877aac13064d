"""The leader's district dashboard at the article's scale: `GET /reports/dashboards/leader/data/` (a real
request through the test client: session, grants, every figure scoped through `visible_to`, JSON) rendered
repeatedly, against the same aggregates written by hand in raw SQL in the same run — cash subsidies by month
over two years (net of reversals), applications and campaign deliveries this year against last year, this
year's tasks by department and state, decisions on time, the active campaign's coverage by town and by
category, stock by item and kind of store. The answers are checked equal first.

Scale = payment person-times in the ledger per year (the article: about 107,000), written for last year and
this year to today (one reversal in 200), with scale × 40/107 people and scale × 10/107 applications (one
task each; decided, open and overdue), an active campaign with a roster of scale / 35 and deliveries to a
sixth of it, and stock in a warehouse, three town stores and two supplier reserves. Populated set-based
(COPY / executemany through the registry's bulk inserter, INSERT … SELECT over a number series).
The notes give the p95 of the whole request (target < 300 ms) and its query count."""

from __future__ import annotations

import statistics
import time
from datetime import date, datetime, timedelta

from django.db import connection

from bench.runner import case

DISTRICT = "350212000000"
TZ_OFFSET_HOURS = 8  # Asia/Shanghai, no daylight saving


def _series(count: int) -> str:
    if connection.vendor == "postgresql":
        return f"SELECT g AS n FROM generate_series(1, {count}) g"
    return (f"WITH RECURSIVE s(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM s WHERE n < {count}) "
            "SELECT n FROM s")


def _day_plus(start_param: str = "%s") -> str:
    """SQL for a date parameter plus `(s.n * 7) % span` days (the span is the second parameter)."""
    if connection.vendor == "postgresql":
        return f"({start_param}::date + ((s.n * 7) %% %s)::int)"
    return f"date({start_param}, '+' || ((s.n * 7) %% %s) || ' days')"


def _leader():
    from onedoor.accounts.actions import assign_role, create_staff
    from onedoor.accounts.models import User
    from onedoor.geo.models import Area

    user = User.objects.filter(username="bench.dash.leader").first()
    if user is None:
        user = create_staff(actor=None, username="bench.dash.leader", full_name="基准看板领导", organisation=None,
                            password="x")
        assign_role(actor=None, user=user, role="leader", area=Area.objects.get(code=DISTRICT))
    return user


def _organisations() -> dict:
    from onedoor.accounts.models import Organisation

    made = {}
    for key, name, short, kind in (("bureau", "基准看板民政局", "基准看板民政", "bureau"),
                                   ("labour", "基准看板人社局", "基准看板人社", "department"),
                                   ("window", "基准看板窗口", "基准看板窗口", "town_office"),
                                   ("supplier", "基准看板供应商", "基准看板供应", "supplier")):
        made[key], _ = Organisation.objects.get_or_create(name=name, defaults={
            "short_name": short, "kind": kind, "area_id": DISTRICT})
    return made


def _populate(scale: int, today: date) -> str:
    from django.contrib.contenttypes.models import ContentType
    from django.db import transaction
    from django.utils import timezone

    from onedoor.core.idnumber import make_id_number
    from onedoor.geo.actions import load_areas
    from onedoor.geo.models import Area
    from onedoor.intake.models import Application, Task
    from onedoor.ledger.models import AssistanceRecord
    from onedoor.policies.models import Policy
    from onedoor.registry.bulk import Inserter
    from onedoor.registry.models import Category, Person
    from onedoor.relief.models import Campaign, Delivery, Item, RosterEntry, StockBalance, Store

    began = time.perf_counter()
    load_areas()
    leader = _leader()
    orgs = _organisations()
    policies = []
    for code, name, org in (("bench-d-dibao", "最低生活保障（看板基准）", "bureau"),
                            ("bench-d-job", "就业援助（看板基准）", "labour")):
        policy, _ = Policy.objects.get_or_create(code=code, defaults={
            "name": name, "department": orgs[org], "kind": "monthly_cash"})
        policies.append(policy)
    villages = list(Area.objects.current().filter(level__in=["village", "community"]).order_by("code")
                    .values_list("code", "parent_id"))

    # People
    people = max(60, scale * 40 // 107)
    after_id = Person.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    inserter, batch, birth = Inserter(Person), [], date(1970, 1, 1)
    for i in range(people):
        number = make_id_number("350212", birth + timedelta(days=i // 1000), i % 1000)
        name = "看板" + "甲乙丙丁戊己庚辛壬癸"[i % 10] + "子丑寅卯辰巳午未申酉戌亥"[(i // 10) % 12]
        batch.append({"id_number": number, "id_tail": number[-6:], "name": name, "name_simplified": name,
                      "birth_date": birth + timedelta(days=i // 1000), "sex": "M" if int(number[16]) % 2 else "F",
                      "residence_area_id": villages[i % len(villages)][0], "self_care_unable": []})
        if len(batch) == 5000:
            inserter.insert_dicts(batch)
            batch = []
    inserter.insert_dicts(batch)
    person_rows = list(Person.objects.filter(pk__gt=after_id).order_by("pk").values_list("pk", "residence_area_id"))
    first = person_rows[0][0]
    if person_rows[-1][0] - first + 1 != people:
        raise RuntimeError("bench people ids are not contiguous")

    # Ledger: `scale` cash rows last year and `scale` this year to today, one reversal in 200
    source_type = ContentType.objects.get_for_model(AssistanceRecord).pk
    base = (AssistanceRecord.objects.filter(source_type_id=source_type).order_by("-source_id")
            .values_list("source_id", flat=True).first() or 10**12) + 1
    now = timezone.now()
    columns = ("person_id, household_id, area_id, delivered_on, policy_id, programme, department_id, kind, amount,"
               " quantity, unit, source_type_id, source_id, reverses_id, reason, created_at, actor_id")
    for offset, (start, span) in enumerate(((date(today.year - 1, 1, 1), 365),
                                            (date(today.year, 1, 1), (today - date(today.year, 1, 1)).days + 1))):
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO ledger_assistancerecord ({columns})"
                f" SELECT p.id, NULL, p.residence_area_id, {_day_plus()}, %s, '', %s, 'cash',"
                " 500 + (s.n %% 800) + (s.n %% 100) / 100.0, NULL, '', %s, %s + s.n, NULL, '', %s, NULL"
                f" FROM ({_series(scale)}) s JOIN registry_person p ON p.id = %s + (s.n %% %s)",
                [start, span, policies[0].pk, orgs["bureau"].pk, source_type, base + offset * scale, now, first,
                 people])
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO ledger_assistancerecord ({columns})"
            " SELECT person_id, household_id, area_id, delivered_on, policy_id, programme, department_id, kind,"
            " -amount, NULL, '', source_type_id, source_id, id, '银行退回', created_at, NULL"
            " FROM ledger_assistancerecord WHERE source_type_id = %s AND source_id > %s AND source_id %% 200 = 0",
            [source_type, base])

    # Applications, one task each: 60% this year (to today), 40% last year
    applications = max(20, scale * 10 // 107)
    states = ["received", "accepted", "investigating", "returned", "approved", "approved", "refused", "closed"]
    app_inserter, task_inserter = Inserter(Application), Inserter(Task)
    prefix = f"D{int(time.time()) % 100000:05d}"
    this_span = (today - date(today.year, 1, 1)).days + 1
    rows = []
    for n in range(applications):
        day = (date(today.year, 1, 1) + timedelta(days=(n * 7) % this_span) if n % 5 < 3
               else date(today.year - 1, 1, 1) + timedelta(days=(n * 7) % 365))
        person, area = person_rows[(n * 13) % people]
        rows.append({"receipt_no": f"{prefix}{n:08d}", "applicant_id": person, "area_id": area,
                     "window_id": orgs["window"].pk, "channel": "window",
                     "submitted_at": timezone.make_aware(datetime.combine(day, datetime.min.time())
                                                         + timedelta(hours=9 + n % 8)), "statement": ""})
    app_inserter.insert_dicts(rows)
    made = list(Application.objects.filter(receipt_no__startswith=prefix).order_by("receipt_no")
                .values_list("pk", "area_id", "submitted_at"))
    task_rows = []
    for n, (pk, area, submitted) in enumerate(made):
        received = timezone.localtime(submitted).date()
        state = states[n % len(states)]
        decided = None
        if state in ("approved", "refused", "closed"):
            decided = timezone.make_aware(datetime.combine(received + timedelta(days=20 + n % 30), datetime.min.time())
                                          + timedelta(hours=15))
        task_rows.append({"application_id": pk, "policy_id": policies[n % 2].pk, "department_id":
                          policies[n % 2].department_id, "area_id": area, "state": state, "received_on": received,
                          "due_date": received + timedelta(days=42), "decided_at": decided, "created_at": submitted})
    task_inserter.insert_dicts(task_rows)

    # Stock: a warehouse, three town stores, two supplier reserves; five items
    items = [Item.objects.get_or_create(code=f"bench-d-{code}", defaults={"name": name, "unit": unit})[0]
             for code, name, unit in (("quilt", "棉被（看板基准）", "床"), ("blanket", "毛毯（看板基准）", "床"),
                                      ("rice", "大米（看板基准）", "袋"), ("oil", "食用油（看板基准）", "桶"),
                                      ("water", "饮用水（看板基准）", "箱"))]
    towns = sorted({parent for _, parent in villages})[:3]
    stores = [("warehouse", DISTRICT, orgs["bureau"])] + [("town", town, orgs["window"]) for town in towns] + \
        [("supplier", DISTRICT, orgs["supplier"])] * 2
    made_stores = []
    for n, (kind, area, org) in enumerate(stores):
        store, _ = Store.objects.get_or_create(name=f"看板基准{kind}{n}", defaults={
            "kind": kind, "area_id": area, "organisation": org})
        made_stores.append(store)
    for store in made_stores:
        for k, item in enumerate(items):
            StockBalance.objects.get_or_create(store=store, item=item, expiry=None,
                                               defaults={"quantity": 100 * (k + 1) + store.pk % 7})

    # The active campaign: a roster over the towns, deliveries to a sixth of it
    campaign = Campaign.objects.create(
        name=f"看板基准送温暖{prefix}", organisation=orgs["bureau"], area_id=DISTRICT, starts_on=today,
        ends_on=today + timedelta(days=90), store=made_stores[0], status="active", roster_on=today,
        roster_frozen_at=now, roster_size=0, created_by=leader)
    categories = list(Category.objects.order_by("pk").values_list("pk", flat=True)[:3])
    roster = max(30, scale // 35)
    entries = [{"campaign_id": campaign.pk, "person_id": person_rows[(n * 7) % people][0],
                "category_id": categories[n % len(categories)], "area_id": person_rows[(n * 7) % people][1],
                "town_id": person_rows[(n * 7) % people][1][:9] + "000", "address": "",
                "status": "delivered" if n % 6 == 0 else ("unreachable" if n % 17 == 0 else "pending"),
                "created_at": now} for n in range(min(roster, people))]
    Inserter(RosterEntry).insert_dicts(entries)
    delivered = list(RosterEntry.objects.filter(campaign=campaign, status="delivered").values_list("pk", flat=True))
    Inserter(Delivery).insert_dicts([{"entry_id": pk, "idempotency_key": None, "store_id": made_stores[0].pk,
                                      "delivered_on": today, "signature": "bench/signature.png", "actor_id": leader.pk,
                                      "created_at": now} for pk in delivered])
    Campaign.objects.filter(pk=campaign.pk).update(roster_size=len(entries))
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")
    return (f"{scale} payment person-times a year over two years, {people} people, {applications} applications, "
            f"roster {len(entries)}; populated in {time.perf_counter() - began:.1f}s")


def _local_date(column: str) -> str:
    if connection.vendor == "postgresql":
        return f"CAST({column} AT TIME ZONE 'Asia/Shanghai' AS date)"
    return f"date({column}, '+{TZ_OFFSET_HOURS} hours')"


def _raw(user_id: int, today: date) -> dict:
    """The leader dashboard's aggregates by hand (the district leader: the scope is the district's code range)."""
    from django.utils import timezone

    from onedoor.core.scoping import subtree_bounds
    from onedoor.reports.dashboards import same_day_a_year_before

    low, high = subtree_bounds(DISTRICT)
    year = today.year
    compare_to = same_day_a_year_before(today)

    def midnight(day: date) -> datetime:
        return timezone.make_aware(datetime.combine(day, datetime.min.time()))

    out: dict = {}
    with connection.cursor() as cursor:
        cursor.execute("SELECT role, area_id, organisation_id FROM accounts_roleassignment WHERE user_id = %s "
                       "AND (valid_until IS NULL OR valid_until > CURRENT_TIMESTAMP)", [user_id])
        cursor.fetchall()
        cursor.execute(
            "SELECT r.delivered_on, SUM(r.amount), SUM(CASE WHEN r.reverses_id IS NULL THEN 1 ELSE -1 END)"
            " FROM ledger_assistancerecord r WHERE r.kind = 'cash' AND r.delivered_on >= %s AND r.delivered_on <= %s"
            " AND r.area_id >= %s AND r.area_id <= %s GROUP BY r.delivered_on",
            [date(year - 1, 1, 1), today, low, high])
        days = cursor.fetchall()
        this = [d for d in days if str(d[0])[:4] == str(year)]
        out["subsidy"] = (sum(d[1] for d in this), sum(d[2] for d in this))
        out["subsidy_last_to_date"] = sum(d[2] for d in days if str(d[0]) <= str(compare_to)
                                          and str(d[0])[:4] != str(year))
        cursor.execute(
            "SELECT SUM(CASE WHEN submitted_at >= %s THEN 1 ELSE 0 END), SUM(CASE WHEN submitted_at < %s THEN 1"
            " ELSE 0 END), SUM(CASE WHEN submitted_at < %s THEN 1 ELSE 0 END) FROM intake_application"
            " WHERE submitted_at >= %s AND submitted_at < %s AND area_id >= %s AND area_id <= %s",
            [midnight(date(year, 1, 1)), midnight(date(year, 1, 1)), midnight(compare_to + timedelta(days=1)),
             midnight(date(year - 1, 1, 1)), midnight(today + timedelta(days=1)), low, high])
        out["applications"] = cursor.fetchone()[0] or 0
        cursor.execute(
            "SELECT SUM(CASE WHEN d.delivered_on >= %s THEN 1 ELSE 0 END), COUNT(*) FROM relief_delivery d"
            " JOIN relief_rosterentry e ON e.id = d.entry_id WHERE d.delivered_on >= %s AND d.delivered_on <= %s"
            " AND e.area_id >= %s AND e.area_id <= %s", [date(year, 1, 1), date(year - 1, 1, 1), today, low, high])
        out["deliveries"] = cursor.fetchone()[0] or 0
        cursor.execute(
            "SELECT t.department_id, o.short_name, o.name, t.state, COUNT(*) FROM intake_task t"
            " JOIN accounts_organisation o ON o.id = t.department_id WHERE t.received_on >= %s AND t.received_on <= %s"
            " AND t.area_id >= %s AND t.area_id <= %s GROUP BY t.department_id, o.short_name, o.name, t.state",
            [date(year, 1, 1), today, low, high])
        out["tasks"] = sum(row[4] for row in cursor.fetchall())
        decided_on = _local_date("t.decided_at")
        cursor.execute(
            f"SELECT t.department_id, COUNT(*), SUM(CASE WHEN {decided_on} <= t.due_date THEN 1 ELSE 0 END)"
            f" FROM intake_task t WHERE t.decided_at IS NOT NULL AND {decided_on} >= %s AND {decided_on} <= %s"
            " AND t.area_id >= %s AND t.area_id <= %s GROUP BY t.department_id", [date(year, 1, 1), today, low, high])
        rates = cursor.fetchall()
        listed = ",".join(str(row[0]) for row in rates) or "0"
        cursor.execute(f"SELECT id, name FROM accounts_organisation WHERE id IN ({listed})")
        cursor.fetchall()
        out["decided"] = sum(row[1] for row in rates)
        cursor.execute(
            "SELECT c.id, c.area_id FROM relief_campaign c WHERE c.status = 'active' AND ((c.area_id >= %s AND"
            " c.area_id <= %s) OR c.area_id IN (%s, %s, %s)) ORDER BY c.starts_on DESC, c.id DESC LIMIT 1",
            [low, high, "350000000000", "350200000000", DISTRICT])
        campaign_id, campaign_area = cursor.fetchone()
        scope = "e.area_id >= %s AND e.area_id <= %s"
        cursor.execute(f"SELECT e.town_id, e.status, COUNT(*) FROM relief_rosterentry e WHERE e.campaign_id = %s"
                       f" AND {scope} GROUP BY e.town_id, e.status", [campaign_id, low, high])
        out["roster"] = sum(row[2] for row in cursor.fetchall())
        cursor.execute(f"SELECT e.category_id, e.status, COUNT(*) FROM relief_rosterentry e WHERE e.campaign_id = %s"
                       f" AND {scope} GROUP BY e.category_id, e.status", [campaign_id, low, high])
        cursor.fetchall()
        cursor.execute("SELECT code, name FROM geo_area WHERE code >= %s AND code <= %s AND level IN"
                       " ('subdistrict', 'town', 'farm') ORDER BY code", [low, high])
        cursor.fetchall()
        cursor.execute(
            "SELECT b.item_id, s.kind, SUM(b.quantity) FROM relief_stockbalance b JOIN relief_store s"
            " ON s.id = b.store_id WHERE s.is_active AND s.area_id >= %s AND s.area_id <= %s"
            " GROUP BY b.item_id, s.kind", [low, high])
        out["stock"] = sum(row[2] for row in cursor.fetchall())
    return out


@case("dashboard", description="领导看板数据接口（全区，一次请求）：OneDoor 与原生 SQL 聚合", target_ratio=1.5,
      default_scale=107_000)
def dashboard(scale: int):
    from decimal import Decimal

    from django.test import Client
    from django.utils import timezone

    today = timezone.localdate()
    populated = _populate(scale, today)
    leader = _leader()
    client = Client()
    client.force_login(leader)
    url = "/reports/dashboards/leader/data/"

    def onedoor_way() -> dict:
        response = client.get(url)
        if response.status_code != 200:
            raise RuntimeError(f"dashboard answered {response.status_code}: {response.content[:300]!r}")
        return response.json()["figures"]

    def raw_way() -> dict:
        return _raw(leader.pk, today)

    ours, raw = onedoor_way(), raw_way()  # the two ways must give the same figures
    checks = {
        "subsidy amount": (Decimal(ours["subsidy"]["this_year"]["amount"]), Decimal(raw["subsidy"][0]).quantize(
            Decimal("0.01"))),
        "subsidy times": (ours["subsidy"]["this_year"]["times"], raw["subsidy"][1]),
        "subsidy times last year to date": (ours["subsidy"]["last_year_to_date"]["times"],
                                            raw["subsidy_last_to_date"]),
        "applications": (ours["applications"]["this_year"], raw["applications"]),
        "deliveries": (ours["deliveries"]["this_year"], raw["deliveries"]),
        "tasks": (sum(r["count"] for r in ours["tasks_by_state"]), raw["tasks"]),
        "decided": (ours["on_time"]["decided"], raw["decided"]),
        "roster": (ours["coverage"]["total"]["targets"], raw["roster"]),
        "stock": (sum(r["total"] for r in ours["stock"]), raw["stock"]),
    }
    wrong = {name: pair for name, pair in checks.items() if pair[0] != pair[1]}
    if wrong:
        raise RuntimeError(f"dashboard figures differ from raw SQL: {wrong}")

    # The client's request resets Django's query log at its start: count through an execute wrapper instead.
    queries: list[str] = []

    def count(execute, sql, params, many, context):
        queries.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count):
        onedoor_way()

    rounds = 30 if scale >= 10_000 else 10
    for _ in range(3):  # warm both
        onedoor_way()
        raw_way()
    # Interleaved, so that other load on the machine falls on both ways alike.
    our_samples, raw_samples = [], []
    for _ in range(rounds):
        for way, samples in ((onedoor_way, our_samples), (raw_way, raw_samples)):
            start = time.perf_counter()
            way()
            samples.append(time.perf_counter() - start)
    ours_s, raw_s = statistics.median(our_samples), statistics.median(raw_samples)
    p95 = statistics.quantiles(our_samples, n=20)[-1] * 1000
    raw_p95 = statistics.quantiles(raw_samples, n=20)[-1] * 1000
    notes = (f"p95 {p95:.1f} ms per request (target < 300 ms; raw SQL p95 {raw_p95:.1f} ms), {len(queries)} queries "
             f"per request, {rounds} requests; median per request; {populated}")
    return ours_s, raw_s, notes
