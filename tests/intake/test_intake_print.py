"""The printed documents of intake: 受理回执, 补正告知书, 公示 and the village notice list. Each PDF's
text is extracted with pypdf and checked for the Chinese, the receipt number, the masked ID number —
and the absence of the full one. Another town's documents answer 404."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from django.urls import reverse
from pypdf import PdfReader

from onedoor.core.idnumber import mask_id_number
from onedoor.core.pdf import font_available
from onedoor.intake import actions, documents

pytestmark = pytest.mark.skipif(not font_available(), reason="no Chinese font (fc-list :lang=zh)")


def pdf_text(response) -> str:
    assert response.status_code == 200, response.content[:300]
    assert response["Content-Type"] == "application/pdf"
    content = b"".join(response.streaming_content) if response.streaming else response.content
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


def flat(text: str) -> str:
    """pypdf may break lines inside a sentence; compare without whitespace."""
    return "".join(text.split())


@pytest.fixture
def noticed(world, make_policy, submit, make_person):
    """A 低保 task of a 五显镇 applicant put on public notice with an amount."""
    policy = make_policy("最低生活保障", notice_required=True)
    applicant = make_person("陈阿婆")
    task = submit([policy], applicant=applicant).tasks.get()
    handler = world.user("handler.mz")
    actions.accept_task(task, actor=handler)
    actions.start_investigation(task, actor=handler)
    actions.propose_decision(task, actor=handler, note="人均收入低于标准", amount=Decimal("652.00"))
    return actions.publish_notice(task, actor=handler)


def test_receipt_names_policies_departments_documents_and_how_to_follow(world, login, make_policy, submit,
                                                                         make_person):
    # given an application for two policies, one document short
    dibao = make_policy("最低生活保障", required_documents=["户口簿", "收入证明"])
    housing = make_policy("公共租赁住房保障", department="住建局")
    applicant = make_person("杨全")
    application = submit([dibao, housing], applicant=applicant, documents=["户口簿"])

    # when the clerk of the window prints the receipt
    response = login("clerk.wuxian").get(reverse("intake_print:receipt", kwargs={"receipt_no": application.receipt_no}))

    # then it has everything the applicant needs, and the ID number only masked
    text = flat(pdf_text(response))
    for expected in ("受理回执", application.receipt_no, "杨全", mask_id_number(applicant.id_number),
                     "最低生活保障", "同安区民政局", "公共租赁住房保障", "同安区住房和建设局", "户口簿",
                     "需补正材料", "收入证明", "身份证号码后四位", "/portal/status/", "五显镇人民政府"):
        assert expected in text, expected
    assert applicant.id_number not in text
    housing_task = application.tasks.get(policy=housing)
    assert f"{housing_task.due_date:%Y年%-m月%-d日}" in text


def test_supplement_notice_lists_everything_missing_and_stops_the_clock(world, login, make_policy, submit,
                                                                        make_person):
    dibao = make_policy("最低生活保障", required_documents=["户口簿", "收入证明"])
    medical = make_policy("医疗救助", department="医保局", required_documents=["病历/诊断证明"])
    applicant = make_person("林阿公")
    application = submit([dibao, medical], applicant=applicant, documents=["户口簿"])
    notice = application.supplement_notices.get()

    text = flat(pdf_text(login("clerk.wuxian").get(reverse("intake_print:supplement", kwargs={"pk": notice.pk}))))

    for expected in ("补正材料告知书", application.receipt_no, "林阿公", mask_id_number(applicant.id_number),
                     "最低生活保障", "收入证明", "医疗救助", "病历/诊断证明", "暂停计算", "继续计算",
                     f"{notice.issued_on:%Y年%-m月%-d日}"):
        assert expected in text, expected
    assert applicant.id_number not in text


def test_public_notice_shows_name_household_size_amount_and_no_id(world, login, noticed):
    applicant = noticed.task.application.applicant

    text = flat(pdf_text(login("handler.mz").get(reverse("intake_print:notice", kwargs={"pk": noticed.pk}))))

    for expected in ("最低生活保障公示", "陈阿婆", "652.00", "公示期", f"{noticed.ends_on:%Y年%-m月%-d日}",
                     world.wuxian_village.name, "异议", "同安区民政局"):
        assert expected in text, expected
    assert applicant.id_number not in text
    assert applicant.id_number[-4:] not in text.replace(mask_id_number(applicant.id_number), "")


def test_an_id_number_stored_in_a_notice_is_printed_masked(world, noticed):
    # given notice content that (wrongly) carries an ID number, e.g. typed into the name by hand
    number = noticed.task.application.applicant.id_number
    noticed.content = {**noticed.content, "name": f"陈阿婆 {number}"}

    text = flat("\n".join(page.extract_text() for page in PdfReader(io.BytesIO(documents.notice_pdf(noticed))).pages))

    assert number not in text
    assert mask_id_number(number) in text


def test_village_notice_list_has_every_running_notice_of_the_village(world, login, noticed):
    response = login("clerk.wuxian").get(
        reverse("intake_print:village_notices", kwargs={"code": noticed.place_id}))

    text = flat(pdf_text(response))
    assert "社会救助公示" in text and "陈阿婆" in text and "652.00" in text and "最低生活保障" in text
    assert noticed.task.application.applicant.id_number not in text


def test_another_towns_documents_answer_404(world, login, noticed, make_policy, submit):
    application = noticed.task.application
    supplement = submit([make_policy("医疗救助", required_documents=["病历"])]).supplement_notices.get()
    client = login("clerk.lianhua")

    for url in (reverse("intake_print:receipt", kwargs={"receipt_no": application.receipt_no}),
                reverse("intake_print:supplement", kwargs={"pk": supplement.pk}),
                reverse("intake_print:notice", kwargs={"pk": noticed.pk}),
                reverse("intake_print:village_notices", kwargs={"code": noticed.place_id})):
        assert client.get(url).status_code == 404, url


def test_a_handler_prints_the_notice_of_their_departments_task_only(world, login, noticed):
    assert login("handler.rs").get(reverse("intake_print:notice", kwargs={"pk": noticed.pk})).status_code == 404


def test_printing_needs_a_signed_in_user(client, world, noticed):
    response = client.get(reverse("intake_print:notice", kwargs={"pk": noticed.pk}))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
