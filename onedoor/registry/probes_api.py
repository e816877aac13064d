"""Out-of-scope probes of the registry API: the 莲花镇 clerk against 五显镇's people, households and
categories. Reads answer 404 or leave the foreign person out; writes answer 404 (or 422 for a foreign
residence) and change nothing."""

from __future__ import annotations

import json
from datetime import date

from onedoor.core.probes import FOREIGN_MARKER, Probe

FOREIGN_NAME = f"{FOREIGN_MARKER}测试人"
FOREIGN_BIRTH = date(1950, 6, 7)
LOCAL_NAME = "莲花测试人"


def _id_number(seq: int) -> str:
    from onedoor.core.idnumber import make_id_number

    return make_id_number("350212", FOREIGN_BIRTH, seq)


def foreign_person(world):
    """A person of 五显镇 named with FOREIGN_MARKER, registered by its clerk (built once per test)."""
    from onedoor.registry.actions import register_person
    from onedoor.registry.models import Person

    number = _id_number(901)
    return Person.objects.filter(id_number=number).first() or register_person(
        actor=world.user("clerk.wuxian"),
        data={"name": FOREIGN_NAME, "id_number": number, "residence_area": world.wuxian_village,
              "phone": "13905920000", "monthly_income": "800.00", "bank_account": "6222020200112233445"})


def local_person(world):
    """A person of 莲花镇, so that an empty answer is not mistaken for a scoped one."""
    from onedoor.registry.actions import register_person
    from onedoor.registry.models import Person

    number = _id_number(903)
    return Person.objects.filter(id_number=number).first() or register_person(
        actor=world.user("clerk.lianhua"),
        data={"name": LOCAL_NAME, "id_number": number, "residence_area": world.lianhua_village})


def foreign_household(world):
    from onedoor.registry.actions import create_household

    head = foreign_person(world)
    return head.headed_households.first() or create_household(actor=world.user("clerk.wuxian"), head=head,
                                                              formed_on=date(2025, 1, 1))


def foreign_assignment(world):
    """The foreign person in 特困供养 and the foreign household in 低保 (both open); returns the first."""
    from onedoor.registry.actions import assign_category
    from onedoor.registry.models import Category, CategoryAssignment

    person, household = foreign_person(world), foreign_household(world)
    clerk = world.user("clerk.wuxian")
    found = CategoryAssignment.objects.filter(person=person, category__code="tekun").first()
    if found is None:
        found = assign_category(actor=clerk, category=Category.objects.get(code="tekun"), person=person,
                                valid_from=date(2025, 1, 1), source="decision", reason="五显镇审批")
        assign_category(actor=clerk, category=Category.objects.get(code="dibao"), household=household,
                        valid_from=date(2025, 1, 1), source="decision", reason="五显镇审批")
    return found


def _everything_foreign(world) -> None:
    foreign_assignment(world)
    local_person(world)


def _send(client, method: str, url: str, data: dict):
    return client.generic(method, url, json.dumps(data), content_type="application/json")


def _snapshot(world) -> dict:
    """What the probes' writes must leave untouched."""
    from onedoor.core.models import AccessLog
    from onedoor.registry.models import CategoryAssignment, Person, RegistryEvent

    person = Person.objects.get(pk=foreign_person(world).pk)
    return {
        "person": {f.attname: getattr(person, f.attname) for f in person._meta.concrete_fields},
        "persons": Person.objects.count(),
        "assignments": list(CategoryAssignment.objects.order_by("pk").values_list("pk", "valid_to", "end_reason")),
        "events": RegistryEvent.objects.count(),
        "access_log": AccessLog.objects.count(),
    }


def _foreign_person_hidden_even_when_unmasking(client, world) -> None:
    person = foreign_person(world)
    before = _snapshot(world)
    response = client.get(f"/api/v1/persons/{person.pk}", {"unmask": "true", "reason": "核对"})
    assert response.status_code == 404, response.status_code
    assert FOREIGN_MARKER not in response.content.decode()
    assert _snapshot(world) == before  # no access-log row for a person out of reach


def _cannot_register_into_a_foreign_village(client, world) -> None:
    before = _snapshot(world)
    response = _send(client, "POST", "/api/v1/persons", {
        "name": "新登记人", "id_number": _id_number(905), "residence_area": world.wuxian_village.code})
    assert response.status_code == 422, response.status_code
    assert "residence_area" in response.json()["details"]
    assert FOREIGN_MARKER not in response.content.decode()
    assert _snapshot(world) == before


def _cannot_change_a_foreign_person(client, world) -> None:
    person = foreign_person(world)
    before = _snapshot(world)
    response = _send(client, "PATCH", f"/api/v1/persons/{person.pk}", {"phone": "13800000000", "reason": "越权"})
    assert response.status_code == 404, response.status_code
    # Nor move a person of one's own town into the other town.
    own = local_person(world)
    before = _snapshot(world)
    response = _send(client, "PATCH", f"/api/v1/persons/{own.pk}",
                     {"residence_area": world.wuxian_village.code, "reason": "迁居"})
    assert response.status_code == 422, response.status_code
    assert "residence_area" in response.json()["details"]
    assert _snapshot(world) == before


def _cannot_assign_to_foreign_subjects(client, world) -> None:
    person, household = foreign_person(world), foreign_household(world)
    before = _snapshot(world)
    for subject in ({"person_id": person.pk, "category": "orphan"}, {"household_id": household.pk,
                                                                      "category": "dibao_edge"}):
        response = _send(client, "POST", "/api/v1/category-assignments",
                         {**subject, "valid_from": "2026-01-01", "source": "manual", "reason": "越权"})
        assert response.status_code == 404, response.status_code
    assert _snapshot(world) == before


def _cannot_end_a_foreign_assignment(client, world) -> None:
    assignment = foreign_assignment(world)
    before = _snapshot(world)
    response = _send(client, "POST", f"/api/v1/category-assignments/{assignment.pk}/end",
                     {"valid_to": "2026-06-01", "reason": "越权"})
    assert response.status_code == 404, response.status_code
    assert _snapshot(world) == before


PROBES = [
    Probe("api:list_persons", expect="absent", given=_everything_foreign),
    Probe("api:list_persons", expect="absent", given=_everything_foreign, query={"q": FOREIGN_MARKER}),
    Probe("api:list_persons", expect="absent", given=_everything_foreign, query={"q": "wxcs"}),
    Probe("api:list_persons", expect="absent", given=_everything_foreign, query={"q": _id_number(901)[-6:]}),
    Probe("api:list_persons", expect="absent", given=_everything_foreign,
          query={"category": "tekun", "include_deceased": "true"}),
    Probe("api:list_persons", expect="absent", given=_everything_foreign,
          query={"area": "350212110000"}),
    Probe("api:get_person", kwargs=lambda w: {"person_id": foreign_person(w).pk}),
    Probe("api:get_person", expect="check", check=_foreign_person_hidden_even_when_unmasking),
    Probe("api:create_person", expect="check", check=_cannot_register_into_a_foreign_village),
    Probe("api:update_person", expect="check", check=_cannot_change_a_foreign_person),
    Probe("api:get_household", kwargs=lambda w: {"household_id": foreign_household(w).pk}),
    Probe("api:create_category_assignment", expect="check", check=_cannot_assign_to_foreign_subjects),
    Probe("api:end_category_assignment", expect="check", check=_cannot_end_a_foreign_assignment),
]
