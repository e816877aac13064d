"""The registry API: scoped lists and search, masking and the audited unmask, registration errors in
Chinese per field, edits with reasons, household figures, categories over time, token clients, and a
bounded number of queries per list."""

from datetime import date

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from onedoor.accounts.actions import issue_api_token
from onedoor.core.choices import AccessAction
from onedoor.core.idnumber import make_id_number
from onedoor.core.models import AccessLog
from onedoor.registry import actions
from onedoor.registry.models import Category, CategoryAssignment, Person, RegistryEvent

JSON = "application/json"


def post(client, url, data):
    return client.post(url, data, content_type=JSON)


def patch(client, url, data):
    return client.patch(url, data, content_type=JSON)


def names(body) -> list[str]:
    return [item["name"] for item in body["items"]]


@pytest.fixture
def yang(make_person):
    return make_person("杨全", seq=111, phone="13912345678", monthly_income="1200", bank_account="6222020200112233445")


# --- list and search -------------------------------------------------------------------------------

def test_list_shows_only_people_in_the_callers_area(login, make_person, world):
    make_person("杨全", seq=101)
    make_person("莲花人", seq=103, area=world.lianhua_village)
    body = login("clerk.wuxian").get("/api/v1/persons").json()
    assert names(body) == ["杨全"] and body["count"] == 1
    assert names(login("clerk.lianhua").get("/api/v1/persons").json()) == ["莲花人"]
    assert sorted(names(login("leader").get("/api/v1/persons").json())) == sorted(["杨全", "莲花人"])


def test_search_by_initials_traditional_name_and_id_digits(login, make_person):
    yang = make_person("杨全", seq=121)
    make_person("王五", seq=123)
    client = login("clerk.wuxian")
    assert names(client.get("/api/v1/persons", {"q": "yq"}).json()) == ["杨全"]
    assert names(client.get("/api/v1/persons", {"q": "yangquan"}).json()) == ["杨全"]
    assert names(client.get("/api/v1/persons", {"q": "楊全"}).json()) == ["杨全"]
    assert names(client.get("/api/v1/persons", {"q": yang.id_number[-6:]}).json()) == ["杨全"]
    assert names(client.get("/api/v1/persons", {"q": yang.id_number}).json()) == ["杨全"]
    assert names(client.get("/api/v1/persons", {"q": "王"}).json()) == ["王五"]


def test_search_never_reaches_into_another_town(login, make_person, world):
    other = make_person("杨全", seq=131, area=world.lianhua_village)
    client = login("clerk.wuxian")
    for q in ("yq", "杨全", other.id_number[-6:], other.id_number):
        assert client.get("/api/v1/persons", {"q": q}).json()["count"] == 0


def test_list_filters_by_area_category_and_deceased(login, make_person, world):
    alive = make_person("甲", seq=141)
    gone = make_person("乙", seq=143)
    actions.record_death(actor=None, person=gone, death_date=date(2026, 1, 5))
    actions.assign_category(actor=None, category=Category.objects.get(code="tekun"), person=alive,
                            valid_from=date(2025, 1, 1), source="decision")
    client = login("clerk.wuxian")
    assert names(client.get("/api/v1/persons").json()) == ["甲"]
    assert sorted(names(client.get("/api/v1/persons", {"include_deceased": "true"}).json())) == ["乙", "甲"]
    assert sorted(names(client.get("/api/v1/persons", {"on": "2025-12-31"}).json())) == ["乙", "甲"]
    body = client.get("/api/v1/persons", {"category": "tekun"}).json()
    assert names(body) == ["甲"]
    assert body["items"][0]["categories"] == [{"code": "tekun", "name": "特困供养", "subject": "person"}]
    assert client.get("/api/v1/persons", {"category": "tekun", "on": "2024-12-31"}).json()["count"] == 0
    assert names(client.get("/api/v1/persons", {"area": world.wuxian.code}).json()) == ["甲"]
    assert client.get("/api/v1/persons", {"area": world.lianhua.code}).json()["count"] == 0
    assert client.get("/api/v1/persons", {"area": "35"}).status_code == 422


