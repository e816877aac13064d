"""Search on a large registry: the person list's reads (scoped search + count + first page) for a mix of
queries a window clerk types, against the same reads in hand-written SQL. Reports the p95 latency of the
OneDoor way too (the list-page target is p95 < 150 ms)."""

from __future__ import annotations

import statistics
import time
from datetime import date, timedelta

from django.db import connection

from bench.cases.registry_import import GIVEN, SURNAMES
from bench.runner import case

PAGE = 50
# initials, a full name, pinyin, the last six ID digits, a phone prefix, the whole scope
QUERIES = ["wx", "王芳", "liwei", "001001", "1300000", ""]


def _populate(scale: int) -> None:
    """N people spread over the district's villages, written straight to the table (COPY on PostgreSQL):
    this case measures reading, not importing."""
    from onedoor.core.idnumber import make_id_number
    from onedoor.core.text import name_pinyin
    from onedoor.geo.actions import load_areas
    from onedoor.geo.models import Area
    from onedoor.registry.bulk import Inserter
    from onedoor.registry.models import Person

    load_areas()
    if Person.objects.count() >= scale:
        return
    villages = list(Area.objects.current().filter(level__in=["village", "community"]).values_list("code", flat=True))
    inserter = Inserter(Person)
    start = date(1930, 1, 1)
    batch = []
    for i in range(scale):
        name = SURNAMES[i % len(SURNAMES)] + GIVEN[(i // 7) % len(GIVEN)] + GIVEN[(i // 301) % len(GIVEN)]
        number = make_id_number("350212", start + timedelta(days=i // 1000), i % 1000)
        full, initials = name_pinyin(name)
        batch.append({
            "id_number": number, "id_tail": number[-6:], "name": name, "name_simplified": name,
            "name_pinyin": full, "name_initials": initials, "sex": "M" if int(number[16]) % 2 else "F",
            "birth_date": start + timedelta(days=i // 1000), "phone": f"13{i:09d}",
            "residence_area_id": villages[i % len(villages)], "self_care_unable": [],
        })
        if len(batch) == 5000:
            inserter.insert_dicts(batch)
            batch = []
    inserter.insert_dicts(batch)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")  # fresh statistics, as a live database would have


def _dispatcher():
    from onedoor.accounts.actions import assign_role, create_staff
    from onedoor.accounts.models import User
    from onedoor.geo.models import Area

    user = User.objects.filter(username="bench.dispatcher").first()
    if user is None:
        user = create_staff(actor=None, username="bench.dispatcher", full_name="基准", organisation=None,
                            password="x")
        assign_role(actor=None, user=user, role="dispatcher", area=Area.objects.get(code="350212000000"))
    return user


def _prefix(column: str, text: str) -> tuple[str, list[str]]:
    """A prefix as an index serves it: LIKE on PostgreSQL, a code-point range on SQLite (whose LIKE
    never uses an index) — what selectors.search_persons does."""
    if connection.vendor == "sqlite":
        return f"({column} >= %s AND {column} < %s)", [text, text[:-1] + chr(ord(text[-1]) + 1)]
    return f"{column} LIKE %s", [text + "%"]


def _raw_filter(query: str) -> tuple[str, list[str]]:
    """The same filters as selectors.search_persons, written by hand (on SQLite, as an `id IN (…)` subquery
    for the same reason: its planner would otherwise drive the query from the scope's area range)."""
    parts: list[tuple[str, list[str]]]
    if query in ("wx", "liwei"):
        parts = [_prefix("q.name_initials", query), _prefix("q.name_pinyin", query)]
    elif query == "王芳":
        parts = [_prefix("q.name_simplified", query)]
    elif query.isdigit():
        by_id = ("q.id_tail = %s", [query]) if len(query) == 6 else \
            ("(q.id_tail = %s AND q.id_number LIKE %s)", [query[-6:], "%" + query])
        parts = [by_id, _prefix("q.phone", query), _prefix("q.phone2", query)]
    else:
        return "1 = 1", []
    condition = "(" + " OR ".join(sql for sql, _ in parts) + ")"
    params = [param for _, params in parts for param in params]
    if connection.vendor == "sqlite":
        return f"p.id IN (SELECT q.id FROM registry_person q WHERE {condition})", params
    return condition.replace("q.", "p."), params


@case("person_search", description="人员搜索（范围内检索 + 计数 + 第一页）：OneDoor 与原生 SQL", target_ratio=2.0,
      default_scale=20000)
def person_search(scale: int):
    from onedoor.accounts.models import User
    from onedoor.registry.paging import SEARCH_LIMIT, BoundedPaginator
    from onedoor.registry.selectors import search_persons

    _populate(scale)
    _dispatcher()
    today = date.today()

    def onedoor_way(query: str):
        user = User.objects.get(username="bench.dispatcher")  # a new request: grants read again
        pages = BoundedPaginator(search_persons(user, query), PAGE)  # as the person list pages
        return pages.count, list(pages.page(1))

    def raw_way(query: str):
        alive = "(p.death_date IS NULL OR p.death_date > %s) AND p.merged_into_id IS NULL"
        scope = "p.residence_area_id >= %s AND p.residence_area_id <= %s"
        condition, condition_params = _raw_filter(query)
        where = f"{condition} AND {alive} AND {scope}"
        params = [*condition_params, today, "350212000000", "350212ZZZZZZ"]
        # a search sorts its matches (COALESCE keeps PostgreSQL off the name index walk); the whole
        # scope is read in the (area, name) index's order
        order = "COALESCE(p.name_simplified, ''), p.id" if query else "p.residence_area_id, p.name_simplified, p.id"
        with connection.cursor() as cursor:
            cursor.execute("SELECT id FROM accounts_user WHERE username = %s", ["bench.dispatcher"])
            user_id = cursor.fetchone()[0]
            cursor.execute("SELECT role, area_id FROM accounts_roleassignment WHERE user_id = %s "
                           "AND (valid_until IS NULL OR valid_until > CURRENT_TIMESTAMP)", [user_id])
            cursor.fetchall()
            cursor.execute(f"SELECT COUNT(*) FROM (SELECT p.id FROM registry_person p WHERE {where} "
                           f"LIMIT {SEARCH_LIMIT + 1}) found", params)
            count = min(cursor.fetchone()[0], SEARCH_LIMIT)
            cursor.execute(f"SELECT p.*, a.* FROM registry_person p JOIN geo_area a ON a.code = p.residence_area_id "
                           f"WHERE {where} ORDER BY {order} LIMIT {PAGE}", params)
            return count, cursor.fetchall()

    for query in QUERIES:  # the two ways must find the same people
        assert onedoor_way(query)[0] == raw_way(query)[0], query

    def timed(way) -> tuple[float, list[float]]:
        samples = []
        for _ in range(3):  # warm
            for query in QUERIES:
                way(query)
        for _ in range(10):
            for query in QUERIES:
                start = time.perf_counter()
                way(query)
                samples.append(time.perf_counter() - start)
        return statistics.median(samples), samples

    ours, our_samples = timed(onedoor_way)
    raw, _ = timed(raw_way)
    p95 = statistics.quantiles(our_samples, n=20)[-1] * 1000
    return ours, raw, f"p95 {p95:.1f} ms over {len(our_samples)} searches (target < 150 ms); median per search"
