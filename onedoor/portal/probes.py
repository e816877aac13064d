"""Out-of-scope probes of the public portal. The guide, the windows, the self-check and the
application form read only public data (the catalogue, the organisations): `Unscoped` with the
reason. The status lookup reads one application — so it is probed: with a 五显镇 receipt and a wrong
ID suffix it must show nothing; with the right one, progress only: no name, no ID number, no amount,
no statement, and nothing naming 五显."""

from __future__ import annotations

import itertools
from datetime import date, timedelta

from django.urls import reverse

from onedoor.core.idnumber import make_id_number, mask_id_number
from onedoor.core.probes import FOREIGN_MARKER, Probe, Unscoped

_serial = itertools.count()


def _wuxian_application(world):
    """An online-style application of a 五显镇 person, decided with an amount, named 五显 everywhere."""
    from onedoor.intake.actions import submit_application
    from onedoor.policies.models import Policy
    from onedoor.registry.actions import register_person

    policy, _ = Policy.objects.get_or_create(code="probe-portal-relief", defaults={
        "name": "探针临时救助", "department": world.org("区民政局"), "kind": "one_off_cash"})
    n = next(_serial)
    person = register_person(actor=world.user("clerk.wuxian"), data={
        "name": "五显探针人", "id_number": make_id_number("350212", date(1960, 1, 1) + timedelta(days=n), 301 + 2 * n),
        "residence_area": world.wuxian_village, "address": "五显镇探针路 1 号", "phone": "13900000002"})
    application = submit_application(actor=world.user("clerk.wuxian"), applicant=person, policies=[policy],
                                     window=world.org("五显镇"), statement="五显探针事由",
                                     contact_phone="13900000002")
    task = application.tasks.get()
    task.decided_amount = "1234.56"
    task.save(update_fields=["decided_amount"])
    return application


def _personal(application) -> list[str]:
    person = application.applicant
    return [FOREIGN_MARKER, person.name, person.id_number, mask_id_number(person.id_number), "1234.56",
            "13900000002", application.statement]


def _assert_nothing_personal(body: str, application) -> None:
    for text in _personal(application):
        assert text not in body, f"the public status answer shows {text!r}"


def _wrong_suffix(number: str) -> str:
    last = number[-4:]
    return f"{(int(last[:3]) + 1) % 1000:03d}{last[3]}"


def _check_status_page(client, world) -> None:
    from . import ratelimit

    ratelimit.reset(ratelimit.lookup_limit(), "127.0.0.1")
    application = _wuxian_application(world)
    url = reverse("portal:status")
    wrong = client.post(url, {"receipt_no": application.receipt_no,
                              "id_last4": _wrong_suffix(application.applicant.id_number)})
    assert wrong.status_code == 200 and "未找到" in wrong.content.decode()
    _assert_nothing_personal(wrong.content.decode(), application)
    right = client.post(url, {"receipt_no": application.receipt_no, "id_last4": application.applicant.id_number[-4:]})
    body = right.content.decode()
    assert right.status_code == 200 and "探针临时救助" in body
    _assert_nothing_personal(body, application)


def _check_status_api(client, world) -> None:
    from . import ratelimit

    ratelimit.reset(ratelimit.lookup_limit(), "127.0.0.1")
    application = _wuxian_application(world)
    url = reverse("api:public_application_status", kwargs={"receipt_no": application.receipt_no})
    wrong = client.get(url, {"id_last4": _wrong_suffix(application.applicant.id_number)})
    assert wrong.status_code == 404
    _assert_nothing_personal(wrong.content.decode(), application)
    right = client.get(url, {"id_last4": application.applicant.id_number[-4:]})
    assert right.status_code == 200 and right.json()["tasks"][0]["policy"] == "探针临时救助"
    _assert_nothing_personal(right.content.decode(), application)


PUBLIC = "公众页面，只读取公开的政策目录和受理窗口，不读取个人数据"

PROBES = [
    Unscoped("portal:home", PUBLIC),
    Unscoped("portal:policy_list", PUBLIC),
    Unscoped("portal:policy_detail", PUBLIC),
    Unscoped("portal:windows", PUBLIC),
    Unscoped("portal:self_check", "自助测算，只根据填写的情况和公开的政策目录作答，不读取个人数据"),
    Unscoped("portal:apply", "网上申请表单，只写入（经申请动作），不显示任何已登记的数据"),
    Unscoped("portal:apply_done", "只显示本人刚刚填写的内容和受理编号（存于本人会话）"),
    Probe("portal:status", expect="check", check=_check_status_page),
    Probe("api:public_application_status", expect="check", check=_check_status_api),
    Unscoped("api:public_policies", PUBLIC),
]
