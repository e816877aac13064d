"""Dashboards per role: each renders for its role, each figure equals what was planted in a small district
(counted independently), a town's reader sees the town's figures only and the district the sum of the
towns, and each JSON endpoint costs a bounded number of queries whatever the data."""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.db.models import Sum
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from onedoor.reports import dashboards

THIS_YEAR = 2025
TODAY = date(2025, 6, 30)  # the leader's figures are computed "as of" this day in most tests


def _aware(day: date, hour: int = 10) -> datetime:
    return timezone.make_aware(datetime(day.year, day.month, day.day, hour))


def _png() -> bytes:
    from PIL import Image, ImageDraw

    image = Image.new("RGBA", (120, 60), (255, 255, 255, 0))
    ImageDraw.Draw(image).line([(5, 50), (60, 5), (115, 55)], fill=(0, 0, 0, 255), width=3)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def staff(world, username: str, role: str, area):
    from onedoor.accounts.actions import assign_role, create_staff

    user = create_staff(actor=None, username=username, full_name=username, organisation=world.org("区民政局"),
                        password="x-pass-1234")
    assign_role(actor=None, user=user, role=role, area=area)
    return user


@dataclass
class District:
    campaign: object
    quilt: object
    wuxian_leader: object
    lianhua_leader: object


@pytest.fixture
def district(world, make_person, make_policy, submit) -> District:
    """Planted records (see each block for what the figures must be)."""
    from django.core.files.base import ContentFile

    from onedoor.intake.models import Application, Task
    from onedoor.ledger.actions import record_assistance, reverse_assistance
    from onedoor.registry.actions import assign_category
    from onedoor.registry.models import Category
    from onedoor.relief import actions as relief
    from onedoor.relief.campaigns import TeamSpec, create_campaign, deliver, generate_roster
    from onedoor.relief.models import Item, RosterEntry, Store

    finance = world.user("finance")
    bureau = world.org("区民政局")

    # Ledger: cash (subsidies) in 2025 and 2024, one reversed, one in-kind (not a subsidy), one after TODAY.
    def cash(name, area, on, amount, kind="cash"):
        person = make_person(name, area=area, actor=world.user("clerk.wuxian" if area == world.wuxian_village
                                                               else "clerk.lianhua"))
        record_assistance(person=person, area=person.residence_area_id, on=on, department=bureau, kind=kind,
                          source=person, programme="测试补助", amount=Decimal(amount) if kind == "cash" else None,
                          quantity=None if kind == "cash" else Decimal(1), unit="" if kind == "cash" else "床",
                          actor=finance)
        return person

    cash("五甲", world.wuxian_village, date(2025, 1, 15), "500.00")
    cash("莲乙", world.lianhua_village, date(2025, 6, 30), "300.00")
    reversed_person = cash("五丙", world.wuxian_village, date(2025, 2, 10), "200.00")
    reverse_assistance(source=reversed_person, actor=finance, reason="银行退回", on=date(2025, 3, 5))
    cash("五丁", world.wuxian_village, date(2025, 3, 1), "0", kind="in_kind")
    cash("五戊", world.wuxian_village, date(2024, 1, 20), "400.00")
    cash("莲己", world.lianhua_village, date(2024, 12, 20), "100.00")
    cash("五庚", world.wuxian_village, date(2025, 7, 1), "999.00")

    # Applications (one task each), dated by hand: 2025 — 五显 approved on time, 五显 refused late (人社局),
    # 莲花 still open; 2024 — 五显 in the same period, 莲花 after it.
    dibao = make_policy("最低生活保障（看板）")
    job = make_policy("就业援助（看板）", department="人社局")

    def application(policy, submitted: date, *, town="wuxian", state="received", due=None, decided=None):
        kwargs = {} if town == "wuxian" else {
            "actor": "clerk.lianhua", "window": "莲花镇",
            "applicant": make_person("莲申", area=world.lianhua_village, actor=world.user("clerk.lianhua"))}
        made = submit([policy], **kwargs)
        Application.objects.filter(pk=made.pk).update(submitted_at=_aware(submitted))
        Task.objects.filter(application=made).update(
            state=state, received_on=submitted, due_date=due or submitted + timedelta(days=40),
            decided_at=_aware(decided) if decided else None)
        return made

    application(dibao, date(2025, 3, 10), state="approved", due=date(2025, 4, 20), decided=date(2025, 4, 1))
    application(job, date(2025, 5, 5), state="refused", due=date(2025, 5, 20), decided=date(2025, 6, 1))
    application(dibao, date(2025, 6, 30), town="lianhua")
    application(dibao, date(2024, 2, 1), state="closed")
    application(dibao, date(2024, 9, 1), town="lianhua")

    # Stock: quilts at the warehouse (20), 五显镇 (10, one delivered below), 莲花镇 (5), a supplier (100).
    keeper = world.user("storekeeper")
    quilt = Item.objects.create(code="d-quilt", name="看板棉被", unit="床")
    stores = {}
    for key, name, kind, org, area, quantity in (
            ("warehouse", "区仓库（看板）", "warehouse", "区民政局", world.district, 20),
            ("wuxian", "五显镇物资点（看板）", "town", "五显镇", world.wuxian, 10),
            ("lianhua", "莲花镇物资点（看板）", "town", "莲花镇", world.lianhua, 5),
            ("supplier", "古龙储备（看板）", "supplier", "古龙", world.district, 100)):
        stores[key] = Store.objects.create(name=name, kind=kind, organisation=world.org(org), area=area)
        relief.receive_stock(actor=keeper, store=stores[key], item=quilt, quantity=quantity)

    # Campaign: 特困 in 五显镇 (two) and 莲花镇 (one); one 五显镇 target delivered on 2025-06-10.
    tekun = Category.objects.get(code="tekun")
    targets = [make_person("五特一"), make_person("五特二"),
               make_person("莲特一", area=world.lianhua_village, actor=world.user("clerk.lianhua"))]
    for person in targets:
        assign_category(actor=world.user("clerk.wuxian"), category=tekun, valid_from=date(2024, 1, 1),
                        source="manual", reason="测试认定", person=person)
    campaign = create_campaign(
        actor=keeper, name="2025 送温暖（看板）", organisation=bureau, area=world.district,
        starts_on=date(2025, 1, 1), ends_on=date(2025, 12, 31), categories=Category.objects.filter(pk=tekun.pk),
        items={quilt: 1}, store=stores["warehouse"],
        teams=[TeamSpec(town=world.wuxian, store=stores["wuxian"]), TeamSpec(town=world.lianhua, store=stores["lianhua"])])
    generate_roster(campaign, actor=keeper, on=date(2025, 6, 1))
    entry = RosterEntry.objects.get(campaign=campaign, person=targets[0])
    deliver(entry, actor=keeper, signature=ContentFile(_png(), name="s.png"), on=date(2025, 6, 10))

    return District(campaign, quilt, staff(world, "leader.wuxian", "leader", world.wuxian),
                    staff(world, "leader.lianhua", "leader", world.lianhua))


