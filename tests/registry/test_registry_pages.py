"""The registry's pages: search, the person page (一人一档) with its masked ID, the household page, and the
forms that register, edit, assess, categorise, record a death and merge — each calling one action."""

from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from onedoor.core.idnumber import make_id_number
from onedoor.core.models import AccessLog
from onedoor.registry import actions
from onedoor.registry.models import Category, CategoryAssignment, Household, Person, RegistryEvent


def body_of(response) -> str:
    return response.content.decode()


def tekun() -> Category:
    return Category.objects.get(code="tekun")


# --- search ------------------------------------------------------------------------------------------


def test_search_finds_by_initials_traditional_last_digits_and_phone(login, make_person):
    # given
    yang = make_person("杨全", seq=111, phone="13912345678")
    make_person("林一", seq=113)
    client = login("clerk.wuxian")
    # when / then
    for query in ("yq", "楊全", "杨", yang.id_number[-4:], yang.id_number[-6:], "1391234", yang.id_number):
        body = body_of(client.get("/registry/persons/", {"q": query}))
        assert "杨全" in body and "林一" not in body, query


def test_each_kind_of_query_finds_the_person_and_no_one_else(login, make_person):
    # given: two people whose ID numbers share nothing at the end, and different phones
    yang = make_person("杨全", seq=111, phone="13912345678", phone2="05927654321")
    lin = make_person("林一", seq=113, phone="18600001111")
    client = login("clerk.wuxian")

    def found(query: str) -> set[str]:
        body = body_of(client.get("/registry/persons/", {"q": query}))
        return {name for name in ("杨全", "林一") if name in body}

    # when / then: the last 3, 4, 5, 6 and 8 characters of the ID, a phone's and a spare phone's beginning,
    # a name's beginning (surname or full name, simplified or traditional), its pinyin and initials
    for query in (yang.id_number[-3:], yang.id_number[-5:], yang.id_number[-8:], "1391", "0592765", "杨", "楊全",
                  "yangq", "yq"):
        assert found(query) == {"杨全"}, query
    assert found(lin.id_number[-4:]) == {"林一"}
    # a name is matched from its beginning: the given name alone is not a search for 杨全
    assert found("全") == set()


def test_a_wide_search_counts_only_up_to_the_limit_and_says_so(login, make_person, monkeypatch):
    # given: a limit of 3 results and 5 people
    monkeypatch.setattr("onedoor.registry.paging.SEARCH_LIMIT", 3)
    for i in range(5):
        make_person(f"测试{i}", seq=201 + 2 * i)
    client = login("clerk.wuxian")
    # when
    body = body_of(client.get("/registry/persons/", {"page": "9"}))
    # then: three listed (out-of-range pages show the last one), and the page asks for a narrower search
    assert sum(f"测试{i}" in body for i in range(5)) == 3
    assert 'data-testid="search-limit"' in body and "超过 3 条" in body and "共 5 条" not in body
    # a narrower search below the limit gets its exact count
    narrow = body_of(client.get("/registry/persons/", {"q": "测试1"}))
    assert "共 1 条" in narrow and 'data-testid="search-limit"' not in narrow


def test_list_shows_masked_ids_never_the_full_number(login, make_person):
    person = make_person("杨全", seq=121)
    body = body_of(login("clerk.wuxian").get("/registry/persons/"))
    assert person.masked_id in body
    assert person.id_number not in body


def test_live_search_returns_rows_only_for_htmx(login, make_person):
    make_person("杨全", seq=131)
    client = login("clerk.wuxian")
    full = body_of(client.get("/registry/persons/", {"q": "yq"}))
    partial = body_of(client.get("/registry/persons/", {"q": "yq"}, HTTP_HX_REQUEST="true"))
    assert "<html" in full and 'id="person-q"' in full
    assert "<html" not in partial and "杨全" in partial


