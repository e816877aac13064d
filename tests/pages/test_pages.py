"""The UI shell: home per role, navigation, error pages, language switch, health, tools, areas."""

import pytest

ROLES = ["admin", "dispatcher", "clerk.wuxian", "clerk.lianhua", "handler.mz", "handler.rs", "social.worker",
         "storekeeper", "patrol", "finance", "leader"]


@pytest.mark.parametrize("username", ROLES)
def test_every_demo_account_gets_a_home_page(login, username, django_assert_max_num_queries):
    client = login(username)
    with django_assert_max_num_queries(12):
        response = client.get("/")
    assert response.status_code == 200
    body = response.content.decode()
    assert 'data-panel="scope"' in body or username == "admin"
    assert 'data-panel="jobs"' in body


def test_window_clerk_menu_has_tools_but_leader_does_not(login):
    assert "/tools/workdays/" in login("clerk.wuxian").get("/").content.decode()
    assert "/tools/workdays/" not in login("leader").get("/").content.decode()


def test_404_page_is_chinese(login):
    response = login("leader").get("/no/such/page/")
    assert response.status_code == 404
    assert "没有找到" in response.content.decode()


def test_english_is_switchable(login):
    client = login("leader")
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    body = client.get("/").content.decode()
    assert 'lang="en"' in body
    assert "Background jobs" in body and "Leader" in body
    assert "后台任务" not in body


def test_health_endpoint(client, world):
    body = client.get("/healthz").json()
    assert body["status"] == "ok" and body["database"] in ("sqlite", "postgresql")


def test_workdays_tool_page(login):
    body = login("clerk.wuxian").get("/tools/workdays/", {"start": "2024-09-30", "days": 1}).content.decode()
    assert "2024年10月8日" in body


def test_workdays_tool_rejects_bad_input_in_chinese(login):
    response = login("clerk.wuxian").get("/tools/workdays/", {"start": "not-a-date", "days": "-3"})
    assert response.status_code == 200
    body = response.content.decode()
    assert "is-invalid" in body


def test_id_number_tool_page(login):
    client = login("clerk.wuxian")
    ok = client.post("/tools/id-number/", {"number": "１１０１０５１９４９１２３１００２ｘ"}).content.decode()
    assert "110105********002X" in ok and "1949年12月31日" in ok
    bad = client.post("/tools/id-number/", {"number": "110105194912310021"}).content.decode()
    assert "校验码" in bad


def test_area_list_live_search_returns_rows_only_for_htmx(login):
    client = login("dispatcher")
    full = client.get("/areas/", {"q": "lh"})
    partial = client.get("/areas/", {"q": "lh"}, HTTP_HX_REQUEST="true")
    assert "<html" in full.content.decode()
    body = partial.content.decode()
    assert "<html" not in body and "莲花镇" in body


def test_area_list_is_paginated_with_bounded_queries(login, django_assert_max_num_queries):
    client = login("dispatcher")
    # session, user, grants, count, the user's organisation (menu), the page of areas, the chart's
    # towns and units, session save (3 with its savepoint): the same whatever the page or table size
    with django_assert_max_num_queries(12):
        response = client.get("/areas/", {"page": 2})
    assert response.status_code == 200
    assert "第 2 /" in response.content.decode()


def test_area_detail_shows_children_and_local_code_note(login):
    body = login("dispatcher").get("/areas/350212L01000/").content.decode()
    assert "竹坝华侨农场" in body and "本地代码" in body


def test_ended_area_page_names_its_successor(login):
    body = login("dispatcher").get("/areas/350212106001/").content.decode()
    assert "撤并" in body and "350212007007" in body


def test_area_print_is_a_pdf_with_chinese(login):
    import io

    from pypdf import PdfReader

    response = login("clerk.lianhua").get("/areas/print.pdf")
    assert response["Content-Type"] == "application/pdf"
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    assert "莲花镇" in text and "行政区划代码表" in text


def test_a_refused_action_in_a_page_shows_its_message_not_a_500(login, settings):
    from django.urls import path

    from onedoor.core.exceptions import Conflict

    def refuse(request):
        raise Conflict("该申请已经提交，不能重复提交。")

    import onedoor.urls

    settings.ROOT_URLCONF = type("U", (), {"urlpatterns": [path("refuse/", refuse), *onedoor.urls.urlpatterns]})
    response = login("leader").get("/refuse/")
    assert response.status_code == 409
    assert "不能重复提交" in response.content.decode() and "没有保存任何改动" in response.content.decode()


def test_chinese_stays_the_default_whatever_the_browser_asks(login):
    client = login("leader")
    body = client.get("/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()
    assert 'lang="zh-hans"' in body and "后台任务" in body