# --- leader ---------------------------------------------------------------------------------------------

def test_leader_figures_equal_the_planted_records(world, district):
    # given the district's leader
    leader = world.user("leader")
    # when
    f = dashboards.leader_figures(leader, today=TODAY)
    # then: cash net of the reversal (500 + 300 + 200 − 200), 人次 1 + 1 + 1 − 1; in-kind and July left out
    assert f["subsidy"]["this_year"] == {"amount": Decimal("800.00"), "times": 2}
    assert f["subsidy"]["last_year_to_date"] == {"amount": Decimal("400.00"), "times": 1}
    assert f["subsidy"]["last_year"] == {"amount": Decimal("500.00"), "times": 2}
    this = f["monthly"]["this_year"]
    assert this["amount"][:7] == [Decimal("500.00"), Decimal("200.00"), Decimal("-200.00"), 0, 0,
                                  Decimal("300.00"), 0]
    assert this["times"][:7] == [1, 1, -1, 0, 0, 1, 0]
    assert f["monthly"]["last_year"]["amount"][0] == Decimal("400.00")
    assert f["monthly"]["last_year"]["amount"][11] == Decimal("100.00")
    assert f["applications"] == {"this_year": 3, "last_year_to_date": 1, "last_year": 2}
    assert f["deliveries"] == {"this_year": 1, "last_year_to_date": 0, "last_year": 0}
    assert {r["state"]: r["count"] for r in f["tasks_by_state"]} == {"received": 1, "approved": 1, "refused": 1}
    assert {r["department"]: (r["count"], r["open"]) for r in f["tasks_by_department"]} == {
        "区民政局": (2, 1), "人社局": (1, 0)}
    assert (f["on_time"]["decided"], f["on_time"]["on_time"], f["on_time"]["rate"]) == (2, 1, Decimal("50.0"))
    coverage = f["coverage"]
    assert coverage["campaign"]["name"] == "2025 送温暖（看板）"
    towns = {t["name"]: t for t in coverage["towns"]}
    assert (towns["五显镇"]["targets"], towns["五显镇"]["delivered"], towns["五显镇"]["percent"]) == (2, 1, 50.0)
    assert (towns["莲花镇"]["targets"], towns["莲花镇"]["delivered"], towns["莲花镇"]["percent"]) == (1, 0, 0.0)
    assert towns["汀溪镇"]["targets"] == 0 and towns["汀溪镇"]["percent"] is None  # every town has a tile
    assert coverage["total"]["targets"] == 3 and coverage["total"]["delivered"] == 1
    quilts = next(r for r in f["stock"] if r["item"] == "看板棉被")
    assert (quilts["warehouse"], quilts["town"], quilts["supplier"], quilts["total"]) == (20, 14, 100, 134)


