"""The campaign pages at the desk: the list and create form, a campaign's page with its coverage
dashboard, the items and team forms, roster generation as a job, the roster with its filters, late
additions and outcomes — for the district storekeeper (who manages) and the 莲花镇 window clerk (who
sees the district campaign, but only 莲花镇's part of it)."""

from __future__ import annotations

import json
from datetime import date

import pytest
from django.test import TestCase
from django.urls import reverse

from onedoor.core.models import Job
from onedoor.relief.campaigns import generate_roster, set_entry_status
from onedoor.relief.models import Campaign, CampaignTeam, RosterEntry


@pytest.fixture
def cw(make_campaign):
    return make_campaign()


@pytest.fixture
def frozen(cw):
    generate_roster(cw.campaign, actor=cw.stock.keeper)
    return cw


def url(route: str, campaign, *args) -> str:
    return reverse(f"relief:{route}", args=[campaign.pk, *args])


def form_data(world, stock, **overrides) -> dict:
    from onedoor.registry.models import Category

    data = {"name": "2026 冬季送温暖（页面）", "organisation": world.org("区民政局").pk, "area": world.district.pk,
            "starts_on": "2026-12-01", "ends_on": "2027-01-31", "target": "persons",
            "categories": [c.pk for c in Category.objects.filter(code__in=["tekun", "orphan"])],
            f"qty_{stock.quilt.pk}": "1", "store": stock.warehouse.pk,
            f"team_{world.lianhua.pk}_store": stock.lianhua.pk, f"team_{world.lianhua.pk}_leader": "莲花队长",
            f"team_{world.lianhua.pk}_phone": "13900000000", "note": ""}
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


# --- every page, for a manager and for a town viewer ---------------------------------------------------

def test_every_page_renders_for_the_storekeeper(frozen, login, world):
    client = login("storekeeper")
    c = frozen.campaign
    for address in (reverse("relief:campaign_list"), reverse("relief:campaign_create"), url("campaign_detail", c),
                    url("campaign_detail", c) + f"?town={world.wuxian.pk}", url("campaign_roster", c),
                    url("campaign_roster_add", c) + "?q=杨", url("campaign_team", c), url("campaign_items", c),
                    url("campaign_coverage_json", c),
                    url("campaign_entry_status", c, RosterEntry.objects.get(campaign=c, person=frozen.yang).pk),
                    url("campaign_remaining", c, world.wuxian_village.pk)):
        response = client.get(address)
        assert response.status_code == 200, (address, response.status_code)
    assert client.get(url("campaign_signoff", c, world.wuxian_village.pk))["Content-Type"] == "application/pdf"


def test_the_town_clerk_reads_the_district_campaign_but_changes_nothing_of_it(frozen, login, world):
    client = login("clerk.lianhua")
    c = frozen.campaign
    for address in (reverse("relief:campaign_list"), url("campaign_detail", c), url("campaign_roster", c),
                    url("campaign_coverage_json", c), url("campaign_remaining", c, world.lianhua_village.pk),
                    url("campaign_detail", c) + f"?town={world.lianhua.pk}"):
        assert client.get(address).status_code == 200, address
    for address in (reverse("relief:campaign_create"), url("campaign_items", c), url("campaign_team", c),
                    url("campaign_roster_add", c)):
        assert client.get(address).status_code == 403, address
    for route in ("campaign_generate", "campaign_close"):
        assert client.post(url(route, c)).status_code == 403, route
    body = client.get(reverse("relief:campaign_list")).content.decode()
    assert "2026 寒冬送温暖（测试）" in body and reverse("relief:campaign_create") not in body


def test_list_shows_status_period_roster_size_and_delivered_share(frozen, login, signature_png):
    from django.core.files.base import ContentFile

    from onedoor.relief.campaigns import deliver

    entry = RosterEntry.objects.get(campaign=frozen.campaign, person=frozen.yang)
    deliver(entry, actor=frozen.stock.keeper, signature=ContentFile(signature_png, name="s.png"))
    body = login("storekeeper").get(reverse("relief:campaign_list")).content.decode()
    assert "发放中" in body and "2026-11-01" in body and "2027-02-28" in body
    assert ">4<" in body and ">1<" in body and "25.0%" in body
    # the 莲花镇 clerk counts only 莲花镇's one target
    body = login("clerk.lianhua").get(reverse("relief:campaign_list")).content.decode()
    assert ">1<" in body and ">0<" in body and "0.0%" in body


# --- scoping ---------------------------------------------------------------------------------------------

