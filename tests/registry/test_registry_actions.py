"""Registry actions: registration rules, edits with reasons, households over time, categories over
time, death, merge — each leaving history and a domain event."""

from datetime import date

import pytest

from onedoor.core.exceptions import Conflict, DomainError
from onedoor.core.idnumber import make_id_number
from onedoor.registry import actions
from onedoor.registry.actions import InvalidPerson
from onedoor.registry.models import Category, CategoryAssignment, Person, RegistryEvent


def test_register_takes_sex_and_birth_from_the_id(make_person):
    person = make_person("楊全", birth=date(1952, 3, 4), seq=101)
    assert (person.name, person.name_simplified, person.name_initials) == ("楊全", "杨全", "yq")
    assert person.sex == "M" and person.birth_date == date(1952, 3, 4)
    assert person.masked_id.startswith("350212") and "*" * 8 in person.masked_id
    assert RegistryEvent.objects.filter(person=person, code="registered").exists()


def test_birth_date_that_contradicts_the_id_is_an_error(world):
    number = make_id_number("350212", date(1960, 1, 1), 11)
    with pytest.raises(InvalidPerson) as caught:
        actions.register_person(actor=None, data={"name": "张三", "id_number": number, "birth_date": "1961-01-01",
                                                  "residence_area": world.wuxian_village})
    assert caught.value.details == {"birth_date": "出生日期与身份证号码不一致。"}


def test_all_errors_are_reported_at_once(world):
    valid = make_id_number("350212", date(1960, 1, 1), 11)
    wrong_check = valid[:17] + ("0" if valid[17] != "0" else "1")
    with pytest.raises(InvalidPerson) as caught:
        actions.register_person(actor=None, data={"name": " ", "id_number": wrong_check,
                                                  "phone": "12345", "residence_area": None})
    assert set(caught.value.details) == {"name", "id_number", "phone", "residence_area"}


def test_people_without_id_get_a_temporary_identifier(world):
    person = actions.register_person(actor=None, data={
        "name": "无名氏", "sex": "男", "birth_date": "1970-01-01", "residence_area": world.wuxian_village,
        "description": "桥洞下发现，约五十岁"})
    assert person.id_number is None and person.temp_identifier.startswith("T")


def test_the_same_id_cannot_be_registered_twice(make_person):
    make_person(seq=201)
    with pytest.raises(Conflict):
        make_person(seq=201)


def test_edit_needs_a_reason_and_keeps_before_and_after(make_person, world):
    person = make_person()
    with pytest.raises(DomainError):
        actions.update_person(actor=None, person=person, changes={"phone": "13800000000"}, reason="")
    actions.update_person(actor=world.user("clerk.wuxian"), person=person, changes={"phone": "138 0000 0000"},
                          reason="本人来电更正")
    event = RegistryEvent.objects.get(person=person, code="updated")
    assert event.data == {"before": {"phone": ""}, "after": {"phone": "13800000000"}}
    assert person.history.latest().history_user.username == "clerk.wuxian"


def test_household_size_and_per_capita_income_follow_the_members(make_person, world):
    head = make_person("李父", seq=301, monthly_income="1200")
    child = make_person("李子", birth=date(2015, 5, 5), seq=303, monthly_income="0")
    household = actions.create_household(actor=None, head=head, formed_on=date(2026, 1, 1))
    actions.add_member(actor=None, household=household, person=child, relation="child", on=date(2026, 1, 1))
    assert household.figures_on(date(2026, 6, 1))["size"] == 2
    assert str(household.figures_on(date(2026, 6, 1))["per_capita_income"]) == "600.00"
    actions.remove_member(actor=None, household=household, person=child, on=date(2026, 7, 1), reason="外出就学")
    assert household.figures_on(date(2026, 8, 1))["size"] == 1
    assert household.figures_on(date(2026, 6, 1))["size"] == 2  # the past stays as it was


