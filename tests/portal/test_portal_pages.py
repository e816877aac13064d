"""The public portal without signing in: the guide, the search, the self-check, the online application
and the status lookup — which shows progress and never the applicant's personal details."""

from __future__ import annotations

import re
from datetime import date

import pytest
from django.urls import reverse

from onedoor.core.idnumber import make_id_number, mask_id_number
from onedoor.intake.choices import Channel, TaskState
from onedoor.intake.models import Application
from onedoor.registry.models import Person


def apply_data(world, catalogue, *, id_number=None, name="王小梅", **extra):
    data = {
        "name": name, "id_number": id_number or make_id_number("350212", date(1970, 5, 6), 222),
        "phone": "13912345678", "window": world.org("五显镇").pk, "village": world.wuxian_village.code,
        "policies": [catalogue["dibao"].pk, catalogue["medical"].pk], "statement": "丈夫去世，孩子在上学。",
        "consent": "on",
    }
    data.update(extra)
    return data


def test_portal_pages_open_to_the_public(client, catalogue, town_window):
    for name in ("portal:home", "portal:policy_list", "portal:windows", "portal:self_check", "portal:apply",
                 "portal:status"):
        response = client.get(reverse(name))
        assert response.status_code == 200, name
        body = response.content.decode()
        assert "工作人员登录" in body and 'id="mainnav"' not in body  # the portal's own header, no staff menu
    home = client.get(reverse("portal:home")).content.decode()
    assert "生活困难" in home and "同安区住房和建设局" in home


def found(client, **query) -> set[str]:
    """The policy codes a guide search lists, over all its pages."""
    codes: set[str] = set()
    for page in range(1, 20):
        body = client.get(reverse("portal:policy_list"), {**query, "page": page}).content.decode()
        codes |= set(re.findall(r'href="/portal/policies/([-\w]+)/"', body))
        if "下一页" not in body:
            return codes
    raise AssertionError("too many pages")


def test_search_finds_dibao_by_keyword_and_traditional_characters(client, catalogue, django_assert_max_num_queries):
    with django_assert_max_num_queries(6):
        response = client.get(reverse("portal:policy_list"), {"q": "低保"})
    assert "最低生活保障" in response.content.decode()
    assert {"t-dibao", "t-medical"} <= found(client, q="低保")  # the 医疗救助 guide names 低保 too
    assert "t-housing" not in found(client, q="低保")
    assert "t-housing" in found(client, q="公租房") and "t-dibao" not in found(client, q="公租房")
    assert "t-medical" in found(client, q="醫療救助")
    assert found(client, q="火星移民") == set()
    assert "没有找到相关政策" in client.get(reverse("portal:policy_list"), {"q": "火星移民"}).content.decode()


def test_browse_by_life_situation_and_by_department(client, catalogue, world):
    assert "t-medical" in found(client, situation="illness") and "t-dibao" not in found(client, situation="illness")
    assert {"t-dibao", "t-medical"} <= found(client, situation="living")
    by_department = found(client, department=world.org("住建局").pk)
    assert "t-housing" in by_department and "t-medical" not in by_department
    # a department that is not a number is ignored, not a 500
    assert client.get(reverse("portal:policy_list"), {"department": "x"}).status_code == 200


def test_policy_page_tells_who_what_how_long_and_where(client, catalogue, town_window):
    body = client.get(reverse("portal:policy_detail", kwargs={"code": "t-dibao"})).content.decode()
    for expected in ("最低生活保障（测试）", "家庭人均收入低于当地低保标准", "户籍在同安区", "户口簿", "30 个工作日",
                     "公示 7 天", "五显镇人民政府", "0592-7000110", "五显镇政府一楼便民服务大厅"):
        assert expected in body, expected
    assert client.get(reverse("portal:policy_detail", kwargs={"code": "no-such"})).status_code == 404


def test_online_application_registers_the_applicant_and_files_it_at_the_town_window(client, world, catalogue):
    # given someone not yet in the registry
    data = apply_data(world, catalogue)

    # when they apply online
    response = client.post(reverse("portal:apply"), data)

    # then an online application stands at the 五显镇 window with a receipt number and one task per policy
    assert response.status_code == 302 and response["Location"] == reverse("portal:apply_done")
    application = Application.objects.get(applicant__id_number=data["id_number"])
    assert application.channel == Channel.ONLINE
    assert application.window == world.org("五显镇")
    assert application.clerk is None and application.consent_to_checks
    assert application.contact_phone == "13912345678"
    assert application.receipt_no.startswith("110-")
    assert set(application.tasks.values_list("policy__code", flat=True)) == {"t-dibao", "t-medical"}
    assert "丈夫去世" in application.statement
    person = Person.objects.get(id_number=data["id_number"])
    assert person.residence_area == world.wuxian_village

    done = client.get(response["Location"]).content.decode()
    assert application.receipt_no in done and "王小梅" in done and "最低生活保障" in done


