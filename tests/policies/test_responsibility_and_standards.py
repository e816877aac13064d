"""Editing the responsibility list (affects new tasks only) and setting standards (effective-dated)."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from onedoor.core.exceptions import Conflict, DomainError, NotPermitted
from onedoor.intake.actions import ReceivedDocument, submit_application
from onedoor.policies.actions import add_responsibility, end_responsibility, set_standard
from onedoor.policies.models import Policy, Responsibility, Standard


def _apply(world, person, policy):
    return submit_application(actor=world.user("clerk.wuxian"), applicant=person, policies=[policy],
                              window=world.org("五显镇"),
                              documents=[ReceivedDocument(name) for name in policy.required_documents])


def test_a_new_line_routes_new_tasks_and_existing_tasks_keep_their_department(world, make_person):
    # given 就业困难人员认定 goes to 人社局 district-wide, and one application already routed
    policy = Policy.objects.get(code="rs-employment-difficulty")
    today = timezone.localdate()
    before = _apply(world, make_person("甲"), policy).tasks.get()
    assert before.department == world.org("人社局")
    old_line = Responsibility.objects.get(policy=policy)
    assert before.responsibility == old_line

    # when the dispatcher routes 五显镇's applications to the 五显镇 office from today, with a handler
    line = add_responsibility(actor=world.user("dispatcher"), policy=policy, area=world.wuxian,
                              department=world.org("五显镇"), handler=world.user("clerk.wuxian"),
                              valid_from=today, note="镇级初审")

    # then a new application goes to the town office and its handler …
    after = _apply(world, make_person("乙"), policy).tasks.get()
    assert (after.department, after.handler, after.responsibility) == (world.org("五显镇"),
                                                                       world.user("clerk.wuxian"), line)
    # … and the task taken before keeps its department, handler and line
    before.refresh_from_db()
    assert before.department == world.org("人社局") and before.handler is None
    assert before.responsibility == old_line
    # the district line is untouched: it is another (less specific) area
    old_line.refresh_from_db()
    assert old_line.valid_to is None


def test_a_new_line_for_the_same_area_ends_the_open_one(world):
    policy = Policy.objects.get(code="mz-dibao")
    old = Responsibility.objects.get(policy=policy)
    new = add_responsibility(actor=world.user("admin"), policy=policy, area=world.district,
                             department=world.org("区民政局"), handler=world.user("handler.mz"),
                             valid_from=date(2026, 5, 1))
    old.refresh_from_db()
    assert old.valid_to == date(2026, 5, 1)
    assert list(Responsibility.objects.in_force(date(2026, 4, 30)).filter(policy=policy)) == [old]
    assert list(Responsibility.objects.in_force(date(2026, 5, 1)).filter(policy=policy)) == [new]
    with pytest.raises(Conflict) as caught:
        add_responsibility(actor=world.user("admin"), policy=policy, area=world.district,
                           department=world.org("区民政局"), valid_from=date(2026, 5, 1))
    assert "valid_from" in caught.value.details


def test_a_pool_line_assigns_the_least_loaded(world, make_person):
    policy = Policy.objects.get(code="mz-elderly-allowance")
    add_responsibility(actor=world.user("dispatcher"), policy=policy, area=world.district,
                       department=world.org("区民政局"), pool=[world.user("handler.mz")],
                       valid_from=timezone.localdate())
    task = _apply(world, make_person("丙", birth=date(1940, 1, 1)), policy).tasks.get()
    assert task.handler == world.user("handler.mz")


@pytest.mark.parametrize("username", ["clerk.wuxian", "handler.mz", "leader"])
def test_only_the_dispatcher_and_the_admin_edit_the_list(world, username):
    policy = Policy.objects.get(code="mz-dibao")
    with pytest.raises(NotPermitted):
        add_responsibility(actor=world.user(username), policy=policy, area=world.wuxian,
                           department=world.org("区民政局"), valid_from=date(2026, 5, 1))
    with pytest.raises(NotPermitted):
        end_responsibility(actor=world.user(username), responsibility=Responsibility.objects.get(policy=policy),
                           valid_to=date(2026, 5, 1))


def test_bad_lines_are_refused_with_the_field_named(world):
    policy = Policy.objects.get(code="mz-dibao")
    dispatcher = world.user("dispatcher")
    with pytest.raises(DomainError) as caught:  # a supplier cannot handle a policy
        add_responsibility(actor=dispatcher, policy=policy, area=world.wuxian, department=world.org("古龙"),
                           valid_from=date(2026, 5, 1))
    assert "department" in caught.value.details
    with pytest.raises(DomainError) as caught:  # the handler must work in the department
        add_responsibility(actor=dispatcher, policy=policy, area=world.wuxian, department=world.org("区民政局"),
                           handler=world.user("handler.rs"), valid_from=date(2026, 5, 1))
    assert "handler" in caught.value.details
    assert Responsibility.objects.filter(policy=policy).count() == 1


def test_ending_a_line(world, make_person):
    policy = Policy.objects.get(code="rs-public-jobs")
    today = timezone.localdate()
    line = add_responsibility(actor=world.user("dispatcher"), policy=policy, area=world.wuxian,
                              department=world.org("五显镇"), valid_from=today - timedelta(days=10))
    with pytest.raises(DomainError) as caught:
        end_responsibility(actor=world.user("dispatcher"), responsibility=line, valid_to=today - timedelta(days=10))
    assert "valid_to" in caught.value.details
    end_responsibility(actor=world.user("dispatcher"), responsibility=line, valid_to=today)
    # new tasks fall back to the district line
    task = _apply(world, make_person("丁"), policy).tasks.get()
    assert task.department == world.org("人社局")
    with pytest.raises(Conflict):
        end_responsibility(actor=world.user("dispatcher"), responsibility=line, valid_to=today + timedelta(days=3))


def test_a_new_standard_applies_from_its_month_and_the_old_one_before(world):
    admin = world.user("admin")
    standard = set_standard(actor=admin, kind="dibao", hukou_type="urban", amount=Decimal("850.00"),
                            effective_from=date(2026, 7, 1), basis="厦民〔2026〕1号")
    assert standard.created_by == admin
    assert Standard.objects.in_force("dibao", date(2026, 6, 30), "urban").amount == Decimal("798.10")
    assert Standard.objects.in_force("dibao", date(2026, 7, 1), "urban").amount == Decimal("850.00")
    assert Standard.objects.in_force("dibao", date(2026, 7, 1), "rural").amount == Decimal("593.90")
    # a unified ('') row serves both until a typed row starts
    set_standard(actor=admin, kind="orphan", amount=Decimal("1800.00"), effective_from=date(2026, 9, 1))
    assert Standard.objects.in_force("orphan", date(2026, 9, 1), "rural").amount == Decimal("1800.00")


def test_set_standard_refuses_bad_input_and_other_roles(world):
    admin = world.user("admin")
    with pytest.raises(NotPermitted):
        set_standard(actor=world.user("dispatcher"), kind="dibao", hukou_type="urban", amount=Decimal("1"),
                     effective_from=date(2026, 7, 1))
    with pytest.raises(DomainError) as caught:
        set_standard(actor=admin, kind="dibao", hukou_type="urban", amount=Decimal("-1"),
                     effective_from=date(2026, 7, 15))
    assert set(caught.value.details) == {"amount", "effective_from"}
    with pytest.raises(Conflict):
        set_standard(actor=admin, kind="dibao", hukou_type="urban", amount=Decimal("1"),
                     effective_from=date(2026, 1, 1))