def test_a_person_is_in_one_household_at_a_time(make_person):
    a, b = make_person("甲", seq=401), make_person("乙", seq=403)
    first = actions.create_household(actor=None, head=a)
    actions.create_household(actor=None, head=b)
    with pytest.raises(Conflict):
        actions.add_member(actor=None, household=first, person=b, relation="spouse")


def test_who_is_tekun_in_a_town_on_a_day_is_one_query(make_person, world, django_assert_num_queries):
    tekun = Category.objects.get(code="tekun")
    old = make_person("老人", birth=date(1950, 1, 1), seq=501)
    actions.assign_category(actor=None, category=tekun, person=old, valid_from=date(2026, 1, 1), source="decision")
    other_town = make_person("外镇", seq=503, area=world.lianhua_village)
    actions.assign_category(actor=None, category=tekun, person=other_town, valid_from=date(2026, 1, 1),
                            source="decision")
    with django_assert_num_queries(1):
        found = list(CategoryAssignment.objects.filter(category=tekun).in_area(world.wuxian.code)
                     .on(date(2026, 12, 8)).values_list("person__name", flat=True))
    assert found == ["老人"]


def test_ending_a_category_closes_its_period(make_person):
    person = make_person(seq=601)
    assignment = actions.assign_category(actor=None, category=Category.objects.get(code="orphan"), person=person,
                                         valid_from=date(2026, 1, 1), source="manual", reason="民政局认定")
    actions.end_category(actor=None, assignment=assignment, valid_to=date(2026, 6, 1), reason="年满18周岁")
    on = CategoryAssignment.objects.filter(pk=assignment.pk)
    assert on.on(date(2026, 5, 31)).exists() and not on.on(date(2026, 6, 1)).exists()
    with pytest.raises(Conflict):
        actions.end_category(actor=None, assignment=assignment, valid_to=date(2026, 7, 1), reason="再次")


def test_death_drops_a_person_out_of_everything_active(make_person):
    person = make_person(seq=701)
    assignment = actions.assign_category(actor=None, category=Category.objects.get(code="tekun"), person=person,
                                         valid_from=date(2025, 1, 1), source="decision")
    household = actions.create_household(actor=None, head=person, formed_on=date(2025, 1, 1))
    actions.record_death(actor=None, person=person, death_date=date(2026, 3, 10), reason="家属报告")
    assignment.refresh_from_db()
    assert assignment.valid_to == date(2026, 3, 10)
    assert not Person.objects.alive(date(2026, 3, 10)).filter(pk=person.pk).exists()
    assert Person.objects.alive(date(2026, 3, 9)).filter(pk=person.pk).exists()
    assert household.figures_on(date(2026, 4, 1))["size"] == 0


def test_merge_moves_links_and_keeps_the_duplicate_for_history(make_person, world):
    keep = make_person("王五", seq=801)
    duplicate = actions.register_person(actor=None, data={"name": "王五", "sex": "男", "birth_date": "1952-03-04",
                                                          "residence_area": world.wuxian_village})
    actions.assign_category(actor=None, category=Category.objects.get(code="tekun"), person=duplicate,
                            valid_from=date(2026, 1, 1), source="import")
    actions.merge_persons(actor=world.user("dispatcher"), keep=keep, duplicate=duplicate, reason="同一人重复登记")
    duplicate.refresh_from_db()
    assert duplicate.merged_into == keep
    assert keep.category_assignments.count() == 1
    assert not Person.objects.alive().filter(pk=duplicate.pk).exists()
    assert RegistryEvent.objects.filter(code="merged").count() == 2


def test_a_registered_id_number_cannot_be_blanked(make_person):
    person = make_person(seq=901)
    with pytest.raises(DomainError, match="不能删除"):
        actions.update_person(actor=None, person=person, changes={"id_number": ""}, reason="误操作")


def test_coded_fields_accept_only_their_codes(world):
    from onedoor.registry.validation import check_person

    checked = check_person({"name": "甲", "sex": "男", "birth_date": "1960-01-01", "health": "很好",
                            "hukou_type": "rural"})
    assert "health" in checked.errors and "healthy（健康）" in checked.errors["health"]
    assert checked.values["hukou_type"] == "rural"