def test_online_application_of_a_registered_person_shows_nothing_of_the_registry(client, world, catalogue,
                                                                                 make_person):
    # given a registered person with an address the applicant did not type
    person = make_person("杨全", address="五显镇登记路 8 号", phone="13800000008")

    response = client.post(reverse("portal:apply"), apply_data(world, catalogue, id_number=person.id_number,
                                                                  name="杨全"), follow=True)

    body = response.content.decode()
    application = Application.objects.get(applicant=person)
    assert application.receipt_no in body
    assert "五显镇登记路" not in body and "13800000008" not in body and person.id_number not in body
    assert Person.objects.filter(id_number=person.id_number).count() == 1


def test_online_application_refuses_bad_input_naming_the_field(client, world, catalogue):
    data = apply_data(world, catalogue, id_number="350212197005061234", phone="12", consent="")
    data.pop("policies")

    response = client.post(reverse("portal:apply"), data)

    body = response.content.decode()
    assert response.status_code == 200
    assert "身份证号码有误" in body and "校验码错误" in body
    assert "电话号码格式不正确" in body and "请勾选同意后再提交" in body and "请至少选择一项要申请的事项" in body
    assert not Application.objects.exists()


def test_village_must_belong_to_the_chosen_town(client, world, catalogue):
    data = apply_data(world, catalogue, village=world.lianhua_village.code)
    body = client.post(reverse("portal:apply"), data).content.decode()
    assert "不属于五显镇" in body
    assert not Application.objects.exists()


def test_online_applications_are_rate_limited(client, world, catalogue):
    for n in range(5):
        data = apply_data(world, catalogue, id_number=make_id_number("350212", date(1970, 5, 6), 300 + 2 * n))
        assert client.post(reverse("portal:apply"), data).status_code == 302
    refused = client.post(reverse("portal:apply"), apply_data(world, catalogue))
    assert refused.status_code == 429 and "尝试次数过多" in refused.content.decode()
    assert Application.objects.count() == 5


def test_the_form_needs_the_csrf_token(world, catalogue):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    assert strict.post(reverse("portal:apply"), apply_data(world, catalogue)).status_code == 403
    assert strict.post(reverse("portal:status"), {"receipt_no": "x", "id_last4": "1234"}).status_code == 403


@pytest.fixture
def online_application(client, world, catalogue):
    data = apply_data(world, catalogue)
    client.post(reverse("portal:apply"), data)
    client.session.flush()
    return Application.objects.get(applicant__id_number=data["id_number"])


def test_status_lookup_shows_progress_without_personal_details(client, online_application):
    application = online_application
    person = application.applicant
    dibao = application.tasks.get(policy__code="t-dibao")
    dibao.decided_amount = "765.43"
    dibao.save(update_fields=["decided_amount"])

    response = client.post(reverse("portal:status"), {"receipt_no": application.receipt_no,
                                                      "id_last4": person.id_number[-4:]})

    body = response.content.decode()
    assert response.status_code == 200
    assert "最低生活保障（测试）" in body and "医疗救助（测试）" in body and "同安区民政局" in body and "同安区医疗保障局" in body
    assert str(TaskState.RECEIVED.label) in body or str(TaskState.RETURNED.label) in body
    for personal in (person.name, person.id_number, mask_id_number(person.id_number), "765.43", "13912345678",
                     "丈夫去世", "王小梅"):
        assert personal not in body, personal


def test_wrong_suffix_answers_like_an_unknown_receipt(client, online_application):
    number = online_application.applicant.id_number
    wrong = f"{(int(number[-4:-1]) + 1) % 1000:03d}{number[-1]}"

    wrong_suffix = client.post(reverse("portal:status"), {"receipt_no": online_application.receipt_no,
                                                          "id_last4": wrong})
    unknown = client.post(reverse("portal:status"), {"receipt_no": "110-20000101-9999", "id_last4": wrong})

    assert "未找到" in wrong_suffix.content.decode() and "最低生活保障" not in wrong_suffix.content.decode()
    def comparable(response, receipt_no):
        body = re.sub(r'name="csrfmiddlewaretoken" value="\w+"', "", response.content.decode())
        return body.replace(receipt_no, "R")

    assert comparable(wrong_suffix, online_application.receipt_no) == comparable(unknown, "110-20000101-9999")