def test_leader_figures_equal_independent_counts(world, district):
    """The same figures counted straight from the tables (no scope: the district leader sees them all)."""
    from onedoor.intake.models import Application, Task
    from onedoor.ledger.models import AssistanceRecord
    from onedoor.relief.models import Delivery, StockBalance

    f = dashboards.leader_figures(world.user("leader"), today=TODAY)
    cash = AssistanceRecord.objects.filter(kind="cash", delivered_on__range=(date(2025, 1, 1), TODAY))
    assert f["subsidy"]["this_year"]["amount"] == cash.aggregate(s=Sum("amount"))["s"]
    assert f["subsidy"]["this_year"]["times"] == (cash.filter(reverses__isnull=True).count()
                                                 - cash.filter(reverses__isnull=False).count())
    assert f["applications"]["this_year"] == Application.objects.filter(
        submitted_at__gte=_aware(date(2025, 1, 1), 0), submitted_at__lt=_aware(date(2025, 7, 1), 0)).count()
    assert f["deliveries"]["this_year"] == Delivery.objects.filter(delivered_on__year=2025).count()
    assert sum(r["count"] for r in f["tasks_by_state"]) == Task.objects.filter(received_on__year=2025).count()
    assert sum(r["total"] for r in f["stock"] if r["item"] == "看板棉被") == StockBalance.objects.filter(
        item=district.quilt).aggregate(s=Sum("quantity"))["s"]


def test_a_town_leader_sees_the_town_only_and_the_district_the_sum(world, district):
    district_f = dashboards.leader_figures(world.user("leader"), today=TODAY)
    wuxian = dashboards.leader_figures(district.wuxian_leader, today=TODAY)
    lianhua = dashboards.leader_figures(district.lianhua_leader, today=TODAY)
    assert wuxian["subsidy"]["this_year"] == {"amount": Decimal("500.00"), "times": 1}
    assert lianhua["subsidy"]["this_year"] == {"amount": Decimal("300.00"), "times": 1}
    assert lianhua["subsidy"]["last_year"] == {"amount": Decimal("100.00"), "times": 1}
    for period in ("this_year", "last_year_to_date", "last_year"):
        for key in ("amount", "times"):
            assert wuxian["subsidy"][period][key] + lianhua["subsidy"][period][key] == \
                district_f["subsidy"][period][key]
        assert wuxian["applications"][period] + lianhua["applications"][period] == \
            district_f["applications"][period]
    assert wuxian["applications"]["this_year"] == 2 and lianhua["applications"]["this_year"] == 1
    assert [t["name"] for t in lianhua["coverage"]["towns"]] == ["莲花镇"]  # no tile of another town
    assert lianhua["coverage"]["total"]["targets"] == 1
    assert lianhua["deliveries"]["this_year"] == 0 and wuxian["deliveries"]["this_year"] == 1
    quilts = {r["item"]: r for r in lianhua["stock"]}["看板棉被"]
    assert (quilts["warehouse"], quilts["town"], quilts["supplier"]) == (0, 5, 0)


