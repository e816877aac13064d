"""Out-of-scope probes of the registry's pages: the 莲花镇 clerk against people and households of 五显镇.

Lists must not show them (their names and addresses contain 五显, the FOREIGN_MARKER); pages about them
answer 404; posting to a form about them — or naming one of them in a form about one's own person or
household — answers 404 and changes nothing (no registry event, no access-log row).
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

from django.urls import reverse

from onedoor.core.idnumber import make_id_number
from onedoor.core.probes import Probe

_serial = itertools.count()


def _id_number() -> str:
    """A fresh valid ID number for each probe object (unique within the test session)."""
    n = next(_serial)
    return make_id_number("350212", date(1950, 1, 1) + timedelta(days=n // 400), 101 + 2 * (n % 400))


def foreign_person(world, name: str = "五显测试人"):
    from .actions import register_person

    return register_person(actor=world.user("clerk.wuxian"), data={
        "name": name, "id_number": _id_number(), "residence_area": world.wuxian_village,
        "address": "五显镇测试路 1 号", "phone": "13900000001"})


def own_person(world, name: str = "莲花测试人"):
    from .actions import register_person

    return register_person(actor=world.user("clerk.lianhua"), data={
        "name": name, "id_number": _id_number(), "residence_area": world.lianhua_village})


def foreign_household(world):
    from .actions import add_member, create_household

    household = create_household(actor=world.user("clerk.wuxian"), head=foreign_person(world))
    add_member(actor=world.user("clerk.wuxian"), household=household, person=foreign_person(world, "五显成员"),
               relation="spouse")
    return household


def own_household(world):
    from .actions import create_household

    return create_household(actor=world.user("clerk.lianhua"), head=own_person(world))


def foreign_assignment(world):
    from .actions import assign_category
    from .models import Category

    return assign_category(actor=world.user("clerk.wuxian"), category=Category.objects.get(code="tekun"),
                           valid_from=date(2024, 1, 1), source="manual", reason="五显测试",
                           person=foreign_person(world))


def _foreign_household_with_tekun_member(world) -> None:
    foreign_assignment(world)
    foreign_household(world)


def _person(world) -> dict:
    return {"pk": foreign_person(world).pk}


def _household(world) -> dict:
    return {"pk": foreign_household(world).pk}


def _counts() -> tuple:
    from onedoor.core.models import AccessLog

    from .models import CategoryAssignment, Household, HouseholdMember, Person, RegistryEvent

    return (RegistryEvent.objects.count(), AccessLog.objects.count(), CategoryAssignment.objects.count(),
            Household.objects.count(), HouseholdMember.objects.count(),
            Person.objects.filter(merged_into__isnull=False).count(), Person.objects.filter(death_date__isnull=False)
            .count())


def refused(route: str, setup: Callable[[Any], tuple[dict, dict]]) -> Callable[[Any, Any], None]:
    """A check: POST the form data that `setup(world)` returns to the route; expect 404 and no change."""

    def check(client, world) -> None:
        kwargs, data = setup(world)
        before = _counts()
        response = client.post(reverse(route, kwargs=kwargs), data)
        assert response.status_code == 404, f"{route} answered {response.status_code}"
        assert _counts() == before, f"{route} changed something"

    return check


def _on_foreign_person(data: dict) -> Callable[[Any], tuple[dict, dict]]:
    return lambda world: ({"pk": foreign_person(world).pk}, data)


def _on_foreign_household(data: dict) -> Callable[[Any], tuple[dict, dict]]:
    return lambda world: ({"pk": foreign_household(world).pk}, data)


def _member_of_foreign_household(data: dict) -> Callable[[Any], tuple[dict, dict]]:
    def setup(world):
        household = foreign_household(world)
        member = household.memberships.exclude(person_id=household.head_id).get()
        return {"pk": household.pk}, {**data, "person": member.person_id}

    return setup


def _own_household_foreign_person(world) -> tuple[dict, dict]:
    return {"pk": own_household(world).pk}, {"person": foreign_person(world).pk, "relation": "spouse",
                                             "joined_on": "2026-01-01"}


def _own_household_foreign_member(data: dict) -> Callable[[Any], tuple[dict, dict]]:
    """Naming a person of another household (and town) in a form about one's own household."""

    def setup(world):
        household = foreign_household(world)
        member = household.memberships.exclude(person_id=household.head_id).get()
        return {"pk": own_household(world).pk}, {**data, "person": member.person_id}

    return setup


def _own_person_foreign_duplicate(world) -> tuple[dict, dict]:
    return {"pk": own_person(world).pk}, {"duplicate": foreign_person(world).pk, "reason": "重复登记"}


def _foreign_assignment_end(world) -> tuple[dict, dict]:
    return {"pk": foreign_assignment(world).pk}, {"valid_to": "2025-01-01", "reason": "测试"}


PERSON_EDIT = {"name": "改名", "phone": "13900000002", "reason": "测试"}
ASSIGN = {"category": "", "valid_from": "2025-01-01", "source": "manual", "reason": "测试"}