def test_a_lianhua_user_sees_only_lianhua_in_coverage_roster_and_chart(frozen, login, world):
    client = login("clerk.lianhua")
    c = frozen.campaign
    detail = client.get(url("campaign_detail", c)).content.decode()
    assert "莲花镇" in detail and "五显" not in detail and "五显镇物资点（测试）" not in detail
    villages = client.get(url("campaign_detail", c), {"town": world.lianhua.pk}).content.decode()
    assert world.lianhua_village.name in villages and "五显" not in villages
    roster = client.get(url("campaign_roster", c)).content.decode()
    assert "陈特" in roster and "杨全" not in roster and "李孤" not in roster
    assert "杨全" not in client.get(url("campaign_roster", c), {"area": world.wuxian_village.pk}).content.decode()
    chart = json.loads(client.get(url("campaign_coverage_json", c)).content)
    assert chart["categories"] == ["莲花镇"] and chart["total"]["targets"] == 1
    # the district storekeeper sees both towns
    chart = json.loads(login("storekeeper").get(url("campaign_coverage_json", c)).content)
    assert sorted(chart["categories"]) == sorted(["五显镇", "莲花镇"]) and chart["total"]["targets"] == 4


def test_another_towns_village_documents_answer_404(frozen, login, world):
    client = login("clerk.lianhua")
    for route in ("campaign_remaining", "campaign_signoff"):
        assert client.get(url(route, frozen.campaign, world.wuxian_village.pk)).status_code == 404, route


def test_a_town_campaign_is_hidden_from_the_other_town(cw, login, world, stock):
    from onedoor.registry.models import Category
    from onedoor.relief.campaigns import create_campaign

    wuxian = create_campaign(actor=stock.keeper, name="五显镇自办送温暖", organisation=world.org("五显镇"),
                             area=world.wuxian, starts_on=date(2026, 12, 1), ends_on=date(2026, 12, 31),
                             categories=Category.objects.filter(code="tekun"), items={stock.quilt: 1},
                             store=stock.wuxian)
    client = login("clerk.lianhua")
    assert "五显镇自办送温暖" not in client.get(reverse("relief:campaign_list")).content.decode()
    assert client.get(url("campaign_detail", wuxian)).status_code == 404
    assert client.get(url("campaign_roster", wuxian)).status_code == 404


# --- the dashboard ---------------------------------------------------------------------------------------

def test_detail_shows_rule_items_teams_statement_category_table_and_events(frozen, login, world):
    body = login("storekeeper").get(url("campaign_detail", frozen.campaign)).content.decode()
    for expected in ("2026-11-01", "2027-02-28", "特困", "孤儿", "测试棉被 1床", "五显镇物资点（测试）",
                     "莲花镇物资点（测试）", "尚有 4 人未送达", "data-coverage-chart", "生成名单", "共 4 个对象",
                     reverse("relief:campaign_coverage_json", args=[frozen.campaign.pk])):
        assert expected in body, expected
    assert 'data-testid="generate-roster"' not in body  # frozen: no second generation


def test_town_drilldown_lists_villages_with_their_documents(frozen, login, world):
    body = login("storekeeper").get(url("campaign_detail", frozen.campaign),
                                    {"town": world.wuxian.pk}).content.decode()
    assert world.wuxian_village.name in body
    assert url("campaign_signoff", frozen.campaign, world.wuxian_village.pk) in body
    assert url("campaign_remaining", frozen.campaign, world.wuxian_village.pk) in body
    chart = json.loads(login("storekeeper").get(url("campaign_coverage_json", frozen.campaign),
                                                {"town": world.wuxian.pk}).content)
    assert chart["categories"] == [world.wuxian_village.name] and chart["series"][1]["data"] == [3]


def test_statement_follows_the_outcomes(frozen, login):
    clerk = login("clerk.lianhua")
    entry = RosterEntry.objects.get(campaign=frozen.campaign, person=frozen.chen)
    set_entry_status(entry, "refused", actor=clerk_user(frozen), note="本人不需要")
    chart = json.loads(clerk.get(url("campaign_coverage_json", frozen.campaign)).content)
    assert "已全部送达或办结" in chart["statement"] and chart["total"]["remaining"] == 0


def clerk_user(cw):
    from onedoor.accounts.models import User

    return User.objects.get(username="clerk.lianhua")


# --- creating and changing a campaign ----------------------------------------------------------------