def test_list_filters_by_area_category_and_deceased(login, make_person, world):
    # given: a 特困 person, one in a household on 低保, one deceased, one in another village
    in_tekun = make_person("特困甲", seq=141)
    actions.assign_category(actor=None, category=tekun(), person=in_tekun, valid_from=date(2025, 1, 1),
                            source="decision")
    head = make_person("低保户主", seq=143)
    household = actions.create_household(actor=None, head=head, formed_on=date(2025, 1, 1))
    actions.assign_category(actor=None, category=Category.objects.get(code="dibao"), household=household,
                            valid_from=date(2025, 1, 1), source="decision")
    dead = make_person("已故乙", seq=145)
    actions.record_death(actor=None, person=dead, death_date=date(2026, 1, 1))
    other_village = world.wuxian.children.exclude(code=world.wuxian_village.code).order_by("code").first()
    make_person("邻村丙", seq=147, area=other_village)
    client = login("dispatcher")
    # when / then
    by_category = body_of(client.get("/registry/persons/", {"category": "tekun"}))
    assert "特困甲" in by_category and "低保户主" not in by_category
    household_category = body_of(client.get("/registry/persons/", {"category": "dibao"}))
    assert "低保户主" in household_category and "特困甲" not in household_category
    assert "已故乙" not in body_of(client.get("/registry/persons/"))
    assert "已故乙" in body_of(client.get("/registry/persons/", {"deceased": "1"}))
    by_village = body_of(client.get("/registry/persons/", {"area": world.wuxian_village.code}))
    assert "特困甲" in by_village and "邻村丙" not in by_village
    by_town = body_of(client.get("/registry/persons/", {"area": world.wuxian.code}))
    assert "邻村丙" in by_town
    # categories in force are shown on each row, the household's too
    rows = body_of(client.get("/registry/persons/"))
    assert "特困供养" in rows and "低保" in rows


def test_area_filter_lists_only_visible_towns_and_villages(login, world):
    body = body_of(login("clerk.wuxian").get("/registry/persons/"))
    assert world.wuxian_village.name in body and "莲花镇" not in body


def _people_with_categories(make_person, count: int, start: int) -> None:
    for i in range(count):
        person = make_person(f"测试{start + i}", seq=start + 2 * i)
        actions.assign_category(actor=None, category=tekun(), person=person, valid_from=date(2025, 1, 1),
                                source="decision")
        household = actions.create_household(actor=None, head=person, formed_on=date(2025, 1, 1))
        actions.assign_category(actor=None, category=Category.objects.get(code="dibao"), household=household,
                                valid_from=date(2025, 1, 1), source="decision")


def test_list_query_count_does_not_grow_with_rows(login, make_person, django_assert_max_num_queries):
    # given
    client = login("clerk.wuxian")
    _people_with_categories(make_person, 2, start=201)
    with CaptureQueriesContext(connection) as few:
        client.get("/registry/persons/")
    _people_with_categories(make_person, 12, start=301)
    # when / then: session, user, grants, count, people, their categories, memberships, household
    # categories, the menu's organisation, the filters' areas and categories
    with django_assert_max_num_queries(14):
        response = client.get("/registry/persons/")
    with CaptureQueriesContext(connection) as many:
        client.get("/registry/persons/")
    assert len(many.captured_queries) == len(few.captured_queries)
    assert body_of(response).count("特困供养") >= 14


def test_person_picker_offers_radio_buttons(login, make_person):
    person = make_person("杨全", seq=151)
    body = body_of(login("clerk.wuxian").get("/registry/persons/pick/", {"q": "yq", "field": "duplicate"}))
    assert f'name="duplicate" value="{person.pk}"' in body and person.id_number not in body


# --- the person page ---------------------------------------------------------------------------------


def test_person_page_shows_masked_id_household_categories_and_timeline(login, make_person):
    # given
    person = make_person("杨全", seq=161)
    spouse = make_person("王芳", seq=162)
    household = actions.create_household(actor=None, head=person, formed_on=date(2025, 1, 1))
    actions.add_member(actor=None, household=household, person=spouse, relation="spouse", on=date(2025, 1, 1))
    assignment = actions.assign_category(actor=None, category=tekun(), person=person, valid_from=date(2025, 1, 1),
                                         source="decision")
    actions.end_category(actor=None, assignment=assignment, valid_to=date(2026, 1, 1), reason="收入超标")
    actions.assign_category(actor=None, category=Category.objects.get(code="severe_disability"), person=person,
                            valid_from=date(2026, 2, 1), source="decision")
    # when
    body = body_of(login("clerk.wuxian").get(f"/registry/persons/{person.pk}/"))
    # then
    assert person.masked_id in body and person.id_number not in body
    assert f"/registry/households/{household.pk}/" in body and f"/registry/persons/{spouse.pk}/" in body
    assert "特困供养" in body and "已终止" in body and "收入超标" in body and "重度残疾" in body and "在册" in body
    assert "登记" in body and "认定类别" in body and "终止类别" in body