def test_list_items_are_masked_and_show_household_categories(login, make_person):
    head = make_person("李父", seq=151)
    household = actions.create_household(actor=None, head=head, formed_on=date(2025, 1, 1))
    actions.assign_category(actor=None, category=Category.objects.get(code="dibao"), household=household,
                            valid_from=date(2025, 2, 1), source="decision")
    response = login("clerk.wuxian").get("/api/v1/persons")
    item = response.json()["items"][0]
    assert item["id_number"] == head.masked_id and head.id_number not in response.content.decode()
    assert item["household_id"] == household.pk
    assert item["categories"] == [{"code": "dibao", "name": "低保", "subject": "household"}]
    assert item["residence_area"]["code"] == head.residence_area_id


def _populate(make_person, count: int, start: int) -> None:
    tekun = Category.objects.get(code="tekun")
    dibao = Category.objects.get(code="dibao")
    for i in range(count):
        person = make_person(f"测试{i}", seq=start + 2 * i)
        actions.assign_category(actor=None, category=tekun, person=person, valid_from=date(2025, 1, 1),
                                source="decision")
        household = actions.create_household(actor=None, head=person, formed_on=date(2025, 1, 1))
        actions.assign_category(actor=None, category=dibao, household=household, valid_from=date(2025, 1, 1),
                                source="decision")


def _count_queries(client, params=None) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/api/v1/persons", params or {})
    assert response.status_code == 200
    return len(queries)


def test_list_count_stops_at_the_limit_and_says_there_are_more(login, make_person, monkeypatch):
    from onedoor.core import api_paging

    for i in range(5):
        make_person(f"计数{i}", seq=401 + 2 * i)
    client = login("clerk.wuxian")
    assert client.get("/api/v1/persons").json() | {"items": None} == {"items": None, "count": 5, "more": False}
    monkeypatch.setattr(api_paging, "COUNT_LIMIT", 3)  # a limit of 1,000 stated as 3 to keep the test small
    with CaptureQueriesContext(connection) as queries:
        body = client.get("/api/v1/persons", {"page_size": 2}).json()
    assert (body["count"], body["more"], len(body["items"])) == (3, True, 2)
    count_sql = next(q["sql"] for q in queries if "COUNT(" in q["sql"].upper())
    assert "LIMIT 4" in count_sql  # the count reads at most limit + 1 rows
    assert len(client.get("/api/v1/persons", {"page_size": 2, "page": 3}).json()["items"]) == 1  # later pages
    assert client.get("/api/v1/persons", {"q": "计数1"}).json() | {"items": None} == {
        "items": None, "count": 1, "more": False}


def test_list_query_count_does_not_grow_with_the_page(login, make_person, django_assert_max_num_queries):
    client = login("clerk.wuxian")
    _populate(make_person, 3, 201)
    client.get("/api/v1/persons")  # warm the session
    few = _count_queries(client)
    few_filtered = _count_queries(client, {"q": "cs", "category": "tekun"})
    _populate(make_person, 27, 301)
    body = client.get("/api/v1/persons").json()
    assert body["count"] == 30 and all(len(item["categories"]) == 2 for item in body["items"])
    assert _count_queries(client) == few
    assert _count_queries(client, {"q": "cs", "category": "tekun"}) == few_filtered
    # session, user, grants, count, one page, person categories, memberships with their households,
    # household categories, then the session save (3 with its savepoint)
    with django_assert_max_num_queries(11):
        client.get("/api/v1/persons")


# --- detail, masking, unmask ---------------------------------------------------------------------

def test_detail_is_masked_and_money_is_a_string(login, yang):
    response = login("clerk.wuxian").get(f"/api/v1/persons/{yang.pk}")
    assert response.status_code == 200
    body = response.json()
    assert body["id_number"] == yang.masked_id and body["id_number_masked"] is True
    assert yang.id_number not in response.content.decode()
    assert body["bank_account"] == "6222****3445" and "6222020200112233445" not in response.content.decode()
    assert body["monthly_income"] == "1200.00"
    assert body["birth_date"] == "1952-03-04" and body["sex"] == "M" and body["sex_label"] == "男"
    assert body["household_id"] is None and body["categories"] == []
    assert not AccessLog.objects.exists()


