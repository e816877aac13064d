"""The API shell: OpenAPI, docs, auth (session and bearer token), JSON errors, scoping."""

from datetime import timedelta

from django.utils import timezone

from onedoor.accounts.actions import issue_api_token, revoke_api_token
from onedoor.accounts.models import ApiToken
from onedoor.demo.demo_steps import DEMO_PASSWORD as PASSWORD


def test_openapi_lists_the_routes(client, world):
    spec = client.get("/api/v1/openapi.json").json()
    assert spec["openapi"].startswith("3.")
    for path in ("/api/v1/areas", "/api/v1/areas/{code}", "/api/v1/me", "/api/v1/auth/token", "/api/v1/jobs/{job_id}"):
        assert path in spec["paths"], path


def test_docs_page_is_served(client, world):
    response = client.get("/api/v1/docs")
    assert response.status_code == 200


def test_anonymous_call_gets_json_401(client, world):
    response = client.get("/api/v1/me")
    assert response.status_code == 401
    body = response.json()
    assert body["code"] == "unauthenticated" and body["message"]
    assert set(body) == {"code", "message", "details"}


def test_token_round_trip(client, world):
    response = client.post("/api/v1/auth/token", {"username": "clerk.wuxian", "password": PASSWORD},
                           content_type="application/json")
    assert response.status_code == 200
    token = response.json()["token"]
    me = client.get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {token}").json()
    assert me["username"] == "clerk.wuxian"
    assert me["roles"][0]["area_code"] == "350212110000"
    stored = ApiToken.objects.get(user__username="clerk.wuxian")
    assert token not in (stored.key_hash, stored.hint) and stored.last_used_at is not None


def test_wrong_password_gets_401_json(client, world):
    response = client.post("/api/v1/auth/token", {"username": "clerk.wuxian", "password": "nope"},
                           content_type="application/json")
    assert response.status_code == 401
    assert response.json()["message"] == "用户名或密码不正确。"


def test_revoked_and_expired_tokens_are_refused(client, world):
    user = world.user("leader")
    token, raw = issue_api_token(user=user)
    assert client.get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {raw}").status_code == 200
    revoke_api_token(actor=user, token=token)
    assert client.get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {raw}").status_code == 401
    token2, raw2 = issue_api_token(user=user)
    ApiToken.objects.filter(pk=token2.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert client.get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {raw2}").status_code == 401


def test_validation_error_names_the_field(login):
    response = login("dispatcher").get("/api/v1/tools/workdays", {"start": "2026-13-01", "days": "x"})
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "validation_error"
    fields = {tuple(err["loc"])[-1] for err in body["details"]}
    assert {"start", "days"} <= fields


def test_not_found_is_json(login):
    response = login("dispatcher").get("/api/v1/areas/999999999999")
    assert response.status_code == 404
    assert response.json() == {"code": "not_found", "message": "没有找到，或者您无权查看。", "details": None}


def test_areas_list_is_scoped_and_paginated(login, django_assert_max_num_queries):
    client = login("clerk.wuxian")
    # session, user, grants, count, one page of areas, then the session save (3 with its savepoint)
    with django_assert_max_num_queries(8):
        body = client.get("/api/v1/areas").json()
    codes = [item["code"] for item in body["items"]]
    assert codes and all(code.startswith("350212110") for code in codes)
    assert body["count"] == len(codes)


def test_area_search_by_initials(login):
    body = login("dispatcher").get("/api/v1/areas", {"q": "wx", "level": "town"}).json()
    assert [item["name"] for item in body["items"]] == ["五显镇"]


def test_session_post_without_csrf_is_refused(world):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(world.user("dispatcher"), backend="django.contrib.auth.backends.ModelBackend")
    response = client.post("/api/v1/tools/id-number", {"number": "11010519491231002X"},
                           content_type="application/json")
    assert response.status_code == 403


def test_id_number_check_masks_and_explains(login):
    client = login("clerk.wuxian")
    ok = client.post("/api/v1/tools/id-number", {"number": "11010519491231002x"}, content_type="application/json").json()
    assert ok["valid"] and ok["masked"] == "110105********002X" and ok["birth_date"] == "1949-12-31"
    bad = client.post("/api/v1/tools/id-number", {"number": "110105194912310021"}, content_type="application/json").json()
    assert not bad["valid"] and "校验码" in bad["message"]


def test_workdays_over_national_day(login):
    body = login("handler.mz").get("/api/v1/tools/workdays", {"start": "2024-09-30", "days": 1}).json()
    assert body == {"start": "2024-09-30", "days": 1, "due": "2024-10-08", "estimated": False}


def test_api_lockout_answers_in_json(client, world):
    for _ in range(5):
        client.post("/api/v1/auth/token", {"username": "finance", "password": "nope"},
                    content_type="application/json")
    response = client.post("/api/v1/auth/token", {"username": "finance", "password": PASSWORD},
                           content_type="application/json")
    assert response.status_code == 429
    assert response.json()["code"] == "locked_out"


def test_absurd_page_number_is_a_422_not_a_500(login):
    response = login("dispatcher").get("/api/v1/areas", {"page": 10**18})
    assert response.status_code == 422
    assert response.json()["details"][0]["loc"][-1] == "page"


def test_nul_in_credentials_is_refused_before_any_lookup(client, world):
    response = client.post("/api/v1/auth/token", {"username": "clerk\x00", "password": "x"},
                           content_type="application/json")
    assert response.status_code == 400


def test_nul_in_query_or_json_is_a_400_not_a_database_error(login):
    client = login("dispatcher")
    response = client.get("/api/v1/areas", {"q": "五\x00显"})
    assert response.status_code == 400 and response.json()["code"] == "bad_request"
    response = client.post("/api/v1/tools/id-number", '{"number": "1\\u0000"}', content_type="application/json")
    assert response.status_code == 400
    assert client.get("/areas/", {"q": "\x00"}).status_code == 400