def test_leader_dashboard_renders_and_its_json_holds_the_year(login, district):
    client = login("leader")
    page = client.get(reverse("reports:dashboard_page", kwargs={"name": "leader"}))
    assert page.status_code == 200
    body = page.content.decode()
    assert "领导看板" in body and 'data-dashboard-source="/reports/dashboards/leader/data/"' in body
    assert "vendor/echarts/echarts.min.js" in body
    response = client.get(reverse("reports:dashboard_data", kwargs={"name": "leader"}), {"year": THIS_YEAR})
    assert response.status_code == 200
    data = response.json()
    assert data["dashboard"] == "leader"
    # a past year runs to 31 December: the July payment counts; the comparison is the whole of 2024
    assert data["figures"]["subsidy"]["this_year"] == {"amount": "1799.00", "times": 3}
    assert data["figures"]["subsidy"]["last_year_to_date"] == data["figures"]["subsidy"]["last_year"]
    cards = {c["key"]: c for c in data["cards"]}
    assert cards["subsidy_amount"]["value"] == "1799.00" and cards["subsidy_amount"]["compare"] == "500.00"
    assert cards["applications"]["value"] == 3
    assert {c["key"] for c in data["charts"]} >= {"monthly_amount", "tasks_by_state", "tasks_by_department",
                                                  "stock", "coverage_by_town"}
    assert {t["name"] for t in data["tiles"]["items"]} >= {"五显镇", "莲花镇"}


def test_a_bad_year_is_refused_with_a_message(login):
    response = login("leader").get(reverse("reports:dashboard_data", kwargs={"name": "leader"}), {"year": "20x5"})
    assert response.status_code == 400
    assert "年份" in response.json()["message"]


def test_leader_json_queries_are_bounded_whatever_the_data(world, login, district, make_person, submit,
                                                            make_policy, django_assert_max_num_queries):
    from onedoor.ledger.actions import record_assistance

    client = login("leader")
    url = reverse("reports:dashboard_data", kwargs={"name": "leader"})
    with django_assert_max_num_queries(20):
        assert client.get(url).status_code == 200
    with CaptureQueriesContext(connection) as before:
        client.get(url)
    today = timezone.localdate()
    policy = make_policy("更多（看板）")
    for n in range(5):  # more records of every kind
        person = make_person(f"更多{n}")
        record_assistance(person=person, area=person.residence_area_id, on=today, department=world.org("区民政局"),
                          kind="cash", source=person, programme="测试", amount=Decimal("10.00"))
        submit([policy], applicant=person)
    with CaptureQueriesContext(connection) as after:
        data = client.get(url).json()
    assert len(after) == len(before)
    assert data["figures"]["applications"]["this_year"] >= 5


# --- dispatcher ---------------------------------------------------------------------------------------