def test_unmask_with_a_reason_is_logged(login, yang, world):
    response = login("clerk.wuxian").get(f"/api/v1/persons/{yang.pk}", {"unmask": "true", "reason": "核对低保申请"})
    assert response.status_code == 200
    body = response.json()
    assert body["id_number"] == yang.id_number and body["id_number_masked"] is False
    assert body["bank_account"] == "6222****3445"  # the bank account stays masked
    log = AccessLog.objects.get()
    assert (log.actor, log.action, log.target_id, log.reason) == (world.user("clerk.wuxian"), AccessAction.UNMASK,
                                                                  str(yang.pk), "核对低保申请")


def test_unmask_needs_a_reason(login, yang):
    response = login("clerk.wuxian").get(f"/api/v1/persons/{yang.pk}", {"unmask": "true"})
    assert response.status_code == 403
    body = response.json()
    assert body["code"] == "forbidden" and "理由" in body["message"]
    assert yang.id_number not in response.content.decode()
    assert not AccessLog.objects.exists()


def test_leader_reads_masked_but_cannot_unmask(login, yang):
    client = login("leader")
    assert client.get(f"/api/v1/persons/{yang.pk}").json()["id_number"] == yang.masked_id
    response = client.get(f"/api/v1/persons/{yang.pk}", {"unmask": "true", "reason": "查看"})
    assert response.status_code == 403
    assert response.json()["message"] == "您的角色不能查看完整证件号码。"
    assert yang.id_number not in response.content.decode()
    assert not AccessLog.objects.exists()


def test_other_towns_person_is_404(login, yang):
    response = login("clerk.lianhua").get(f"/api/v1/persons/{yang.pk}", {"unmask": "true", "reason": "x"})
    assert response.status_code == 404 and response.json()["code"] == "not_found"
    assert login("clerk.lianhua").get("/api/v1/persons/999999999").status_code == 404


# --- registration ----------------------------------------------------------------------------------

def new_person(world, **extra) -> dict:
    return {"name": "陈新", "id_number": make_id_number("350212", date(1980, 2, 3), 501),
            "residence_area": world.wuxian_village.code, **extra}


def test_register_a_person(login, world):
    response = post(login("clerk.wuxian"), "/api/v1/persons", new_person(
        world, phone="139 0000 1111", monthly_income="1,500.5", hukou_type="rural", marital_status="married",
        hukou_area=world.lianhua_village.code, bank_account="6222 0202 0011 2233", reason="窗口登记"))
    assert response.status_code == 201, response.content
    body = response.json()
    person = Person.objects.get(pk=body["id"])
    assert (person.name, person.sex, person.birth_date) == ("陈新", "M", date(1980, 2, 3))
    assert body["id_number"] == person.masked_id and person.id_number not in response.content.decode()
    assert body["monthly_income"] == "1500.50" and body["phone"] == "13900001111"
    assert body["hukou_area"]["code"] == world.lianhua_village.code and body["residence_area"]["code"] == \
        world.wuxian_village.code
    assert body["bank_account"] == "6222****2233"
    event = RegistryEvent.objects.get(person=person, code="registered")
    assert event.actor == world.user("clerk.wuxian") and event.note == "窗口登记"


def test_register_without_an_id_number(login, world):
    response = post(login("clerk.wuxian"), "/api/v1/persons", {
        "name": "无名氏", "sex": "男", "birth_date": "1970-01-01", "residence_area": world.wuxian_village.code,
        "description": "桥洞下发现"})
    assert response.status_code == 201
    body = response.json()
    assert body["has_id_number"] is False and body["id_number"].startswith("T")


def test_register_errors_name_every_field_in_chinese(login, world):
    valid = make_id_number("350212", date(1960, 1, 1), 11)
    wrong_check = valid[:17] + ("0" if valid[17] != "0" else "1")
    response = post(login("clerk.wuxian"), "/api/v1/persons", {
        "name": " ", "id_number": wrong_check, "phone": "12345", "residence_area": world.lianhua_village.code,
        "monthly_income": "abc", "health": "so-so", "hukou_area": "999999999999", "disability_grade": 7})
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "invalid_person" and body["message"]
    details = body["details"]
    assert set(details) == {"name", "id_number", "phone", "residence_area", "monthly_income", "health",
                            "hukou_area", "disability_grade"}
    assert details["name"] == "姓名不能为空。"
    assert "管辖范围" in details["residence_area"]
    assert "健康状况" in details["health"] and "healthy" in details["health"]
    assert not Person.objects.exists()


