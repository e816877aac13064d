"""The one state change the public makes: an online application. It finds the applicant in the
registry by ID number — or registers them from what they typed — and submits the application to the
chosen town window through intake's own action (channel 网上申请, no staff actor)."""

from __future__ import annotations

from collections.abc import Sequence

from django.db import transaction

from onedoor.accounts.choices import OrganisationKind
from onedoor.accounts.models import Organisation
from onedoor.core.exceptions import DomainError
from onedoor.core.idnumber import InvalidIdNumber, parse_id_number
from onedoor.core.text import normalize_name
from onedoor.geo.models import Area
from onedoor.intake.actions import submit_application
from onedoor.intake.choices import Channel
from onedoor.intake.models import Application
from onedoor.policies.models import Policy
from onedoor.registry.actions import register_person
from onedoor.registry.models import Person

# Refusals that would tell a stranger something about a registered person get this one answer.
SEE_THE_WINDOW = "该申请无法在网上提交，请携带身份证到所在镇（街、场）受理窗口办理。"


def _registered(id_number: str) -> Person | None:
    person = Person.objects.filter(id_number=id_number).first()
    seen = set()
    while person is not None and person.merged_into_id and person.pk not in seen:
        seen.add(person.pk)
        person = person.merged_into
    return person


@transaction.atomic
def submit_online_application(
    *,
    name: str,
    id_number: str,
    phone: str,
    window: Organisation,
    village: Area,
    policies: Sequence[Policy],
    statement: str = "",
    consent: bool,
) -> Application:
    """An application from the public portal. Nothing of the registry's record is given back: the
    caller shows the applicant only the receipt number and what they typed themselves."""
    if not consent:
        raise DomainError("请阅读并同意核对家庭经济状况后再提交。", code="consent_required",
                          details={"consent": "请勾选同意。"})
    if window.kind != OrganisationKind.TOWN_OFFICE or not window.is_active:
        raise DomainError("请选择一个镇（街、场）受理窗口。", code="not_a_window", details={"window": "请选择受理窗口。"})
    try:
        number = parse_id_number(id_number).number
    except InvalidIdNumber as exc:
        raise DomainError(f"身份证号码有误：{exc.message}", code="invalid_id_number",
                          details={"id_number": exc.message}) from exc

    typed = f"网上申请填写：姓名 {name.strip()}，电话 {phone.strip()}，居住地 {village.parent.name if village.parent else ''}{village.name}。"
    person = _registered(number)
    if person is None:
        person = register_person(actor=None, data={"name": name, "id_number": number, "phone": phone,
                                                   "residence_area": village}, reason="网上申请时自助登记")
    elif person.death_date:
        raise DomainError(SEE_THE_WINDOW, code="see_the_window")
    elif normalize_name(name) != person.name_simplified:
        typed = f"{typed}（姓名与登记信息不一致，请核实身份。）"
    text = f"{typed}\n{statement.strip()}" if statement.strip() else typed
    return submit_application(actor=None, applicant=person, policies=list(policies), window=window,
                              channel=Channel.ONLINE, statement=text, consent_to_checks=True,
                              contact_phone=phone.strip())
