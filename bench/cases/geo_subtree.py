"""Scoped area listing (visible_to + subtree range) against the same query in raw SQL."""

from __future__ import annotations

from django.db import connection

from bench.runner import best_of, case

TOWNS = ["001", "002", "003", "004", "005", "006", "007", "105", "107", "109", "110"]


def _setup(scale: int):
    from onedoor.accounts.actions import assign_role, create_staff
    from onedoor.accounts.models import User
    from onedoor.geo.actions import load_areas
    from onedoor.geo.models import Area

    load_areas()
    existing = set(Area.objects.values_list("code", flat=True))
    synthetic = []
    n = 0
    while len(synthetic) < scale and n < 999 * len(TOWNS):
        town = TOWNS[n % len(TOWNS)]
        code = f"350212{town}{(n // len(TOWNS)) + 300:03d}"
        n += 1
        if code in existing or int(code[-3:]) > 999:
            continue
        synthetic.append(Area(code=code, name=f"测试村{n}", level="village", parent_id=f"350212{town}000",
                              source="bench", name_pinyin=f"ceshicun{n}", name_initials="csc"))
    Area.objects.bulk_create(synthetic, batch_size=1000)
    user = User.objects.filter(username="bench.clerk").first()
    if user is None:
        user = create_staff(actor=None, username="bench.clerk", full_name="基准", organisation=None, password="x")
        assign_role(actor=None, user=user, role="window_clerk", area=Area.objects.get(code="350212110000"))
    return user


@case("area_subtree", description="一个镇的可见区划列表：visible_to 与原生 SQL 区间查询", target_ratio=2.0,
      default_scale=5000)
def area_subtree(scale: int) -> tuple[float, float]:
    from onedoor.accounts.models import User
    from onedoor.geo.models import Area

    _setup(scale)

    def onedoor_way():
        user = User.objects.get(username="bench.clerk")  # a fresh request: grants resolved again
        return list(Area.objects.visible_to(user).current().order_by("code").values_list("code", "name"))

    # The same work by hand: the user, their grants, then one range query on the area codes.
    user_sql = "SELECT id, is_active FROM accounts_user WHERE username = %s"
    grants_sql = (
        "SELECT role, area_id, organisation_id FROM accounts_roleassignment "
        "WHERE user_id = %s AND (valid_until IS NULL OR valid_until > CURRENT_TIMESTAMP)"
    )
    areas_sql = (
        "SELECT code, name FROM geo_area WHERE code >= %s AND code <= %s "
        "AND (valid_from IS NULL OR valid_from <= CURRENT_DATE) "
        "AND (valid_to IS NULL OR valid_to > CURRENT_DATE) ORDER BY code"
    )

    def raw_way():
        with connection.cursor() as cursor:
            cursor.execute(user_sql, ["bench.clerk"])
            user_id = cursor.fetchone()[0]
            cursor.execute(grants_sql, [user_id])
            area_code = cursor.fetchall()[0][1]
            prefix = area_code[:9]
            cursor.execute(areas_sql, [prefix + "000", prefix + "ZZZ"])
            return cursor.fetchall()

    assert len(onedoor_way()) == len(raw_way()), "the two ways must return the same rows"
    return best_of(onedoor_way), best_of(raw_way)