def test_register_needs_a_village_and_sex_and_birth_without_id(login, world):
    response = post(login("clerk.wuxian"), "/api/v1/persons", {"name": "某人", "residence_area": world.wuxian.code})
    assert response.status_code == 422
    details = response.json()["details"]
    assert "村（社区）" in details["residence_area"]
    assert details["sex"] == "没有身份证号码时必须填写性别。"
    assert details["birth_date"] == "没有身份证号码时必须填写出生日期。"


def test_register_refuses_floats_for_money_and_unknown_fields(login, world):
    client = login("clerk.wuxian")
    response = post(client, "/api/v1/persons", new_person(world, monthly_income=1200.5))
    assert response.status_code == 422
    assert response.json()["code"] == "validation_error"
    assert response.json()["details"][0]["loc"][-1] == "monthly_income"
    response = post(client, "/api/v1/persons", new_person(world, self_care="full_care"))
    assert response.status_code == 422 and response.json()["details"][0]["loc"][-1] == "self_care"
    assert post(client, "/api/v1/persons", new_person(world, monthly_income=1200)).json()["monthly_income"] == \
        "1200.00"


def test_register_the_same_id_twice_is_409(login, world):
    client = login("clerk.wuxian")
    assert post(client, "/api/v1/persons", new_person(world)).status_code == 201
    response = post(client, "/api/v1/persons", new_person(world, name="陈新二"))
    assert response.status_code == 409
    assert response.json() == {"code": "duplicate_id_number", "message": "该身份证号码已经登记。", "details": None}


def test_leader_cannot_register(login, world):
    response = post(login("leader"), "/api/v1/persons", new_person(world))
    assert response.status_code == 403 and response.json()["code"] == "forbidden"
    assert not Person.objects.exists()


# --- edits -------------------------------------------------------------------------------------------

def test_patch_needs_a_reason(login, yang):
    client = login("clerk.wuxian")
    response = patch(client, f"/api/v1/persons/{yang.pk}", {"phone": "13800000000"})
    assert response.status_code == 422
    assert response.json()["details"][0]["loc"][-1] == "reason"
    response = patch(client, f"/api/v1/persons/{yang.pk}", {"phone": "13800000000", "reason": "   "})
    assert response.status_code == 400
    assert response.json()["code"] == "reason_required" and "理由" in response.json()["message"]
    yang.refresh_from_db()
    assert yang.phone == "13912345678"


def test_patch_changes_only_the_given_fields(login, yang, world):
    response = patch(login("clerk.wuxian"), f"/api/v1/persons/{yang.pk}",
                     {"phone": "138 0000 0000", "monthly_income": "900", "residence_area": world.wuxian_village.code,
                      "reason": "本人来电更正"})
    assert response.status_code == 200
    body = response.json()
    assert body["phone"] == "13800000000" and body["monthly_income"] == "900.00" and body["name"] == "杨全"
    event = RegistryEvent.objects.get(person=yang, code="updated")
    assert event.note == "本人来电更正"
    assert event.data == {"before": {"phone": "13912345678", "monthly_income": "1200.00"},
                          "after": {"phone": "13800000000", "monthly_income": "900.00"}}


def test_patch_errors_and_fields_that_cannot_be_edited(login, yang, world):
    client = login("clerk.wuxian")
    response = patch(client, f"/api/v1/persons/{yang.pk}", {"sex": "女", "phone": "1", "reason": "更正"})
    assert response.status_code == 422
    assert response.json()["details"] == {"sex": "性别与身份证号码不一致。", "phone": "电话号码格式不正确。"}
    response = patch(client, f"/api/v1/persons/{yang.pk}", {"death_date": "2026-01-01", "reason": "更正"})
    assert response.status_code == 422 and response.json()["details"][0]["loc"][-1] == "death_date"
    response = patch(client, f"/api/v1/persons/{yang.pk}", {"id_number": "", "reason": "更正"})
    assert response.status_code == 422 and "id_number" in response.json()["details"]
    response = patch(client, f"/api/v1/persons/{yang.pk}",
                     {"residence_area": world.lianhua_village.code, "reason": "迁居"})
    assert response.status_code == 422 and "residence_area" in response.json()["details"]
    yang.refresh_from_db()
    assert yang.sex == "M" and yang.id_number and yang.residence_area == world.wuxian_village
    assert not RegistryEvent.objects.filter(person=yang, code="updated").exists()