def test_reveal_shows_the_full_number_once_and_writes_the_access_log(login, make_person):
    # given
    person = make_person("杨全", seq=171)
    client = login("clerk.wuxian")
    assert "查看完整号码" in body_of(client.get(f"/registry/persons/{person.pk}/"))
    # when
    response = client.post(f"/registry/persons/{person.pk}/reveal-id/", {"reason": "核对银行代发信息"})
    # then
    assert response.status_code == 200 and person.id_number in body_of(response)
    assert "no-cache" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]
    log = AccessLog.objects.get()
    assert (log.actor.username, log.target_id, log.reason) == ("clerk.wuxian", str(person.pk), "核对银行代发信息")
    assert person.id_number not in body_of(client.get(f"/registry/persons/{person.pk}/"))


def test_reveal_needs_a_reason(login, make_person):
    person = make_person("杨全", seq=173)
    response = login("clerk.wuxian").post(f"/registry/persons/{person.pk}/reveal-id/", {"reason": " "})
    body = body_of(response)
    assert "查看完整证件号码必须说明理由" in body and person.id_number not in body
    assert not AccessLog.objects.exists()


def test_leader_cannot_reveal(login, make_person):
    person = make_person("杨全", seq=175)
    client = login("leader")
    assert "查看完整号码" not in body_of(client.get(f"/registry/persons/{person.pk}/"))
    response = client.post(f"/registry/persons/{person.pk}/reveal-id/", {"reason": "想看看"}, follow=True)
    body = body_of(response)
    assert "不能查看完整证件号码" in body and person.id_number not in body
    assert not AccessLog.objects.exists()


def test_registered_sections_appear_on_the_person_page(login, make_person):
    from django.template import engines

    from onedoor.registry.sections import register_person_section, unregister_person_section

    # given: another app's section, and one that hides itself for this person
    person = make_person("杨全", seq=181)
    seen = []

    def payments(request, who):
        seen.append((request.user.username, who.pk))
        return {"total": "1300.00"}

    shown = register_person_section("发放记录", engines["django"].from_string("<p>合计 {{ ctx.total }} 元 {{ person.name }}</p>"),
                                    payments, order=10)
    hidden = register_person_section("走访记录", engines["django"].from_string("<p>不应出现</p>"),
                                     lambda request, who: None, order=20)
    try:
        # when
        body = body_of(login("clerk.wuxian").get(f"/registry/persons/{person.pk}/"))
    finally:
        unregister_person_section(shown)
        unregister_person_section(hidden)
    # then
    assert "发放记录" in body and "合计 1300.00 元 杨全" in body
    assert "走访记录" not in body and "不应出现" not in body
    assert seen == [("clerk.wuxian", person.pk)]
    assert "发放记录" not in body_of(login("clerk.wuxian").get(f"/registry/persons/{person.pk}/"))


# --- registering and editing ---------------------------------------------------------------------------


def test_clerk_registers_a_person_through_the_form(login, world):
    # given
    client = login("clerk.wuxian")
    number = make_id_number("350212", date(1960, 5, 6), 123)
    # when
    response = client.post("/registry/persons/new/", {
        "name": "楊全", "id_number": number.lower(), "phone": "139 1234 5678",
        "residence_area": world.wuxian_village.code, "monthly_income": "800"})
    # then
    person = Person.objects.get(id_number=number)
    assert response.status_code == 302 and response["Location"] == f"/registry/persons/{person.pk}/"
    assert (person.name_simplified, person.sex, person.birth_date, person.phone) == (
        "杨全", "M", date(1960, 5, 6), "13912345678")
    assert RegistryEvent.objects.filter(person=person, code="registered", actor__username="clerk.wuxian").exists()


def test_create_form_shows_chinese_errors_beside_each_field(login, world):
    # given
    valid = make_id_number("350212", date(1960, 1, 1), 11)
    wrong_check = valid[:17] + ("0" if valid[17] != "0" else "1")
    # when
    response = login("clerk.wuxian").post("/registry/persons/new/", {
        "name": "", "id_number": wrong_check, "phone": "12345", "residence_area": ""})
    # then
    body = body_of(response)
    assert response.status_code == 200 and not Person.objects.exists()
    assert "校验码错误" in body and "姓名不能为空" in body and "电话号码格式不正确" in body
    assert "请选择居住的村（社区）" in body
    for field in ("id_number", "name", "phone", "residence_area"):
        assert f'data-field-error="{field}"' in body