def test_create_form_makes_a_draft_campaign_with_its_team(stock, login, world):
    client = login("storekeeper")
    page = client.get(reverse("relief:campaign_create")).content.decode()
    assert "区民政局" in page and "五显镇" in page and "古龙储备（测试）" not in page  # no supplier as a store
    response = client.post(reverse("relief:campaign_create"), form_data(world, stock))
    campaign = Campaign.objects.get(name="2026 冬季送温暖（页面）")
    assert response.status_code == 302 and response["Location"] == url("campaign_detail", campaign)
    assert campaign.status == "draft" and campaign.organisation == world.org("区民政局")
    assert set(campaign.categories.values_list("code", flat=True)) == {"tekun", "orphan"}
    assert {(i.item_id, i.quantity) for i in campaign.items.all()} == {(stock.quilt.pk, 1)}
    team = CampaignTeam.objects.get(campaign=campaign)
    assert (team.town, team.store, team.leader, team.phone) == (world.lianhua, stock.lianhua, "莲花队长", "13900000000")


def test_create_form_defaults_to_the_users_organisation(stock, login, world):
    body = login("storekeeper").get(reverse("relief:campaign_create")).content.decode()
    assert f'<option value="{world.org("区民政局").pk}" selected>' in body


@pytest.mark.parametrize("overrides, message", [
    ({"name": ""}, "请填写活动名称。"),
    ({"ends_on": "2026-11-01"}, "结束日期不能早于开始日期。"),
    ({"categories": None}, "请至少选择一个对象类别。"),
    ({"area": "999999999999"}, "请从列表中选择覆盖区划。"),
    ({"starts_on": "2026-13-01"}, "开始日期格式不对。"),
    ({"qty_ITEM": ""}, "请至少填写一种发放物资的每人（户）数量。"),
    ({"qty_ITEM": "-1"}, "数量不能为负数。"),
    ({"qty_ITEM": "abc"}, "请填写整数。"),
    ({"team_LH_store": "", "team_LH_leader": "某人"}, "莲花镇：请选择出库点。"),
    ({"store": "SUPPLIER"}, "请从列表中选择默认出库点。"),
    ({"organisation": "0"}, "请从列表中选择组织单位。"),
])
def test_create_form_refuses_bad_input_in_chinese(stock, login, world, overrides, message):
    resolved = {}
    for key, value in overrides.items():
        key = key.replace("ITEM", str(stock.quilt.pk)).replace("LH", world.lianhua.pk)
        resolved[key] = stock.supplier.pk if value == "SUPPLIER" else value
    response = login("storekeeper").post(reverse("relief:campaign_create"), form_data(world, stock, **resolved))
    assert response.status_code == 200
    body = response.content.decode()
    assert message in body, message
    assert not Campaign.objects.filter(name="2026 冬季送温暖（页面）").exists()


def test_create_form_puts_the_actions_refusal_beside_the_field(cw, login, world):
    response = login("storekeeper").post(reverse("relief:campaign_create"),
                                         form_data(world, cw.stock, name="2026 寒冬送温暖（测试）"))
    assert response.status_code == 200 and "已有名为“2026 寒冬送温暖（测试）”的活动。" in response.content.decode()


def test_a_town_team_outside_the_area_is_refused(stock, login, world):
    data = form_data(world, stock, area=world.wuxian.pk)
    response = login("storekeeper").post(reverse("relief:campaign_create"), data)
    assert "莲花镇不在活动覆盖区划内。" in response.content.decode()
    assert not Campaign.objects.filter(name=data["name"]).exists()


def test_items_form_changes_items_until_the_roster_is_frozen(cw, login):
    client = login("storekeeper")
    c = cw.campaign
    response = client.post(url("campaign_items", c), {f"qty_{cw.stock.quilt.pk}": "2",
                                                      f"qty_{cw.stock.noodles.pk}": "3"})
    assert response.status_code == 302
    assert {(i.item_id, i.quantity) for i in c.items.all()} == {(cw.stock.quilt.pk, 2), (cw.stock.noodles.pk, 3)}
    response = client.post(url("campaign_items", c), {f"qty_{cw.stock.quilt.pk}": "0"})
    assert "请至少填写一种发放物资的每人（户）数量。" in response.content.decode()
    generate_roster(c, actor=cw.stock.keeper)
    response = client.post(url("campaign_items", c), {f"qty_{cw.stock.quilt.pk}": "5"})
    assert response.status_code == 200 and "名单已生成，不能再修改发放物资。" in response.content.decode()
    assert {(i.item_id, i.quantity) for i in c.items.all()} == {(cw.stock.quilt.pk, 2), (cw.stock.noodles.pk, 3)}