def test_patch_to_an_id_registered_to_someone_else_is_409(login, make_person, yang):
    other = make_person("王五", seq=171)
    response = patch(login("clerk.wuxian"), f"/api/v1/persons/{other.pk}",
                     {"id_number": yang.id_number, "reason": "更正"})
    assert response.status_code == 409 and response.json()["code"] == "duplicate_id_number"


def test_leader_cannot_patch_and_other_town_gets_404(login, yang):
    assert patch(login("leader"), f"/api/v1/persons/{yang.pk}", {"phone": "13800000000",
                                                                 "reason": "x"}).status_code == 403
    assert patch(login("clerk.lianhua"), f"/api/v1/persons/{yang.pk}", {"phone": "13800000000",
                                                                        "reason": "x"}).status_code == 404
    yang.refresh_from_db()
    assert yang.phone == "13912345678"


# --- households --------------------------------------------------------------------------------------

def test_household_members_and_figures(login, make_person):
    head = make_person("李父", seq=181, monthly_income="1200")
    child = make_person("李子", birth=date(2015, 5, 5), seq=183, monthly_income="0")
    lodger = make_person("李客", seq=185, monthly_income="300")
    household = actions.create_household(actor=None, head=head, formed_on=date(2026, 1, 1))
    actions.add_member(actor=None, household=household, person=child, relation="child", on=date(2026, 1, 1))
    actions.add_member(actor=None, household=household, person=lodger, relation="other", on=date(2026, 1, 1))
    actions.remove_member(actor=None, household=household, person=lodger, on=date(2026, 3, 1), reason="外出务工")
    actions.assign_category(actor=None, category=Category.objects.get(code="dibao"), household=household,
                            valid_from=date(2026, 2, 1), source="decision")
    client = login("clerk.wuxian")
    response = client.get(f"/api/v1/households/{household.pk}")
    assert response.status_code == 200
    body = response.json()
    assert body["head"] == {"id": head.pk, "name": "李父", "id_number": head.masked_id}
    assert (body["size"], body["total_income"], body["per_capita_income"]) == (2, "1200.00", "600.00")
    members = {m["name"]: m for m in body["members"]}
    assert members["李父"]["relation"] == "head" and members["李父"]["relation_label"] == "户主"
    assert members["李客"]["current"] is False and members["李客"]["left_on"] == "2026-03-01"
    assert members["李客"]["left_reason"] == "外出务工" and members["李子"]["joined_on"] == "2026-01-01"
    assert head.id_number not in response.content.decode()
    assert [c["category"] for c in body["categories"]] == ["dibao"]
    past = client.get(f"/api/v1/households/{household.pk}", {"on": "2026-02-01"}).json()
    assert (past["size"], past["per_capita_income"], past["figures_on"]) == (3, "500.00", "2026-02-01")
    detail = client.get(f"/api/v1/persons/{child.pk}").json()
    assert detail["household_id"] == household.pk
    assert [(c["category"], c["subject"]) for c in detail["categories"]] == [("dibao", "household")]
    assert login("clerk.lianhua").get(f"/api/v1/households/{household.pk}").status_code == 404


# --- categories --------------------------------------------------------------------------------------

def test_assign_and_end_a_category(login, yang, world):
    client = login("clerk.wuxian")
    response = post(client, "/api/v1/category-assignments", {
        "category": "tekun", "person_id": yang.pk, "valid_from": "2026-01-01", "source": "decision",
        "reason": "同民〔2026〕1号"})
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["category"], body["category_name"], body["subject"], body["person_id"]) == (
        "tekun", "特困供养", "person", yang.pk)
    assert body["valid_from"] == "2026-01-01" and body["valid_to"] is None and body["area_code"] == \
        world.wuxian_village.code
    again = post(client, "/api/v1/category-assignments", {
        "category": "tekun", "person_id": yang.pk, "valid_from": "2026-02-01", "source": "decision"})
    assert again.status_code == 409 and again.json()["code"] == "already_assigned"

    ended = post(client, f"/api/v1/category-assignments/{body['id']}/end", {"valid_to": "2026-07-01",
                                                                            "reason": "收入超标"})
    assert ended.status_code == 200
    assert ended.json()["valid_to"] == "2026-07-01" and ended.json()["end_reason"] == "收入超标"
    assert CategoryAssignment.objects.get(pk=body["id"]).valid_to == date(2026, 7, 1)
    twice = post(client, f"/api/v1/category-assignments/{body['id']}/end", {"valid_to": "2026-08-01",
                                                                           "reason": "重复"})
    assert twice.status_code == 409 and twice.json()["code"] == "already_ended"
    detail = client.get(f"/api/v1/persons/{yang.pk}").json()
    assert [(c["category"], c["valid_to"]) for c in detail["categories"]] == [("tekun", "2026-07-01")]


