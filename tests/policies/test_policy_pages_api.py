"""Catalogue pages, the person-page section, the API and the admin: they render, query counts stay
bounded, editing is for the dispatcher and admin only, another town's person stays hidden."""

from __future__ import annotations

from datetime import date

import pytest
from django.utils import timezone

from onedoor.policies.models import Policy, Responsibility, Standard
from onedoor.registry.actions import assign_category
from onedoor.registry.models import Category


def test_catalogue_list_searches_filters_and_pages(login, world, django_assert_max_num_queries):
    client = login("clerk.lianhua")
    with django_assert_max_num_queries(12):
        response = client.get("/policies/")
    body = response.content.decode()
    assert response.status_code == 200 and "最低生活保障" in body and "政策目录" in body
    assert client.get("/policies/", {"q": "公租房"}).content.decode().count("data-policy=") == 1
    assert 'data-policy="mz-dibao"' in client.get("/policies/", {"q": "zdshbz"}).content.decode()  # initials
    assert 'data-policy="mz-dibao"' in client.get("/policies/", {"q": "dibao"}).content.decode()  # keyword 低保
    assert 'data-policy="zj-public-rental"' in client.get("/policies/", {"q": "gzf"}).content.decode()
    by_department = client.get("/policies/", {"department": world.org("人社局").pk}).content.decode()
    assert "就业困难人员认定" in by_department and "最低生活保障" not in by_department
    loans = client.get("/policies/", {"kind": "loan"}).content.decode()
    assert loans.count("data-policy=") == 3
    elderly = client.get("/policies/", {"situation": "elderly"}).content.decode()
    assert "高龄老人津贴" in elderly and "公共租赁住房" not in elderly
    assert client.get("/policies/", {"page": "2"}).status_code == 200
    partial = client.get("/policies/", {"q": "低保"}, HTTP_HX_REQUEST="true")
    assert "<html" not in partial.content.decode() and "最低生活保障" in partial.content.decode()
    for junk in ({"department": "x'"}, {"kind": "zz"}, {"situation": "<b>"}, {"page": "-1"}):
        assert client.get("/policies/", junk).status_code == 200


def test_policy_detail_shows_rules_documents_and_lines(login, world, django_assert_max_num_queries):
    client = login("handler.rs")
    with django_assert_max_num_queries(12):
        response = client.get("/policies/mz-dibao/")
    body = response.content.decode()
    assert "户口簿" in body and "30 个工作日" in body and "须公示 7 天" in body and "同安区" in body
    assert client.get("/policies/no-such-policy/").status_code == 404


def test_responsibility_page_edits_for_the_dispatcher_only(login, world):
    policy = Policy.objects.get(code="mz-dibao")
    url = f"/policies/{policy.code}/responsibilities/"
    # a clerk reads the list but has no form and cannot post
    clerk = login("clerk.lianhua")
    page = clerk.get(url)
    assert page.status_code == 200 and 'data-testid="add-line"' not in page.content.decode()
    assert clerk.post(url, {"area": world.wuxian.code}).status_code == 403
    line = Responsibility.objects.get(policy=policy)
    assert clerk.post(f"/policies/responsibilities/{line.pk}/end/", {"valid_to": "2026-05-01"}).status_code == 403

    dispatcher = login("dispatcher")
    assert 'data-testid="add-line"' in dispatcher.get(url).content.decode()
    bad = dispatcher.post(url, {"area": world.wuxian.code, "department": world.org("区民政局").pk,
                                "handler": world.user("handler.rs").pk, "valid_from": "2026-05-01"})
    assert bad.status_code == 422 and "须为" in bad.content.decode()
    missing = dispatcher.post(url, {"area": "", "valid_from": "not a date"})
    assert missing.status_code == 422
    good = dispatcher.post(url, {"area": world.wuxian.code, "department": world.org("区民政局").pk,
                                 "handler": world.user("handler.mz").pk, "valid_from": "2026-05-01", "note": "x"})
    assert good.status_code == 302
    assert Responsibility.objects.filter(policy=policy, area=world.wuxian).count() == 1
    ended = dispatcher.post(f"/policies/responsibilities/{line.pk}/end/", {"valid_to": "2025-01-01"})
    assert ended.status_code == 422 and "须晚于生效日期" in ended.content.decode()
    assert dispatcher.post(f"/policies/responsibilities/{line.pk}/end/",
                           {"valid_to": "2026-06-01"}).status_code == 302
    line.refresh_from_db()
    assert line.valid_to == date(2026, 6, 1)