def test_team_form_sets_a_towns_store_and_refuses_a_supplier(cw, login, world):
    client = login("storekeeper")
    c = cw.campaign
    response = client.post(url("campaign_team", c), {"town": world.lianhua.pk, "store": cw.stock.warehouse.pk,
                                                     "leader": "新队长", "phone": "0592-1234567"})
    assert response.status_code == 302
    team = CampaignTeam.objects.get(campaign=c, town=world.lianhua)
    assert (team.store, team.leader) == (cw.stock.warehouse, "新队长")
    response = client.post(url("campaign_team", c), {"town": world.lianhua.pk, "store": cw.stock.supplier.pk})
    assert response.status_code == 200 and "请从列表中选择出库点。" in response.content.decode()
    response = client.post(url("campaign_team", c), {"town": "", "store": cw.stock.warehouse.pk})
    assert "请选择镇（街、场）。" in response.content.decode()
    assert CampaignTeam.objects.get(campaign=c, town=world.lianhua).store == cw.stock.warehouse


# --- roster generation as a job --------------------------------------------------------------------------

def test_generate_button_runs_the_roster_as_a_job_once(cw, login):
    client = login("storekeeper")
    c = cw.campaign
    body = client.get(url("campaign_detail", c)).content.decode()
    assert 'data-testid="generate-roster"' in body
    with TestCase.captureOnCommitCallbacks(execute=True):
        response = client.post(url("campaign_generate", c))
    job = Job.objects.get(kind="relief.generate_roster")
    assert response.status_code == 302 and response["Location"] == reverse("core:job_detail", args=[job.pk])
    job.refresh_from_db()
    assert job.status == "succeeded" and job.counts == {"entries": 4} and "4 个对象" in job.message
    c.refresh_from_db()
    assert c.status == "active" and c.roster_size == 4
    assert set(RosterEntry.objects.filter(campaign=c).values_list("person__name", flat=True)) == {
        "杨全", "李孤", "王单", "陈特"}
    # the campaign page shows the job; a second press starts nothing
    assert f"job-{job.pk}-progress" in client.get(url("campaign_detail", c)).content.decode()
    response = client.post(url("campaign_generate", c), follow=True)
    assert "名单已生成，不能重新生成" in response.content.decode()
    assert Job.objects.filter(kind="relief.generate_roster").count() == 1


def test_close_campaign(frozen, login):
    client = login("storekeeper")
    response = client.post(url("campaign_close", frozen.campaign), {"note": "全部送达"}, follow=True)
    frozen.campaign.refresh_from_db()
    assert frozen.campaign.status == "closed" and "活动已结束。" in response.content.decode()
    response = client.post(url("campaign_close", frozen.campaign), follow=True)
    assert "不能结束" in response.content.decode()


# --- the roster ------------------------------------------------------------------------------------------

def test_roster_filters_by_status_area_name_and_id_digits(frozen, login, world):
    client = login("storekeeper")
    c = frozen.campaign
    set_entry_status(RosterEntry.objects.get(campaign=c, person=frozen.orphan), "unreachable",
                     actor=frozen.stock.keeper, note="家中无人")

    def names(**query) -> set[str]:
        body = client.get(url("campaign_roster", c), query).content.decode()
        return {n for n in ("杨全", "李孤", "王单", "陈特") if n in body}

    assert names() == {"杨全", "李孤", "王单", "陈特"}
    assert names(status="unreachable") == {"李孤"}
    assert names(area=world.lianhua.pk) == {"陈特"}
    assert names(area=world.wuxian_village.pk) == {"杨全", "李孤", "王单"}
    assert names(q="王单") == {"王单"}
    assert names(q=frozen.yang.id_number[-4:]) == {"杨全"}
    assert names(status="nonsense", area="x") == {"杨全", "李孤", "王单", "陈特"}  # bad filters are ignored


def test_roster_masks_id_numbers(frozen, login):
    from onedoor.core.idnumber import mask_id_number

    body = login("storekeeper").get(url("campaign_roster", frozen.campaign)).content.decode()
    for person in (frozen.yang, frozen.orphan, frozen.single):
        assert mask_id_number(person.id_number) in body and person.id_number not in body


def test_roster_page_queries_are_bounded(frozen, login, world, make_person, django_assert_max_num_queries):
    from onedoor.registry.actions import assign_category
    from onedoor.registry.models import Category
    from onedoor.relief.campaigns import add_to_roster

    client = login("storekeeper")
    keeper = frozen.stock.keeper
    for n in range(25):
        person = make_person(f"补充{n:02d}", seq=300 + 2 * n)
        assign_category(actor=world.user("clerk.wuxian"), category=Category.objects.get(code="tekun"),
                        valid_from=date(2025, 1, 1), source="manual", reason="测试", person=person)
        add_to_roster(frozen.campaign, person=person, reason="后认定", actor=keeper)
    with django_assert_max_num_queries(14):
        response = client.get(url("campaign_roster", frozen.campaign))
    assert response.status_code == 200 and "补充00" in response.content.decode()