def test_dispatcher_queues_and_overdue_by_department(world, login, make_policy, submit,
                                                     django_assert_max_num_queries):
    from onedoor.intake.models import Task
    from onedoor.intake.selectors import queue_counts

    today = timezone.localdate()
    dibao = make_policy("低保（调度看板）")
    job = make_policy("就业（调度看板）", department="人社局")
    overdue = submit([dibao]).tasks.get()
    Task.objects.filter(pk=overdue.pk).update(received_on=today - timedelta(days=60), due_date=today - timedelta(days=1))
    waiting = submit([dibao]).tasks.get()  # returned for documents: its clock stopped, not overdue
    Task.objects.filter(pk=waiting.pk).update(state="returned", received_on=today - timedelta(days=60),
                                              due_date=today - timedelta(days=5))
    submit([job])
    submit([job], actor="clerk.lianhua", window="莲花镇")
    dispatcher = world.user("dispatcher")

    f = dashboards.dispatcher_figures(dispatcher)

    rows = {r["department"]: r for r in f["by_department"]}
    assert (rows["区民政局"]["open"], rows["区民政局"]["overdue"], rows["区民政局"]["returned"]) == (2, 1, 1)
    assert (rows["人社局"]["open"], rows["人社局"]["overdue"], rows["人社局"]["unassigned"]) == (2, 0, 2)
    assert f["counts"] == queue_counts(dispatcher)
    assert f["counts"]["overdue"] == Task.objects.overdue(today).count() == 1
    assert [t["id"] for t in f["oldest_overdue"]] == [overdue.pk]
    client = login("dispatcher")
    assert client.get(reverse("reports:dashboard_page", kwargs={"name": "dispatcher"})).status_code == 200
    with django_assert_max_num_queries(12):
        data = client.get(reverse("reports:dashboard_data", kwargs={"name": "dispatcher"})).json()
    assert {c["key"]: c["value"] for c in data["cards"]}["overdue"] == 1


def test_a_handler_sees_the_queue_of_the_department_only(world, login, make_policy, submit):
    submit([make_policy("低保（经办）")])
    submit([make_policy("就业（经办）", department="人社局")])
    data = login("handler.rs").get(reverse("reports:dashboard_data", kwargs={"name": "dispatcher"})).json()
    assert [r["department"] for r in data["figures"]["by_department"]] == ["人社局"]


# --- window ---------------------------------------------------------------------------------------------

def test_window_dashboard_shows_todays_applications_of_the_own_window(world, login, make_policy, submit,
                                                                      django_assert_max_num_queries):
    from onedoor.intake.models import Application

    policy = make_policy("低保（窗口看板）")
    mine = [submit([policy]), submit([policy])]
    other = submit([policy], actor="clerk.lianhua", window="莲花镇")
    old = submit([policy])
    Application.objects.filter(pk=old.pk).update(submitted_at=timezone.now() - timedelta(days=3))
    client = login("clerk.wuxian")
    page = client.get(reverse("reports:dashboard_page", kwargs={"name": "window"}))
    assert page.status_code == 200 and "窗口看板" in page.content.decode()
    with django_assert_max_num_queries(12):
        response = client.get(reverse("reports:dashboard_data", kwargs={"name": "window"}))
    f = response.json()["figures"]
    assert f["count"] == 2
    assert {a["receipt_no"] for a in f["applications"]} == {a.receipt_no for a in mine}
    assert other.receipt_no not in response.content.decode()
    assert f["tasks_by_state"] == [{"state": "received", "label": "已接收", "count": 2}]
    assert sum(d["count"] for d in f["daily"]) == 3  # the 14 days include the one three days ago
    assert f["daily"][-1]["count"] == 2


# --- storekeeper ----------------------------------------------------------------------------------------