def test_without_an_id_number_sex_and_birth_are_required(login, world):
    body = body_of(login("clerk.wuxian").post("/registry/persons/new/", {
        "name": "无名氏", "residence_area": world.wuxian_village.code}))
    assert "没有身份证号码时必须填写性别" in body and "没有身份证号码时必须填写出生日期" in body


def test_a_village_of_another_town_cannot_be_chosen(login, world):
    body = body_of(login("clerk.lianhua").get("/registry/persons/new/"))
    assert world.lianhua_village.name in body and world.wuxian_village.name not in body


def test_duplicate_id_links_to_the_existing_person_only_when_visible(login, make_person, world):
    # given: registered in 五显镇
    existing = make_person("杨全", seq=191)
    data = {"name": "杨全", "id_number": existing.id_number}
    # when: the 五显镇 clerk tries again
    mine = body_of(login("clerk.wuxian").post("/registry/persons/new/", {
        **data, "residence_area": world.wuxian_village.code}))
    # then
    assert "该身份证号码已经登记" in mine and f"/registry/persons/{existing.pk}/" in mine
    # when: the 莲花镇 clerk tries: told it is taken, but not who or where
    theirs = body_of(login("clerk.lianhua").post("/registry/persons/new/", {
        **data, "residence_area": world.lianhua_village.code}))
    assert "该身份证号码已经登记" in theirs and f"/registry/persons/{existing.pk}/" not in theirs
    assert "五显" not in theirs
    assert Person.objects.count() == 1


def test_leader_may_not_register_or_edit(login, make_person):
    person = make_person("杨全", seq=193)
    client = login("leader")
    assert client.get("/registry/persons/new/").status_code == 403
    assert client.post(f"/registry/persons/{person.pk}/edit/", {"name": "改", "reason": "x"}).status_code == 403
    assert "修改信息" not in body_of(client.get(f"/registry/persons/{person.pk}/"))


def test_edit_without_a_reason_is_refused(login, make_person):
    # given
    person = make_person("杨全", seq=211)
    client = login("clerk.wuxian")
    form = client.get(f"/registry/persons/{person.pk}/edit/")
    assert person.id_number not in body_of(form)
    # when
    response = client.post(f"/registry/persons/{person.pk}/edit/", {
        "name": "杨全", "phone": "13800000000", "residence_area": person.residence_area_id, "reason": ""})
    # then
    assert response.status_code == 200 and "修改已登记人员的信息必须说明理由" in body_of(response)
    person.refresh_from_db()
    assert person.phone == "" and not RegistryEvent.objects.filter(person=person, code="updated").exists()


def test_edit_with_a_reason_keeps_before_and_after(login, make_person):
    # given
    person = make_person("杨全", seq=213)
    client = login("clerk.wuxian")
    # when: only the phone changes; the ID number field left blank keeps the number
    response = client.post(f"/registry/persons/{person.pk}/edit/", {
        "name": "杨全", "phone": "138 0000 0000", "residence_area": person.residence_area_id,
        "monthly_income": "0.00", "reason": "本人来电更正"})
    # then
    assert response.status_code == 302
    person.refresh_from_db()
    assert person.phone == "13800000000" and person.id_number
    event = RegistryEvent.objects.get(person=person, code="updated")
    assert event.data["after"] == {"phone": "13800000000"} and event.note == "本人来电更正"
    page = body_of(client.get(f"/registry/persons/{person.pk}/"))
    assert "修改信息" in page and "13800000000" in page and "本人来电更正" in page


def test_a_move_shows_village_names_in_the_timeline(login, make_person, world):
    person = make_person("杨全", seq=215)
    other_village = world.wuxian.children.exclude(code=world.wuxian_village.code).order_by("code").first()
    client = login("clerk.wuxian")
    client.post(f"/registry/persons/{person.pk}/edit/", {
        "name": "杨全", "residence_area": other_village.code, "monthly_income": "0.00", "reason": "搬家"})
    person.refresh_from_db()
    assert person.residence_area == other_village
    page = body_of(client.get(f"/registry/persons/{person.pk}/"))
    assert f"{world.wuxian_village.name} → {other_village.name}" in page


