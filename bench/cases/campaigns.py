"""Warmth campaigns at scale.

campaign_roster: a registry of N people (about 2% in the target categories: 特困供养 1.2%, 孤儿 0.3%,
单人低保户 0.5% as one-person households; besides them 3% 低保 households and 2% 重度残疾 that a
campaign over the three categories must leave out, and a few deceased targets). `generate_roster`
(one INSERT … SELECT per category, skipping people already listed, then the campaign's size and event)
against one hand-written INSERT … SELECT writing the same rows (a window function picks each person's
first category) into the roster table itself. Best of three rounds each, a fresh campaign per round.
Target: under 1 s at 1,000,000 people on PostgreSQL.

campaign_coverage: a campaign with N roster entries (statuses as on a busy day: 55% delivered, 30%
pending, the rest refused, unreachable, deceased, moved) spread over the district's villages.
`selectors.coverage(campaign, leader)` (scoped: a district leader; per town, per category, the
statement) against the same three GROUP BY reads in plain SQL. Median per call; the notes give the
p95 (target < 200 ms at 100,000 entries).

People, households and category assignments are written set-based (COPY on PostgreSQL through the
registry's bulk inserter, then INSERT … SELECT), not through the registry's actions. The last case
removes everything these cases made, so the cases after it find the database as it was.
"""

from __future__ import annotations

import statistics
import time
from datetime import date, timedelta

from django.db import connection, transaction

from bench.runner import case

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红"
DISTRICT = "350212000000"
ROSTER_DAY = date(2026, 11, 20)
SINCE = date(2024, 1, 1)
CATEGORIES = ("tekun", "orphan", "dibao_single")

# The people these cases made, as id ranges (after, last]: kept between the two cases of a run.
_made: list[tuple[int, int]] = []


# --- data --------------------------------------------------------------------------------------------

def _staff(username: str, role: str):
    from onedoor.accounts.actions import assign_role, create_staff
    from onedoor.accounts.models import User
    from onedoor.geo.models import Area

    user = User.objects.filter(username=username).first()
    if user is None:
        user = create_staff(actor=None, username=username, full_name="基准", organisation=None, password="x")
        assign_role(actor=None, user=user, role=role, area=Area.objects.get(code=DISTRICT))
    return user


def _bureau_and_store():
    from onedoor.accounts.models import Organisation
    from onedoor.relief.models import Item, Store

    bureau, _ = Organisation.objects.get_or_create(name="基准民政局（活动）", defaults={
        "short_name": "基准活动", "kind": "bureau", "area_id": DISTRICT})
    store, _ = Store.objects.get_or_create(name="基准救灾仓库", defaults={
        "kind": "warehouse", "organisation": bureau, "area_id": DISTRICT})
    quilt, _ = Item.objects.get_or_create(code="bench-quilt", defaults={"name": "基准棉被", "unit": "床"})
    return bureau, store, quilt