def _assign(world) -> dict:
    from .models import Category

    return {**ASSIGN, "category": Category.objects.get(code="tekun").pk}


def _assign_household(world) -> dict:
    from .models import Category

    return {**ASSIGN, "category": Category.objects.get(code="dibao").pk}


PROBES = [
    Probe("registry:person_list", expect="absent", given=foreign_person),
    Probe("registry:person_list", expect="absent", given=foreign_person, query={"q": "wx"}),
    Probe("registry:person_list", expect="absent", given=foreign_person, query={"q": "测试人"}),
    Probe("registry:person_list", expect="absent", given=foreign_person, query={"q": "13900000001"}),
    Probe("registry:person_list", expect="absent", given=_foreign_household_with_tekun_member,
          query={"category": "tekun", "deceased": "1"}),
    Probe("registry:person_picker", expect="absent", given=foreign_person, query={"q": "wx"}),
    Probe("registry:person_picker", expect="absent", given=foreign_person, query={"q": "测试人"}),
    Probe("registry:person_create", expect="absent"),  # the village dropdowns list only one's own town
    Probe("registry:person_create", expect="check", check=lambda client, world: _create_in_foreign_village(
        client, world)),
    Probe("registry:person_detail", kwargs=_person),
    Probe("registry:person_reveal_id", expect="check",
          check=refused("registry:person_reveal_id", _on_foreign_person({"reason": "核对"}))),
    Probe("registry:person_edit", kwargs=_person),
    Probe("registry:person_edit", expect="check", check=refused("registry:person_edit",
                                                                _on_foreign_person(PERSON_EDIT))),
    Probe("registry:person_self_care", kwargs=_person),
    Probe("registry:person_self_care", expect="check", check=refused(
        "registry:person_self_care", _on_foreign_person({"unable": ["eating"], "on": "2026-01-01"}))),
    Probe("registry:person_death", kwargs=_person),
    Probe("registry:person_death", expect="check", check=refused(
        "registry:person_death", _on_foreign_person({"death_date": "2025-01-01", "reason": "测试"}))),
    Probe("registry:person_category_assign", kwargs=_person),
    Probe("registry:person_category_assign", expect="check", check=refused(
        "registry:person_category_assign", lambda w: ({"pk": foreign_person(w).pk}, _assign(w)))),
    Probe("registry:person_merge", kwargs=_person),
    Probe("registry:person_merge", expect="check", check=refused(
        "registry:person_merge", lambda w: ({"pk": foreign_person(w).pk},
                                            {"duplicate": own_person(w).pk, "reason": "测试"}))),
    Probe("registry:person_merge", expect="check", check=refused("registry:person_merge",
                                                                 _own_person_foreign_duplicate)),
    Probe("registry:household_create", expect="check", check=refused(
        "registry:household_create", _on_foreign_person({"formed_on": "2026-01-01"}))),
    Probe("registry:household_detail", kwargs=_household),
    Probe("registry:household_add_member", expect="check", check=refused(
        "registry:household_add_member",
        lambda w: ({"pk": foreign_household(w).pk}, {"person": own_person(w).pk, "relation": "spouse",
                                                     "joined_on": "2026-01-01"}))),
    Probe("registry:household_add_member", expect="check", check=refused("registry:household_add_member",
                                                                         _own_household_foreign_person)),
    Probe("registry:household_remove_member", expect="check", check=refused(
        "registry:household_remove_member",
        _member_of_foreign_household({"left_on": "2026-01-02", "reason": "测试"}))),
    Probe("registry:household_remove_member", expect="check", check=refused(
        "registry:household_remove_member",
        _own_household_foreign_member({"left_on": "2026-01-02", "reason": "测试"}))),
    Probe("registry:household_change_head", expect="check", check=refused(
        "registry:household_change_head", _member_of_foreign_household({"reason": "测试"}))),
    Probe("registry:household_change_head", expect="check", check=refused(
        "registry:household_change_head", _own_household_foreign_member({"reason": "测试"}))),
    Probe("registry:household_category_assign", kwargs=_household),
    Probe("registry:household_category_assign", expect="check", check=refused(
        "registry:household_category_assign", lambda w: ({"pk": foreign_household(w).pk}, _assign_household(w)))),
    Probe("registry:category_end", kwargs=lambda w: {"pk": foreign_assignment(w).pk}),
    Probe("registry:category_end", expect="check", check=refused("registry:category_end", _foreign_assignment_end)),
]


def _create_in_foreign_village(client, world) -> None:
    """Registering someone into another town's village is refused beside the field; nothing is saved."""
    from .models import Person

    before = Person.objects.count()
    response = client.post(reverse("registry:person_create"), {
        "name": "莲花新人", "id_number": _id_number(), "residence_area": world.wuxian_village.code})
    assert response.status_code == 200
    assert Person.objects.count() == before
    assert "is-invalid" in response.content.decode()