def test_an_id_number_arriving_later_is_masked_in_the_timeline(login, world):
    # given: registered without an ID, found on patrol
    person = actions.register_person(actor=None, data={
        "name": "无名氏", "sex": "男", "birth_date": "1970-01-01", "residence_area": world.wuxian_village})
    number = make_id_number("350212", date(1970, 1, 1), 135)
    client = login("clerk.wuxian")
    # when
    client.post(f"/registry/persons/{person.pk}/edit/", {
        "name": "无名氏", "id_number": number, "residence_area": person.residence_area_id, "monthly_income": "0.00",
        "reason": "取得身份证"})
    # then
    person.refresh_from_db()
    assert person.id_number == number and person.temp_identifier is None
    page = body_of(client.get(f"/registry/persons/{person.pk}/"))
    assert number not in page and person.masked_id in page


# --- self-care, death, categories ----------------------------------------------------------------------


def test_self_care_form_sets_the_level(login, make_person):
    person = make_person("杨全", seq=221)
    client = login("clerk.wuxian")
    form = body_of(client.get(f"/registry/persons/{person.pk}/self-care/"))
    assert "进食" in form and "洗澡" in form
    response = client.post(f"/registry/persons/{person.pk}/self-care/", {
        "unable": ["eating", "dressing", "toilet", "bathing"], "on": "2026-11-01"})
    assert response.status_code == 302
    person.refresh_from_db()
    assert person.self_care == "full_care" and person.self_care_assessed_on == date(2026, 11, 1)
    assert "全护理" in body_of(client.get(f"/registry/persons/{person.pk}/"))


def test_death_form_records_the_death(login, make_person):
    # given
    person = make_person("杨全", seq=231)
    actions.assign_category(actor=None, category=tekun(), person=person, valid_from=date(2025, 1, 1),
                            source="decision")
    client = login("clerk.wuxian")
    # when: a date in the future is refused beside the field
    tomorrow = timezone.localdate() + timedelta(days=1)
    refused = client.post(f"/registry/persons/{person.pk}/death/", {"death_date": tomorrow.isoformat(),
                                                                  "reason": "家属报告"})
    assert refused.status_code == 200 and "死亡日期不能晚于今天" in body_of(refused)
    # when
    response = client.post(f"/registry/persons/{person.pk}/death/", {"death_date": "2026-03-10",
                                                                   "reason": "火化证明"})
    # then
    assert response.status_code == 302
    person.refresh_from_db()
    assert person.death_date == date(2026, 3, 10)
    assert not CategoryAssignment.objects.filter(person=person, valid_to__isnull=True).exists()
    again = client.post(f"/registry/persons/{person.pk}/death/", {"death_date": "2026-03-11", "reason": "重复"})
    assert "已于 2026-03-10 登记死亡" in body_of(again)


def test_category_assign_and_end_through_the_forms(login, make_person):
    # given
    person = make_person("杨全", seq=241)
    client = login("clerk.wuxian")
    # when: a manual entry without a reason is refused beside the reason
    refused = client.post(f"/registry/persons/{person.pk}/categories/new/", {
        "category": tekun().pk, "valid_from": "2026-01-01", "source": "manual", "reason": ""})
    assert refused.status_code == 200 and "手工登记类别必须说明理由" in body_of(refused)
    assert not CategoryAssignment.objects.exists()
    # when
    client.post(f"/registry/persons/{person.pk}/categories/new/", {
        "category": tekun().pk, "valid_from": "2026-01-01", "source": "manual", "reason": "同民〔2026〕1号"})
    assignment = CategoryAssignment.objects.get(person=person)
    assert (assignment.source, assignment.reason, assignment.created_by.username) == (
        "manual", "同民〔2026〕1号", "clerk.wuxian")
    # a second open period of the same category is refused with the action's message
    twice = client.post(f"/registry/persons/{person.pk}/categories/new/", {
        "category": tekun().pk, "valid_from": "2026-02-01", "source": "decision", "reason": ""})
    assert "已在“特困供养”类别中" in body_of(twice)
    # when: ending it
    early = client.post(f"/registry/categories/{assignment.pk}/end/", {"valid_to": "2025-12-01", "reason": "x"})
    assert "终止日期必须晚于起始日期" in body_of(early)
    ended = client.post(f"/registry/categories/{assignment.pk}/end/", {"valid_to": "2026-06-01",
                                                                       "reason": "收入超过标准"})
    # then
    assert ended.status_code == 302 and ended["Location"] == f"/registry/persons/{person.pk}/"
    assignment.refresh_from_db()
    assert assignment.valid_to == date(2026, 6, 1) and assignment.end_reason == "收入超过标准"


