"""The public API: the status of an application by receipt number + ID suffix (no sign-in, the page's
answer and rate limit), and the policy catalogue."""

from __future__ import annotations

from datetime import date

import pytest
from django.urls import reverse

from onedoor.core.idnumber import make_id_number, mask_id_number
from onedoor.intake.models import Application


@pytest.fixture
def application(client, world, catalogue):
    number = make_id_number("350212", date(1966, 2, 3), 444)
    client.post(reverse("portal:apply"), {
        "name": "郑阿姨", "id_number": number, "phone": "13911112222", "window": world.org("五显镇").pk,
        "village": world.wuxian_village.code, "policies": [catalogue["dibao"].pk], "statement": "独居",
        "consent": "on"})
    return Application.objects.get(applicant__id_number=number)


def url(receipt_no: str) -> str:
    return reverse("api:public_application_status", kwargs={"receipt_no": receipt_no})


def test_status_api_answers_without_sign_in_and_without_personal_data(client, application):
    number = application.applicant.id_number

    response = client.get(url(application.receipt_no), {"id_last4": number[-4:]})

    assert response.status_code == 200
    body = response.json()
    assert body["receipt_no"] == application.receipt_no
    assert body["tasks"] == [{
        "policy": "最低生活保障（测试）", "department": "同安区民政局", "state": "returned", "state_label": "待补正材料",
        "due_date": body["tasks"][0]["due_date"], "decided": False, "finished": False,
    }]
    text = response.content.decode()
    for personal in ("郑阿姨", number, mask_id_number(number), "13911112222", "独居"):
        assert personal not in text


def test_status_api_wrong_suffix_and_unknown_receipt_are_the_same_404(client, application):
    wrong = client.get(url(application.receipt_no), {"id_last4": "000X"})
    unknown = client.get(url("110-20000101-0001"), {"id_last4": application.applicant.id_number[-4:]})
    assert wrong.status_code == unknown.status_code == 404
    assert wrong.json() == unknown.json() == {"code": "not_found", "message": "没有找到，或者您无权查看。",
                                              "details": None}


def test_status_api_shares_the_pages_rate_limit(client, application):
    for _ in range(9):
        client.get(url(application.receipt_no), {"id_last4": "0000"})
    client.post(reverse("portal:status"), {"receipt_no": application.receipt_no, "id_last4": "0000"})

    refused = client.get(url(application.receipt_no), {"id_last4": application.applicant.id_number[-4:]})

    assert refused.status_code == 429
    assert refused.json()["code"] == "too_many_requests" and "尝试次数过多" in refused.json()["message"]


def test_status_api_needs_the_suffix(client, application):
    assert client.get(url(application.receipt_no)).status_code == 422


def test_public_policies_lists_and_searches_the_catalogue(client, catalogue, django_assert_max_num_queries):
    with django_assert_max_num_queries(3):
        response = client.get(reverse("api:public_policies"), {"q": "公租房"})
    assert response.status_code == 200
    body = response.json()
    items = {item["code"]: item for item in body["items"]}
    assert body["count"] == len(items) and "t-dibao" not in items
    assert items["t-housing"]["department"] == "同安区住房和建设局"
    assert items["t-housing"]["guide"].startswith("住房困难")
    situation = client.get(reverse("api:public_policies"), {"situation": "illness", "page_size": 500}).json()
    codes = {item["code"] for item in situation["items"]}
    assert "t-medical" in codes and "t-dibao" not in codes