def test_storekeeper_dashboard_stock_and_alerts(world, login, django_assert_max_num_queries):
    from onedoor.relief import actions as relief
    from onedoor.relief import selectors
    from onedoor.relief.models import Item, Store

    keeper = world.user("storekeeper")
    rice = Item.objects.create(code="d-rice", name="看板大米", unit="袋", perishable=True)
    warehouse = Store.objects.create(name="区仓库（物资看板）", kind="warehouse", organisation=world.org("区民政局"),
                                     area=world.district)
    wuxian = Store.objects.create(name="五显镇物资点（物资看板）", kind="town", organisation=world.org("五显镇"),
                                  area=world.wuxian)
    relief.receive_stock(actor=keeper, store=warehouse, item=rice, quantity=30,
                         expiry=timezone.localdate() + timedelta(days=10))
    relief.receive_stock(actor=keeper, store=wuxian, item=rice, quantity=4, expiry=timezone.localdate() + timedelta(
        days=200))
    relief.set_minimum_level(actor=keeper, store=wuxian, item=rice, minimum=10)
    client = login("storekeeper")
    assert client.get(reverse("reports:dashboard_page", kwargs={"name": "storekeeper"})).status_code == 200
    with django_assert_max_num_queries(14):
        f = client.get(reverse("reports:dashboard_data", kwargs={"name": "storekeeper"})).json()["figures"]
    rice_row = {r["item"]: r for r in f["stock"]}["看板大米"]
    assert (rice_row["warehouse"], rice_row["town"], rice_row["total"]) == (30, 4, 34)
    assert [(r["store"], r["on_hand"], r["minimum"]) for r in f["low_stock"]] == [("五显镇物资点（物资看板）", 4, 10)]
    assert [r["store"] for r in f["expiring"]] == [b.store.name for b in selectors.expiring(keeper)]
    # a 莲花镇 storekeeper sees neither store
    lianhua_keeper = staff(world, "keeper.lianhua.d", "storekeeper", world.lianhua)
    mine = dashboards.storekeeper_figures(lianhua_keeper)
    assert mine["stock"] == [] and mine["low_stock"] == [] and mine["expiring"] == []


# --- finance --------------------------------------------------------------------------------------------

def test_finance_dashboard_lists_runs_and_their_state(world, login, django_assert_max_num_queries):
    from onedoor.benefits.payroll import create_run

    create_run(actor=world.user("finance"), month=date(2026, 1, 1))
    create_run(actor=world.user("finance"), month=date(2026, 2, 1))
    client = login("finance")
    assert client.get(reverse("reports:dashboard_page", kwargs={"name": "finance"})).status_code == 200
    with django_assert_max_num_queries(12):
        data = client.get(reverse("reports:dashboard_data", kwargs={"name": "finance"})).json()
    f = data["figures"]
    assert [r["month"] for r in f["runs"]] == ["2026-02-01", "2026-01-01"]
    assert f["runs_by_state"] == [{"state": "draft", "label": "草稿", "count": 2}]
    assert {c["key"]: c["value"] for c in data["cards"]}["in_preparation"] == 2
    assert f["failed_not_reissued"] == {"count": 0, "amount": "0.00"}


# --- entry, roles, home ---------------------------------------------------------------------------------

@pytest.mark.parametrize(("username", "name"), [
    ("leader", "leader"), ("dispatcher", "dispatcher"), ("handler.mz", "dispatcher"), ("clerk.wuxian", "window"),
    ("storekeeper", "storekeeper"), ("finance", "finance"), ("admin", "leader"),
])
def test_the_entry_sends_each_role_to_its_dashboard(login, username, name):
    response = login(username).get(reverse("reports:dashboard"))
    assert response.status_code == 302
    assert response["Location"] == reverse("reports:dashboard_page", kwargs={"name": name})


@pytest.mark.parametrize("username", ["leader", "dispatcher", "clerk.wuxian", "storekeeper", "finance"])
def test_every_dashboard_renders_for_its_role_and_is_refused_to_the_others(login, username):
    client = login(username)
    allowed = {d.name for d in dashboards.dashboards_for(client.get("/").wsgi_request.user)}
    for name in dashboards.DASHBOARDS:
        for route in ("reports:dashboard_page", "reports:dashboard_data"):
            status = client.get(reverse(route, kwargs={"name": name})).status_code
            assert status == (200 if name in allowed else 403), (username, name, route, status)


def test_without_a_dashboard_role_the_entry_refuses(login):
    assert login("patrol").get(reverse("reports:dashboard")).status_code == 403
    assert login("leader").get("/reports/dashboards/nope/").status_code == 404


def test_the_home_page_links_each_role_to_its_dashboards(login):
    body = login("leader").get("/").content.decode()
    assert 'data-panel="dashboards"' in body and reverse("reports:dashboard_page", kwargs={"name": "leader"}) in body
    assert 'data-panel="dashboards"' not in login("patrol").get("/").content.decode()