def test_add_to_roster_finds_a_person_and_needs_a_reason(frozen, login, world, make_person):
    client = login("storekeeper")
    c = frozen.campaign
    newcomer = make_person("新认定", seq=777)
    found = client.get(url("campaign_roster_add", c), {"q": "新认定"}).content.decode()
    assert "新认定" in found and newcomer.id_number not in found
    response = client.post(url("campaign_roster_add", c), {"person": newcomer.pk, "reason": ""})
    assert response.status_code == 200 and "补充对象须写明原因。" in response.content.decode()
    response = client.post(url("campaign_roster_add", c), {"person": newcomer.pk, "reason": "12月新认定特困"})
    assert response.status_code == 302
    entry = RosterEntry.objects.get(campaign=c, person=newcomer)
    assert entry.added_reason == "12月新认定特困" and entry.status == "pending"
    response = client.post(url("campaign_roster_add", c), {"person": newcomer.pk, "reason": "再来一次"})
    assert "新认定已在本次活动名单中。" in response.content.decode()
    assert "已在名单中" in client.get(url("campaign_roster_add", c), {"q": "新认定"}).content.decode()
    response = client.post(url("campaign_roster_add", c), {"person": "abc", "reason": "x"})
    assert response.status_code == 200 and "请先查找并选择对象。" in response.content.decode()


def test_add_to_roster_before_generation_is_refused(cw, login, make_person):
    newcomer = make_person("早来者", seq=779)
    response = login("storekeeper").post(url("campaign_roster_add", cw.campaign),
                                         {"person": newcomer.pk, "reason": "提前补充"})
    assert "名单尚未生成；请先生成名单。" in response.content.decode()


def test_entry_status_form_records_outcomes_with_a_note(frozen, login):
    client = login("clerk.lianhua")
    entry = RosterEntry.objects.get(campaign=frozen.campaign, person=frozen.chen)
    address = url("campaign_entry_status", frozen.campaign, entry.pk)
    response = client.post(address, {"status": "refused", "note": ""})
    assert response.status_code == 200 and "标记为“拒收”须写明情况。" in response.content.decode()
    response = client.post(address, {"status": "delivered", "note": "x"})
    assert "请从列表中选择状态。" in response.content.decode()
    response = client.post(address, {"status": "moved", "note": "随子女迁往厦门"})
    assert response.status_code == 302
    entry.refresh_from_db()
    assert entry.status == "moved" and entry.status_note == "随子女迁往厦门"
    response = client.post(address, {"status": "refused", "note": "x"})
    assert "不能改为“拒收”" in response.content.decode()
    response = client.post(address, {"status": "pending", "note": "已回村"})
    entry.refresh_from_db()
    assert response.status_code == 302 and entry.status == "pending"


def test_dispatcher_reads_the_roster_but_records_no_outcome(frozen, login):
    client = login("dispatcher")
    entry = RosterEntry.objects.get(campaign=frozen.campaign, person=frozen.chen)
    body = client.get(url("campaign_roster", frozen.campaign)).content.decode()
    assert "陈特" in body and "更改状态" not in body
    assert client.get(url("campaign_entry_status", frozen.campaign, entry.pk)).status_code == 403


def test_remaining_list_prints_the_villages_open_entries(frozen, login, world):
    from onedoor.core.idnumber import mask_id_number
    from onedoor.core.models import AccessLog

    set_entry_status(RosterEntry.objects.get(campaign=frozen.campaign, person=frozen.orphan), "refused",
                     actor=frozen.stock.keeper, note="不需要")
    response = login("storekeeper").get(url("campaign_remaining", frozen.campaign, world.wuxian_village.pk))
    body = response.content.decode()
    assert "未送达名单" in body and "杨全" in body and "王单" in body and "李孤" not in body
    assert mask_id_number(frozen.yang.id_number) in body and frozen.yang.id_number not in body
    log = AccessLog.objects.get(reason="打印未送达名单")
    assert log.action == "export" and log.details["rows"] == 2


def test_the_stock_sections_tabs_lead_to_the_campaigns(cw, login):
    campaigns = reverse("relief:campaign_list")
    assert campaigns in login("storekeeper").get(reverse("relief:stock")).content.decode()
    assert reverse("relief:call_off_list") in login("leader").get(campaigns).content.decode()
    assert reverse("relief:call_off_list") not in login("clerk.lianhua").get(campaigns).content.decode()