def test_person_category_form_offers_only_person_categories(login, make_person):
    person = make_person("杨全", seq=243)
    body = body_of(login("clerk.wuxian").get(f"/registry/persons/{person.pk}/categories/new/"))
    assert "特困供养" in body and "低保边缘" not in body


# --- households ---------------------------------------------------------------------------------------


def test_household_page_shows_members_over_time_and_figures(login, make_person):
    # given
    head = make_person("李父", seq=251, monthly_income="1200")
    child = make_person("李子", birth=date(2015, 5, 5), seq=253, monthly_income="0")
    lodger = make_person("李亲", seq=255, monthly_income="300")
    household = actions.create_household(actor=None, head=head, formed_on=date(2026, 1, 1))
    actions.add_member(actor=None, household=household, person=child, relation="child", on=date(2026, 1, 1))
    actions.add_member(actor=None, household=household, person=lodger, relation="other", on=date(2026, 1, 1))
    actions.remove_member(actor=None, household=household, person=lodger, on=date(2026, 7, 1), reason="外出务工")
    # when
    body = body_of(login("clerk.wuxian").get(f"/registry/households/{household.pk}/"))
    # then: two members today, 600.00 each; the one who left is listed with the date and reason
    assert "李父户" in body and "2 人" in body and "600.00 元" in body and "1200.00 元" in body
    assert "李亲" in body and "2026-07-01" in body and "外出务工" in body
    assert head.masked_id in body and head.id_number not in body


def test_household_members_join_leave_and_the_head_changes_through_the_forms(login, make_person):
    # given
    head = make_person("李父", seq=261)
    spouse = make_person("李母", seq=263)
    child = make_person("李子", seq=265)
    client = login("clerk.wuxian")
    # when: the household is formed from the person page
    response = client.post(f"/registry/persons/{head.pk}/household/new/", {"formed_on": "2026-01-01"})
    household = Household.objects.get(head=head)
    assert response["Location"] == f"/registry/households/{household.pk}/"
    # when: members join
    for person, relation in ((spouse, "spouse"), (child, "child")):
        joined = client.post(f"/registry/households/{household.pk}/members/add/", {
            "person": person.pk, "relation": relation, "joined_on": "2026-02-01"})
        assert joined.status_code == 302
    assert household.figures_on()["size"] == 3
    # when: no one picked
    missing = client.post(f"/registry/households/{household.pk}/members/add/", {"relation": "child",
                                                                                 "joined_on": "2026-02-01"})
    assert "请先搜索并选择要加入的人员" in body_of(missing)
    # when: someone already in the household is refused with the action's message
    again = client.post(f"/registry/households/{household.pk}/members/add/", {
        "person": child.pk, "relation": "child", "joined_on": "2026-02-01"})
    assert "已是本户成员" in body_of(again)
    # when: the head cannot leave before the head changes
    refused = client.post(f"/registry/households/{household.pk}/members/remove/", {
        "person": head.pk, "left_on": "2026-03-01", "reason": "外出"})
    assert "户主不能直接迁出" in body_of(refused)
    changed = client.post(f"/registry/households/{household.pk}/head/", {"person": spouse.pk, "reason": "户主外出"})
    assert changed.status_code == 302
    household.refresh_from_db()
    assert household.head == spouse
    left = client.post(f"/registry/households/{household.pk}/members/remove/", {
        "person": child.pk, "left_on": "2026-03-01", "reason": "外出就学"})
    assert left.status_code == 302
    # then
    assert household.figures_on()["size"] == 2
    codes = list(RegistryEvent.objects.filter(household=household).values_list("code", flat=True))
    assert codes.count("member_joined") == 3 and "head_changed" in codes and "member_left" in codes


def test_a_member_of_another_household_cannot_be_removed_here(login, make_person):
    a, b = make_person("甲", seq=271), make_person("乙", seq=273)
    first = actions.create_household(actor=None, head=a)
    second = actions.create_household(actor=None, head=b)
    response = login("clerk.wuxian").post(f"/registry/households/{first.pk}/members/remove/", {
        "person": b.pk, "left_on": "2026-03-01", "reason": "x"})
    assert response.status_code == 404
    assert second.figures_on()["size"] == 1