def _persons(scale: int) -> tuple[int, int]:
    """`scale` people of these cases with consecutive ids (after, after + scale]; made once per run."""
    from onedoor.core.idnumber import make_id_number
    from onedoor.geo.actions import load_areas
    from onedoor.geo.models import Area
    from onedoor.registry.bulk import Inserter
    from onedoor.registry.models import Person

    for after, last in _made:
        if last - after >= scale:
            return after, after + scale
    load_areas()
    villages = list(Area.objects.current().filter(level__in=["village", "community"]).values_list("code", flat=True))
    before = Person.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    inserter = Inserter(Person)
    start, batch, offset = date(1935, 1, 1), [], sum(last - after for after, last in _made)  # numbers not yet used
    for i in range(scale):
        name = SURNAMES[i % len(SURNAMES)] + GIVEN[(i // 7) % len(GIVEN)] + GIVEN[(i // 211) % len(GIVEN)]
        born = start + timedelta(days=(i + offset) // 900)
        number = make_id_number("350213", born, (i + offset) % 900)  # 350213: apart from the other cases' numbers
        village = villages[i % len(villages)]
        batch.append({"id_number": number, "id_tail": number[-6:], "name": name, "name_simplified": name,
                      "sex": "M" if int(number[16]) % 2 else "F", "birth_date": born,
                      "residence_area_id": village, "address": f"{i % 97 + 1}号", "self_care_unable": []})
        if len(batch) == 5000:
            inserter.insert_dicts(batch)
            batch = []
    inserter.insert_dicts(batch)
    # Ids come from the table's sequence, which may have moved past the largest id left by earlier cases.
    ids = Person.objects.filter(pk__gt=before).order_by("pk").values_list("pk", flat=True)
    first, last = ids.first(), ids.last()
    if last - first + 1 != scale:
        raise RuntimeError(f"expected {scale} consecutive ids, got {first}..{last}")
    _made.append((first - 1, last))
    return first - 1, last


def _categories() -> dict[str, int]:
    from onedoor.registry.models import Category

    return dict(Category.objects.values_list("code", "pk"))


def _assign_categories(after: int, last: int) -> None:
    """Per 1000 people (by id): 0–11 特困, 12–14 孤儿, 15–19 单人低保户 (one-person household), 20–49 低保
    household, 5–24 also 重度残疾; every 10,000th 特困 died before the roster day."""
    ids = _categories()
    now = "2026-01-01 00:00:00+00:00"
    local = "(p.id - %(after)s - 1) %% 1000"
    params = {"after": after, "last": last, "since": SINCE, "now": now}
    mine = "p.id > %(after)s AND p.id <= %(last)s"
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO registry_household (head_id, residence_area_id, address, hukou_type, formed_on, dissolved_on)"
            f" SELECT p.id, p.residence_area_id, p.address, 'rural', %(since)s, NULL FROM registry_person p"
            f" WHERE {mine} AND {local} BETWEEN 15 AND 49", params)
        cursor.execute(
            "INSERT INTO registry_householdmember (household_id, person_id, relation, joined_on, left_on, left_reason)"
            " SELECT h.id, h.head_id, 'head', %(since)s, NULL, '' FROM registry_household h"
            " WHERE h.head_id > %(after)s AND h.head_id <= %(last)s", params)
        columns = ("INSERT INTO registry_categoryassignment (category_id, person_id, household_id, area_id, valid_from,"
                   " valid_to, source, reason, end_reason, created_by_id)")
        for code, low, high in (("tekun", 0, 11), ("orphan", 12, 14), ("severe_disability", 5, 24)):
            cursor.execute(f"{columns} SELECT %(category)s, p.id, NULL, p.residence_area_id, %(since)s, NULL,"
                           f" 'manual', '基准', '', NULL FROM registry_person p"
                           f" WHERE {mine} AND {local} BETWEEN {low} AND {high}", {**params, "category": ids[code]})
        for code, low, high in (("dibao_single", 15, 19), ("dibao", 20, 49)):
            cursor.execute(f"{columns} SELECT %(category)s, NULL, h.id, h.residence_area_id, %(since)s, NULL,"
                           f" 'manual', '基准', '', NULL FROM registry_household h JOIN registry_person p"
                           f" ON p.id = h.head_id WHERE {mine} AND {local} BETWEEN {low} AND {high}",
                           {**params, "category": ids[code]})
        cursor.execute(f"UPDATE registry_person SET death_date = %(died)s WHERE id IN (SELECT p.id FROM"
                       f" registry_person p WHERE {mine} AND (p.id - %(after)s - 1) %% 10000 = 7)",
                       {**params, "died": ROSTER_DAY - timedelta(days=30)})
    _analyze()


def _analyze() -> None:
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")  # fresh statistics, as a live database would have


def _campaign(name: str, actor, *, categories=CATEGORIES):
    from onedoor.registry.models import Category
    from onedoor.relief.campaigns import create_campaign

    bureau, store, quilt = _bureau_and_store()
    return create_campaign(actor=actor, name=name, organisation=bureau, area=_district(), starts_on=ROSTER_DAY,
                           ends_on=ROSTER_DAY + timedelta(days=90),
                           categories=Category.objects.filter(code__in=categories), items={quilt: 1}, store=store)


def _district():
    from onedoor.geo.models import Area

    return Area.objects.get(code=DISTRICT)


def _remove_everything() -> None:
    """What these cases made: campaigns and their rows, then the people and their registry rows."""
    with transaction.atomic(), connection.cursor() as cursor:
        campaigns = "SELECT id FROM relief_campaign WHERE name LIKE 'bench %%'"
        for table in ("relief_campaignevent", "relief_rosterentry", "relief_campaignitem", "relief_campaignteam",
                      "relief_campaign_categories", "relief_historicalcampaign"):
            cursor.execute(f"DELETE FROM {table} WHERE campaign_id IN ({campaigns})" if table != "relief_historicalcampaign"
                           else f"DELETE FROM {table} WHERE name LIKE 'bench %%'")
        cursor.execute("DELETE FROM relief_campaign WHERE name LIKE 'bench %%'")
        for after, last in _made:
            params = {"after": after, "last": last}
            cursor.execute("DELETE FROM registry_categoryassignment WHERE (person_id > %(after)s AND person_id <="
                           " %(last)s) OR household_id IN (SELECT id FROM registry_household WHERE head_id >"
                           " %(after)s AND head_id <= %(last)s)", params)
            cursor.execute("DELETE FROM registry_householdmember WHERE person_id > %(after)s AND person_id <= %(last)s",
                           params)
            cursor.execute("DELETE FROM registry_household WHERE head_id > %(after)s AND head_id <= %(last)s", params)
            cursor.execute("DELETE FROM registry_person WHERE id > %(after)s AND id <= %(last)s", params)
    _made.clear()


# --- campaign_roster -----------------------------------------------------------------------------------

def _raw_roster_sql() -> str:
    """The roster as one statement written by hand: the person categories' and the household
    categories' candidates, alive on the day, inside the district, each person once with their first
    category (ROW_NUMBER over the categories' order), town from the village code."""
    current_household = """(SELECT m.household_id FROM registry_householdmember m
                             WHERE m.person_id = p.id AND m.joined_on <= %(day)s
                               AND (m.left_on IS NULL OR m.left_on > %(day)s)
                             ORDER BY m.joined_on DESC, m.id DESC LIMIT 1)"""
    assignment_on_day = "a.valid_from <= %(day)s AND (a.valid_to IS NULL OR a.valid_to > %(day)s)"
    order = connection.ops.quote_name("order")
    return f"""
        INSERT INTO relief_rosterentry (campaign_id, person_id, household_id, category_id, area_id, town_id, address,
                                        status, status_note, added_reason, created_at)
        SELECT %(campaign)s, c.person_id, c.household_id, c.category_id, c.area_id, COALESCE(tw.code, c.area_id),
               COALESCE(c.address, ''), 'pending', '', '', %(now)s
          FROM (SELECT x.*, ROW_NUMBER() OVER (PARTITION BY x.person_id ORDER BY x.rank, x.category_id) AS n
                  FROM (SELECT p.id AS person_id, {current_household} AS household_id,
                               COALESCE(p.residence_area_id, a.area_id) AS area_id, p.address AS address,
                               a.category_id AS category_id, k.{order} AS rank
                          FROM registry_categoryassignment a
                          JOIN registry_category k ON k.id = a.category_id
                          JOIN registry_person p ON p.id = a.person_id
                         WHERE a.category_id IN (%(tekun)s, %(orphan)s) AND {assignment_on_day}
                           AND (p.death_date IS NULL OR p.death_date > %(day)s) AND p.merged_into_id IS NULL
                        UNION ALL
                        SELECT h.head_id, h.id, COALESCE(h.residence_area_id, hp.residence_area_id, a.area_id),
                               COALESCE(NULLIF(h.address, ''), hp.address), a.category_id, k.{order}
                          FROM registry_categoryassignment a
                          JOIN registry_category k ON k.id = a.category_id
                          JOIN registry_household h ON h.id = a.household_id
                          JOIN registry_person hp ON hp.id = h.head_id
                         WHERE a.category_id = %(single)s AND {assignment_on_day}
                           AND (h.dissolved_on IS NULL OR h.dissolved_on > %(day)s)
                           AND (hp.death_date IS NULL OR hp.death_date > %(day)s) AND hp.merged_into_id IS NULL
                       ) x
                 WHERE x.area_id >= %(low)s AND x.area_id <= %(high)s) c
          LEFT JOIN geo_area tw ON tw.code = SUBSTR(c.area_id, 1, 9) || '000'
         WHERE c.n = 1"""


def _timed(func) -> float:
    start = time.perf_counter()
    func()
    return time.perf_counter() - start


def _clear_entries(campaign_id: int) -> None:
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM relief_rosterentry WHERE campaign_id = %s", [campaign_id])
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE relief_rosterentry")


def _by_category(campaign_id: int) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT category_id, COUNT(*), COUNT(DISTINCT town_id) FROM relief_rosterentry"
                       " WHERE campaign_id = %s GROUP BY category_id ORDER BY category_id", [campaign_id])
        return cursor.fetchall()


@case("campaign_roster", description="送温暖名单生成：generate_roster 与一条手写 INSERT … SELECT（同表同行）",
      target_ratio=1.5, default_scale=1_000_000)
def campaign_roster(scale: int):
    from django.utils import timezone

    from onedoor.core.scoping import subtree_bounds
    from onedoor.relief.campaigns import generate_roster

    after, last = _persons(scale)
    _assign_categories(after, last)
    keeper = _staff("bench.storekeeper", "storekeeper")
    ids = _categories()
    low, high = subtree_bounds(DISTRICT)
    raw_sql = _raw_roster_sql()
    with connection.cursor() as cursor:  # warm: read what both ways read
        cursor.execute("SELECT COUNT(*), MAX(p.address) FROM registry_categoryassignment a JOIN registry_person p"
                       " ON p.id = a.person_id")

    ours, baseline, sizes, raw_rows, shapes = [], [], [], [], set()
    for round_ in range(3):
        scratch = _campaign(f"bench raw {round_}", keeper)
        params = {"campaign": scratch.pk, "day": ROSTER_DAY, "low": low, "high": high, "now": timezone.now(),
                  "tekun": ids["tekun"], "orphan": ids["orphan"], "single": ids["dibao_single"]}

        def raw(params=params):
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute(raw_sql, params)

        baseline.append(_timed(raw))
        raw_rows.append(scratch.entries.count())
        shapes.add(tuple(_by_category(scratch.pk)))
        _clear_entries(scratch.pk)

        campaign = _campaign(f"bench roster {round_}", keeper)
        ours.append(_timed(lambda campaign=campaign: sizes.append(
            generate_roster(campaign, actor=keeper, on=ROSTER_DAY))))
        shapes.add(tuple(_by_category(campaign.pk)))
        _clear_entries(campaign.pk)
    if len(set(sizes) | set(raw_rows)) != 1 or len(shapes) != 1:
        raise RuntimeError(f"generate_roster listed {sizes}, the raw statement {raw_rows}; by category {shapes}")
    seconds, base = min(ours), min(baseline)
    return seconds, base, (f"{sizes[0]} entries from {scale} people; generate_roster {seconds:.3f}s, raw "
                           f"{base:.3f}s (best of 3; target < 1 s at 1,000,000 on PostgreSQL)")


# --- campaign_coverage ---------------------------------------------------------------------------------

STATUS_MIX = ((55, "delivered"), (85, "pending"), (88, "refused"), (93, "unreachable"), (95, "deceased"),
              (100, "moved"))


def _populate_roster(campaign, after: int, last: int) -> None:
    """One entry per person of (after, last], written straight to the table with a status mix."""
    from django.utils import timezone

    ids = _categories()
    status = "CASE " + " ".join(f"WHEN (p.id %% 100) < {bound} THEN '{code}'" for bound, code in STATUS_MIX) + " END"
    category = (f"CASE WHEN (p.id %% 10) < 6 THEN {ids['tekun']} WHEN (p.id %% 10) < 8 THEN {ids['orphan']}"
                f" ELSE {ids['dibao_single']} END")
    now = timezone.now()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO relief_rosterentry (campaign_id, person_id, household_id, category_id, area_id, town_id,"
            " address, status, status_at, status_by_id, status_note, added_reason, created_at)"
            f" SELECT %(campaign)s, p.id, NULL, {category}, p.residence_area_id,"
            " COALESCE(tw.code, p.residence_area_id), p.address, " + status + ", %(now)s, NULL, '', '', %(now)s"
            " FROM registry_person p LEFT JOIN geo_area tw ON tw.code = SUBSTR(p.residence_area_id, 1, 9) || '000'"
            " WHERE p.id > %(after)s AND p.id <= %(last)s",
            {"campaign": campaign.pk, "now": now, "after": after, "last": last})
        cursor.execute("UPDATE relief_campaign SET status = 'active', roster_on = %s, roster_frozen_at = %s,"
                       " roster_size = %s WHERE id = %s", [ROSTER_DAY, now, last - after, campaign.pk])
    _analyze()


@case("campaign_coverage", description="送温暖覆盖统计（按镇、按类别、完成表述）：coverage() 与原生 GROUP BY",
      target_ratio=2.0, default_scale=100_000)
def campaign_coverage(scale: int):
    from onedoor.accounts.models import User
    from onedoor.core.scoping import subtree_bounds
    from onedoor.relief.models import Campaign
    from onedoor.relief.selectors import coverage

    after, last = _persons(scale)
    keeper = _staff("bench.storekeeper", "storekeeper")
    _staff("bench.leader", "leader")
    campaign = _campaign("bench coverage", keeper)
    _populate_roster(campaign, after, last)
    campaign = Campaign.objects.get(pk=campaign.pk)
    low, high = subtree_bounds(DISTRICT)

    def onedoor_way():
        user = User.objects.get(username="bench.leader")  # a new request: grants read again
        figures = coverage(campaign, user)
        return figures.total.targets, figures.total.delivered, figures.total.remaining, figures.statement

    def raw_way():
        with connection.cursor() as cursor:
            cursor.execute("SELECT id FROM accounts_user WHERE username = %s", ["bench.leader"])
            user_id = cursor.fetchone()[0]
            cursor.execute("SELECT role, area_id FROM accounts_roleassignment WHERE user_id = %s "
                           "AND (valid_until IS NULL OR valid_until > CURRENT_TIMESTAMP)", [user_id])
            cursor.fetchall()
            where = "campaign_id = %s AND area_id >= %s AND area_id <= %s"
            cursor.execute(f"SELECT town_id, status, COUNT(*) FROM relief_rosterentry WHERE {where}"
                           " GROUP BY town_id, status", [campaign.pk, low, high])
            towns = cursor.fetchall()
            codes = sorted({row[0] for row in towns})
            cursor.execute(f"SELECT code, name FROM geo_area WHERE code IN ({', '.join(['%s'] * len(codes))})", codes)
            cursor.fetchall()
            cursor.execute(f"SELECT category_id, status, COUNT(*) FROM relief_rosterentry WHERE {where}"
                           " GROUP BY category_id, status", [campaign.pk, low, high])
            categories = cursor.fetchall()
            category_ids = sorted({row[0] for row in categories})
            cursor.execute(f"SELECT id, name FROM registry_category WHERE id IN"
                           f" ({', '.join(['%s'] * len(category_ids))})", category_ids)
            cursor.fetchall()
            total = sum(row[2] for row in towns)
            delivered = sum(row[2] for row in towns if row[1] == "delivered")
            remaining = sum(row[2] for row in towns if row[1] in ("pending", "unreachable"))
            return total, delivered, remaining

    if onedoor_way()[:3] != raw_way() or raw_way()[0] != scale:
        raise RuntimeError(f"coverage {onedoor_way()[:3]} differs from the raw reads {raw_way()} ({scale} entries)")

    def timed(way) -> tuple[float, list[float]]:
        for _ in range(3):
            way()
        samples = []
        for _ in range(30):
            start = time.perf_counter()
            way()
            samples.append(time.perf_counter() - start)
        return statistics.median(samples), samples

    ours, samples = timed(onedoor_way)
    raw, _ = timed(raw_way)
    p95 = statistics.quantiles(samples, n=20)[-1] * 1000
    _remove_everything()
    return ours, raw, (f"p95 {p95:.1f} ms over {len(samples)} calls at {scale} entries (target < 200 ms); "
                       f"median per call")