def test_standards_page_adds_for_the_admin_only(login, world):
    page = login("dispatcher").get("/policies/standards/")
    assert page.status_code == 200 and "798.10" in page.content.decode()
    assert 'data-testid="add-standard"' not in page.content.decode()
    assert login("dispatcher").post("/policies/standards/", {"kind": "dibao"}).status_code == 403
    admin = login("admin")
    bad = admin.post("/policies/standards/", {"kind": "dibao", "hukou_type": "urban", "amount": "900",
                                              "effective_from": "2026-07-15"})
    assert bad.status_code == 422 and "执行月份须从某月 1 日开始" in bad.content.decode()
    good = admin.post("/policies/standards/", {"kind": "dibao", "hukou_type": "urban", "amount": "900",
                                               "effective_from": "2026-07-01", "basis": "测试"})
    assert good.status_code == 302
    assert Standard.objects.in_force("dibao", date(2026, 7, 1), "urban").amount == 900


def test_person_page_section_lists_suggestions_with_reasons(login, world, make_person,
                                                             django_assert_max_num_queries):
    person = make_person("林老伯", birth=date(1940, 2, 2), hukou_area=world.wuxian_village, hukou_type="rural")
    assign_category(actor=world.user("clerk.wuxian"), category=Category.objects.get(code="tekun"), person=person,
                    valid_from=date(2025, 1, 1), source="decision", reason="审批")
    client = login("clerk.wuxian")
    response = client.get(f"/registry/persons/{person.pk}/")
    body = response.content.decode()
    assert "可能符合的政策" in body and 'data-policy="mz-elderly-allowance"' in body
    assert "现年" in body and "已认定为特困供养" in body
    # another town's clerk does not reach the page, so not the section either
    assert login("clerk.lianhua").get(f"/registry/persons/{person.pk}/").status_code == 404


def test_api_lists_filters_and_shows_a_policy(login, world, django_assert_max_num_queries):
    client = login("clerk.lianhua")
    with django_assert_max_num_queries(8):
        listed = client.get("/api/v1/policies", {"page_size": 100})
    data = listed.json()
    assert data["count"] == 70 and len(data["items"]) == 70
    dibao = next(item for item in data["items"] if item["code"] == "mz-dibao")
    assert dibao["department"]["short_name"] == "区民政局" and dibao["income_ratio"] == "1.00"
    assert client.get("/api/v1/policies", {"department": "人社局"}).json()["count"] >= 5
    assert client.get("/api/v1/policies", {"kind": "loan", "q": "贴息"}).json()["count"] >= 1
    assert client.get("/api/v1/policies", {"q": "gzf"}).json()["items"][0]["code"] == "zj-public-rental"
    wrong = client.get("/api/v1/policies", {"department": "没有的部门"})
    assert wrong.status_code == 422 and "department" in wrong.json()["details"]
    assert client.get("/api/v1/policies", {"kind": "gift"}).status_code == 422
    detail = client.get("/api/v1/policies/mz-dibao").json()
    assert "户口簿" in detail["required_documents"] and detail["responsibilities"][0]["area"] == "350212000000"
    assert client.get("/api/v1/policies/nothing").status_code == 404


def test_api_suggestions_for_a_visible_person_and_404_out_of_scope(login, world, make_person):
    person = make_person("陈阿婆", birth=date(1938, 1, 1), hukou_area=world.wuxian_village)
    client = login("clerk.wuxian")
    response = client.get("/api/v1/policies/suggestions", {"person_id": person.pk, "include_unlikely": "true"})
    assert response.status_code == 200
    data = response.json()
    assert data["facts"]["age"] == timezone.localdate().year - 1938 - (timezone.localdate() < date(
        timezone.localdate().year, 1, 1))
    allowance = next(s for s in data["suggestions"] if s["policy"]["code"] == "mz-elderly-allowance")
    assert allowance["verdict"] == "likely" and allowance["verdict_label"] == "可能符合"
    assert all(check["met"] is True for check in allowance["checks"])
    assert any(s["verdict"] == "unlikely" for s in data["suggestions"])
    # the 莲花镇 clerk gets the same 404 as for a person who does not exist
    other = login("clerk.lianhua").get("/api/v1/policies/suggestions", {"person_id": person.pk})
    assert other.status_code == 404 and "陈阿婆" not in other.content.decode()
    assert login("clerk.lianhua").get("/api/v1/policies/suggestions", {"person_id": 99999999}).status_code == 404
    assert client.get("/api/v1/policies/suggestions").status_code == 422


@pytest.mark.parametrize("path", ["/admin/policies/policy/", "/admin/policies/responsibility/",
                                  "/admin/policies/standard/", "/admin/policies/policy/add/"])
def test_admin_pages_load(login, path):
    assert login("admin").get(path).status_code == 200


def test_admin_policy_change_page_with_inline_lines(login):
    policy = Policy.objects.get(code="mz-dibao")
    response = login("admin").get(f"/admin/policies/policy/{policy.pk}/change/")
    assert response.status_code == 200 and "350212000000" in response.content.decode()


def test_nav_shows_the_catalogue(login):
    assert "/policies/" in login("clerk.lianhua").get("/").content.decode()