def test_household_category_assign(login, make_person):
    household = actions.create_household(actor=None, head=make_person("李父", seq=281))
    client = login("clerk.wuxian")
    form = body_of(client.get(f"/registry/households/{household.pk}/categories/new/"))
    assert "低保" in form and "特困供养" not in form
    response = client.post(f"/registry/households/{household.pk}/categories/new/", {
        "category": Category.objects.get(code="dibao").pk, "valid_from": "2026-01-01", "source": "decision"})
    assert response["Location"] == f"/registry/households/{household.pk}/"
    assert CategoryAssignment.objects.get(household=household).category.code == "dibao"


# --- merging -----------------------------------------------------------------------------------------


def test_merge_page_suggests_same_name_and_birth_and_folds_the_duplicate(login, make_person, world):
    # given
    keep = make_person("王五", seq=291)
    duplicate = actions.register_person(actor=None, data={"name": "王五", "sex": "男", "birth_date": "1952-03-04",
                                                          "residence_area": world.wuxian_village})
    actions.assign_category(actor=None, category=tekun(), person=duplicate, valid_from=date(2026, 1, 1),
                            source="import")
    client = login("dispatcher")
    # when
    page = body_of(client.get(f"/registry/persons/{keep.pk}/merge/"))
    assert f'name="duplicate" value="{duplicate.pk}"' in page
    refused = client.post(f"/registry/persons/{keep.pk}/merge/", {"duplicate": duplicate.pk, "reason": ""})
    assert "合并必须说明理由" in body_of(refused)
    response = client.post(f"/registry/persons/{keep.pk}/merge/", {"duplicate": duplicate.pk,
                                                                   "reason": "同一人重复登记"})
    # then
    assert response.status_code == 302
    duplicate.refresh_from_db()
    assert duplicate.merged_into == keep and keep.category_assignments.count() == 1
    assert "已并入" in body_of(client.get(f"/registry/persons/{duplicate.pk}/"))


@pytest.mark.parametrize("username", ["handler.mz", "leader", "social.worker"])
def test_only_clerks_dispatchers_and_admins_may_merge(login, make_person, username):
    keep = make_person("王五", seq=293)
    client = login(username)
    assert client.get(f"/registry/persons/{keep.pk}/merge/").status_code == 403
    assert "合并重复记录" not in body_of(client.get(f"/registry/persons/{keep.pk}/"))


# --- navigation and home --------------------------------------------------------------------------------


def test_menu_and_recent_people_panel(login, make_person, world):
    make_person("杨全", seq=295)
    make_person("莲花人", seq=297, area=world.lianhua_village, actor=world.user("clerk.lianhua"))
    home = body_of(login("clerk.wuxian").get("/"))
    assert "/registry/persons/" in home and 'data-panel="recent-people"' in home
    assert "杨全" in home and "莲花人" not in home
    assert "/registry/persons/" in body_of(login("leader").get("/"))
    assert "/registry/persons/" not in body_of(login("storekeeper").get("/"))


def test_a_household_in_another_town_is_not_named(login, make_person, world):
    # given: a member of a 五显镇 household moves to 莲花镇
    head = make_person("五显户主", seq=311)
    mover = make_person("搬迁者", seq=313)
    household = actions.create_household(actor=None, head=head)
    actions.add_member(actor=None, household=household, person=mover, relation="child")
    actions.update_person(actor=world.user("dispatcher"), person=mover,
                          changes={"residence_area": world.lianhua_village}, reason="搬到莲花镇")
    client = login("clerk.lianhua")
    # when
    page = body_of(client.get(f"/registry/persons/{mover.pk}/"))
    # then
    assert "所在家庭不在您的数据范围内" in page and "五显" not in page
    # when: the 莲花镇 clerk tries to add them to a household of their own
    own = actions.create_household(actor=None, head=make_person("莲花户主", seq=315, area=world.lianhua_village))
    refused = body_of(client.post(f"/registry/households/{own.pk}/members/add/", {
        "person": mover.pk, "relation": "child", "joined_on": "2026-02-01"}))
    assert "此人目前属于另一个家庭" in refused and "五显" not in refused


def test_person_list_links_to_import_and_export(login):
    body = login("clerk.wuxian").get("/registry/persons/").content.decode()
    assert "/registry/import/" in body and "/registry/import/export/" in body
    for username in ("leader", "handler.mz"):  # no bulk import for them; export (masked, logged) is open
        body = login(username).get("/registry/persons/").content.decode()
        assert "/registry/import/\"" not in body and "/registry/import/export/" in body