def test_suffix_accepts_lower_case_x_and_full_width_digits(client, world, catalogue):
    # a number whose check character is X
    number = next(make_id_number("350212", date(1980, 1, 1), seq) for seq in range(1, 999, 2)
                  if make_id_number("350212", date(1980, 1, 1), seq).endswith("X"))
    client.post(reverse("portal:apply"), apply_data(world, catalogue, id_number=number.lower()))
    application = Application.objects.get(applicant__id_number=number)
    full_width = "".join(chr(ord(c) + 0xFEE0) if c.isdigit() else c.lower() for c in number[-4:])

    response = client.post(reverse("portal:status"), {"receipt_no": f" {application.receipt_no} ",
                                                      "id_last4": full_width})

    assert "最低生活保障" in response.content.decode()


def test_status_lookup_is_rate_limited(client, online_application):
    for _ in range(10):
        assert client.post(reverse("portal:status"), {"receipt_no": online_application.receipt_no,
                                                      "id_last4": "0000"}).status_code == 200
    refused = client.post(reverse("portal:status"), {"receipt_no": online_application.receipt_no,
                                                     "id_last4": online_application.applicant.id_number[-4:]})
    assert refused.status_code == 429
    body = refused.content.decode()
    assert "尝试次数过多" in body and "10分钟" in body and "最低生活保障" not in body


def test_rate_limit_counts_the_client_address_not_a_forged_header(client, online_application, settings):
    settings.BEHIND_PROXY = False
    for n in range(10):
        client.post(reverse("portal:status"), {"receipt_no": "x", "id_last4": "0000"},
                    HTTP_X_FORWARDED_FOR=f"10.0.0.{n}")
    assert client.post(reverse("portal:status"), {"receipt_no": "x", "id_last4": "0000"},
                       HTTP_X_FORWARDED_FOR="10.9.9.9").status_code == 429


def test_status_form_names_bad_fields(client, world):
    body = client.post(reverse("portal:status"), {"receipt_no": "", "id_last4": "12"}).content.decode()
    assert "请填写受理编号" in body and "身份证号码的最后四位" in body


def test_login_page_links_to_the_portal(client, world):
    assert reverse("portal:home") in client.get(reverse("accounts:login")).content.decode()


def self_check(client, **answers):
    data = {"age": "68", "local_hukou": "yes", "hukou_type": "rural", "household_size": "2",
            "monthly_income": "600", **answers}
    return client.post(reverse("portal:self_check"), data)


def suggested(response) -> dict[str, str]:
    """Each suggested policy code with the text of its card."""
    body = response.content.decode()
    assert 'data-testid="self-check-results"' in body
    results = body.split('data-testid="self-check-results"')[1].split("</section>")[0]
    cards = {}
    for card in results.split('<div class="card mb-3">')[1:]:
        code = re.search(r'href="/portal/policies/([-\w]+)/"', card).group(1)
        cards[code] = card
    return cards


@pytest.fixture
def dibao_standard(world):
    """A rural 低保标准 of 900 yuan from this month (newer than any shipped one, so it is the one in force)."""
    from django.utils import timezone

    from onedoor.policies.models import Standard

    standard, _ = Standard.objects.update_or_create(
        kind="dibao", hukou_type="rural", effective_from=timezone.localdate().replace(day=1),
        defaults={"amount": "900.00"})
    return standard


def test_self_check_suggests_dibao_for_a_poor_local_household_and_says_why(client, catalogue, dibao_standard):
    cards = suggested(self_check(client))

    assert "可能符合" in cards["t-dibao"]
    assert "300.00 元" in cards["t-dibao"] and "低于" in cards["t-dibao"]  # 600 yuan for two, below 900
    assert "t-medical" not in cards  # needs 低保 or 特困 already


def test_self_check_with_dibao_held_adds_medical_assistance(client, catalogue, dibao_standard):
    cards = suggested(self_check(client, categories=["dibao"], situations=["illness"]))

    assert "已认定为低保" in cards["t-medical"]
    assert "t-dibao" not in cards  # only what fits the situation chosen (疾病就医)


def test_self_check_names_bad_answers(client, catalogue):
    body = self_check(client, age="abc", household_size="0", monthly_income="-5").content.decode()
    assert "年龄请填数字" in body and "家庭人口至少 1 人" in body and "收入不能为负数" in body
    assert 'data-testid="self-check-results"' not in body