def test_category_errors(login, yang, world):
    client = login("clerk.wuxian")
    base = {"person_id": yang.pk, "valid_from": "2026-01-01", "source": "manual", "reason": "走访发现"}
    unknown = post(client, "/api/v1/category-assignments", {**base, "category": "nope"})
    assert unknown.status_code == 422 and "category" in unknown.json()["details"]
    wrong = post(client, "/api/v1/category-assignments", {**base, "category": "dibao"})
    assert wrong.status_code == 400 and wrong.json()["code"] == "wrong_subject"
    no_reason = post(client, "/api/v1/category-assignments", {**base, "category": "tekun", "reason": ""})
    assert no_reason.status_code == 400 and no_reason.json()["code"] == "reason_required"
    neither = post(client, "/api/v1/category-assignments", {"category": "tekun", "valid_from": "2026-01-01",
                                                             "source": "decision"})
    assert neither.status_code == 400 and neither.json()["code"] == "subject_required"
    assignment = actions.assign_category(actor=None, category=Category.objects.get(code="tekun"), person=yang,
                                         valid_from=date(2026, 1, 1), source="decision")
    early = post(client, f"/api/v1/category-assignments/{assignment.pk}/end", {"valid_to": "2025-12-31",
                                                                               "reason": "错误"})
    assert early.status_code == 400 and early.json()["code"] == "bad_period"
    foreign = post(login("clerk.lianhua"), f"/api/v1/category-assignments/{assignment.pk}/end",
                   {"valid_to": "2026-06-01", "reason": "越权"})
    assert foreign.status_code == 404
    leader = post(login("leader"), f"/api/v1/category-assignments/{assignment.pk}/end",
                  {"valid_to": "2026-06-01", "reason": "x"})
    assert leader.status_code == 403
    assert CategoryAssignment.objects.get(pk=assignment.pk).valid_to is None


# --- token clients -----------------------------------------------------------------------------------

def test_bearer_token_client_reads_and_writes(world, make_person):
    yang = make_person("杨全", seq=191)
    _, raw = issue_api_token(user=world.user("clerk.wuxian"))
    client = Client(enforce_csrf_checks=True, HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert names(client.get("/api/v1/persons", {"q": "yq"}).json()) == ["杨全"]
    assert client.get(f"/api/v1/persons/{yang.pk}").json()["id_number"] == yang.masked_id
    created = client.post("/api/v1/persons", new_person(world), content_type=JSON)
    assert created.status_code == 201
    assert Person.objects.get(pk=created.json()["id"]).history.latest().history_user.username == "clerk.wuxian"
    assert Client().get("/api/v1/persons").status_code == 401


def test_openapi_documents_the_registry_routes(client, world):
    spec = client.get("/api/v1/openapi.json").json()
    for path in ("/api/v1/persons", "/api/v1/persons/{person_id}", "/api/v1/households/{household_id}",
                 "/api/v1/category-assignments", "/api/v1/category-assignments/{assignment_id}/end"):
        assert path in spec["paths"], path
    assert set(spec["paths"]["/api/v1/persons/{person_id}"]) == {"get", "patch"}


def test_nul_characters_are_refused_before_the_database(login, yang, world):
    # RejectNulMiddleware answers 400 for any NUL in a query string or JSON body, whatever the route.
    client = login("clerk.wuxian")
    assert client.get("/api/v1/persons", {"q": "杨\x00"}).status_code == 400
    response = client.get(f"/api/v1/persons/{yang.pk}", {"unmask": "true", "reason": "核对\x00"})
    assert response.status_code == 400 and not AccessLog.objects.exists()
    response = post(client, "/api/v1/persons", new_person(world, address="同安\x00路"))
    assert response.status_code == 400
