"""The rules around the map: routing by the responsibility list, 公示 and objections, 先行救助, the home
visit for applicants related to staff, transfer, withdrawal, one open task per application and policy,
and two concurrent moves of one task."""

from __future__ import annotations

import threading
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from onedoor.core.exceptions import DomainError, IllegalTransition
from onedoor.intake import actions
from onedoor.intake.choices import NoticeState, ObjectionOutcome, TaskState
from onedoor.intake.models import Objection, Task
from onedoor.intake.routing import route
from onedoor.policies.models import Responsibility

TODAY = timezone.localdate


def _line(policy, area, department, *, handler=None, pool=(), valid_from=date(2020, 1, 1), valid_to=None):
    line = Responsibility.objects.create(policy=policy, area=area, department=department, handler=handler,
                                         valid_from=valid_from, valid_to=valid_to)
    line.pool.set(pool)
    return line


def _walk_to_proposed(task, handler, amount="350.00"):
    actions.accept_task(task, actor=handler)
    actions.start_investigation(task, actor=handler)
    return actions.propose_decision(task, actor=handler, note="符合条件", amount=Decimal(amount))


# --- routing -----------------------------------------------------------------------------------------

def test_the_most_specific_area_of_the_list_wins(world, make_policy, submit):
    policy = make_policy()
    _line(policy, world.district, world.org("区民政局"), handler=world.user("handler.mz"))
    _line(policy, world.wuxian, world.org("五显镇"), handler=world.user("clerk.wuxian"))

    wuxian = route(policy, world.wuxian_village.code, TODAY())
    lianhua = route(policy, world.lianhua_village.code, TODAY())

    assert (str(wuxian.department), wuxian.handler.username) == ("五显镇", "clerk.wuxian")
    assert (str(lianhua.department), lianhua.handler.username) == ("区民政局", "handler.mz")
    task = submit([policy]).tasks.get()  # the applicant lives in a 五显镇 village
    assert task.department == world.org("五显镇") and task.responsibility is not None


def test_a_pool_gives_the_task_to_the_least_loaded_member(world, make_policy, submit):
    from onedoor.accounts.actions import assign_role, create_staff

    bureau = world.org("区民政局")
    second = create_staff(actor=None, username="handler.mz2", full_name="赵经办", organisation=bureau,
                          password="x-Secret-123")
    assign_role(actor=None, user=second, role="handler", area=world.district, organisation=bureau)
    policy = make_policy()
    _line(policy, world.district, bureau, pool=[world.user("handler.mz"), second])

    handlers = [submit([policy]).tasks.get().handler.username for _ in range(4)]

    # ties go to the older account; then each new task to whoever has fewer open ones
    assert handlers == ["handler.mz", "handler.mz2", "handler.mz", "handler.mz2"]
    second.is_active = False
    second.save()
    assert submit([policy]).tasks.get().handler.username == "handler.mz"


def test_lines_apply_only_within_their_dates_and_changes_affect_new_tasks_only(world, make_policy, submit):
    policy = make_policy()
    old = _line(policy, world.district, world.org("区民政局"), handler=world.user("handler.mz"),
                valid_to=TODAY() + timedelta(days=1))
    _line(policy, world.district, world.org("人社局"), handler=world.user("handler.rs"),
          valid_from=TODAY() + timedelta(days=1))
    _line(policy, world.wuxian, world.org("五显镇"), valid_from=date(2019, 1, 1), valid_to=date(2020, 1, 1))

    task = submit([policy]).tasks.get()

    assert task.department == world.org("区民政局") and task.responsibility == old
    tomorrow = route(policy, world.wuxian_village.code, TODAY() + timedelta(days=1))
    assert str(tomorrow.department) == "人社局"
    task.refresh_from_db()
    assert task.department == world.org("区民政局")  # the change did not move the existing task


def test_without_a_line_the_policys_department_gets_it_unassigned(world, make_policy, submit):
    task = submit([make_policy("就业援助", department="人社局")]).tasks.get()
    assert task.department == world.org("人社局") and task.handler is None and task.responsibility is None
    assert "待分派" in task.events.get(code="submit").note


# --- 公示 and objections --------------------------------------------------------------------------------

def test_notice_objection_reinvestigation_and_a_second_notice(world, make_policy, submit):
    handler = world.user("handler.mz")
    task = submit([make_policy(notice_required=True)]).tasks.get()
    _walk_to_proposed(task, handler)
    with pytest.raises(DomainError, match="公示"):
        actions.approve(task, actor=handler, reason="符合")  # no approval without the notice

    notice = actions.publish_notice(task, actor=handler)
    assert (notice.ends_on - notice.starts_on).days == 6 and notice.place_id == task.area_id
    assert set(notice.content) >= {"name", "household_size", "amount"}
    assert not any(len(str(value)) == 18 for value in notice.content.values())  # no ID number on a notice
    objection = actions.record_objection(task, actor=handler, content="家中有经营收入", raised_by="邻居")

    actions.reinvestigate(task, actor=handler, note="核实经营收入")

    task.refresh_from_db()
    notice.refresh_from_db()
    objection.refresh_from_db()
    assert task.state == TaskState.INVESTIGATING
    assert notice.state == NoticeState.WITHDRAWN and objection.outcome == ObjectionOutcome.REINVESTIGATE
    # proposing again leads to a fresh notice
    actions.propose_decision(task, actor=handler, note="核实后仍符合", amount=Decimal("200"))
    second = actions.publish_notice(task, actor=handler, starts_on=TODAY() - timedelta(days=7))
    actions.approve(task, actor=handler, reason="公示无异议")
    second.refresh_from_db()
    assert second.state == NoticeState.ENDED and task.notices.count() == 2


def test_a_dismissed_objection_lets_the_notice_run_out(world, make_policy, submit):
    handler = world.user("handler.mz")
    task = submit([make_policy(notice_required=True)]).tasks.get()
    _walk_to_proposed(task, handler)
    notice = actions.publish_notice(task, actor=handler, starts_on=TODAY() - timedelta(days=3))
    actions.record_objection(task, actor=handler, content="不符合")

    actions.dismiss_objection(task, actor=handler, note="经核实异议不成立")

    task.refresh_from_db()
    assert task.state == TaskState.NOTICE
    assert Objection.objects.get(notice=notice).outcome == ObjectionOutcome.DISMISSED
    with pytest.raises(DomainError, match="公示期"):
        actions.approve(task, actor=handler, reason="符合")
    with pytest.raises(DomainError, match="异议内容"):
        actions.record_objection(task, actor=handler, content=" ")


def test_a_policy_without_notice_cannot_be_published(world, make_policy, submit):
    handler = world.user("handler.mz")
    task = submit([make_policy(notice_required=False)]).tasks.get()
    _walk_to_proposed(task, handler)
    with pytest.raises(DomainError, match="无须公示"):
        actions.publish_notice(task, actor=handler)
    assert actions.approve(task, actor=handler, reason="符合").state == TaskState.APPROVED


# --- 先行救助 ----------------------------------------------------------------------------------------------

def test_act_first_approves_before_investigation_only_where_the_policy_allows(world, make_policy, submit):
    handler = world.user("handler.mz")
    plain = submit([make_policy(kind="one_off_cash")]).tasks.get()
    with pytest.raises(DomainError, match="先行救助") as refused:
        actions.approve(plain, actor=handler, reason="紧急", amount=Decimal("800"), act_first=True)
    assert refused.value.code == "investigation_first"
    with pytest.raises(DomainError, match="先行救助"):
        submit([make_policy(kind="one_off_cash", code="no-af")], act_first=["no-af"])

    emergency = submit([make_policy("临时救助（急难型）", kind="one_off_cash", act_first_allowed=True)]).tasks.get()
    with pytest.raises(DomainError):  # allowed, but only when asked for
        actions.approve(emergency, actor=handler, reason="紧急", amount=Decimal("800"))

    task = actions.approve(emergency, actor=handler, reason="火灾，先行救助", amount=Decimal("800"), act_first=True)

    assert task.state == TaskState.APPROVED and task.act_first and task.completion_pending
    assert task.decided_amount == Decimal("800.00")
    with pytest.raises(DomainError, match="尚未补齐") as blocked:
        actions.close_task(task, actor=handler)
    assert blocked.value.code == "completion_pending"
    actions.complete_act_first(task, actor=handler, note="已补入户调查和签字")
    closed = actions.close_task(task, actor=handler)
    assert closed.state == TaskState.CLOSED
    assert list(closed.events.values_list("code", flat=True)) == ["submit", "approve", "complete", "close"]


def test_act_first_chosen_at_the_window_skips_the_supplement_wait(world, make_policy, submit):
    policy = make_policy("临时救助（急难型）", kind="one_off_cash", act_first_allowed=True,
                         required_documents=["困难情况说明"], code="ji-nan")
    application = submit([policy], act_first=["ji-nan"])
    task = application.tasks.get()
    assert task.act_first and task.state == TaskState.RECEIVED
    assert not application.supplement_notices.exists()


# --- related to staff ------------------------------------------------------------------------------------

def test_an_applicant_related_to_staff_needs_a_home_visit_before_a_decision(world, make_policy, submit):
    handler = world.user("handler.mz")
    task = submit([make_policy()], related_to_staff=True, related_staff_note="申请人系五显镇工作人员之兄").tasks.get()
    actions.accept_task(task, actor=handler)
    actions.start_investigation(task, actor=handler)
    # no proposal, and no decision, without the visit
    for decide in (lambda: actions.propose_decision(task, actor=handler, note="符合", amount=Decimal("300")),
                   lambda: actions.refuse(task, actor=handler, reason="不符合")):
        with pytest.raises(DomainError, match="入户调查") as refused:
            decide()
        assert refused.value.code == "home_visit_required"
    with pytest.raises(DomainError, match="两名"):
        actions.record_home_visit(task, actor=handler, visited_on=TODAY(), second_staff=" ", findings="x")

    task = submit([make_policy()], related_to_staff=True).tasks.get()
    actions.accept_task(task, actor=handler)
    visit = actions.record_home_visit(task, actor=handler, visited_on=TODAY(), second_staff="陈调查",
                                      findings="家中无劳动力，无经营", signed_by_family=True)
    task.refresh_from_db()
    assert task.state == TaskState.INVESTIGATING and visit.staff == handler
    actions.propose_decision(task, actor=handler, note="符合", amount=Decimal("300"))
    assert actions.approve(task, actor=handler, reason="符合").state == TaskState.APPROVED


# --- transfer and withdrawal -------------------------------------------------------------------------------

def test_a_transfer_keeps_the_clock_and_starts_over_in_the_new_department(world, make_policy, submit):
    handler = world.user("handler.mz")
    task = submit([make_policy()]).tasks.get()
    actions.accept_task(task, actor=handler)
    due = Task.objects.get(pk=task.pk).due_date

    moved = actions.transfer_task(task, actor=handler, department=world.org("人社局"), note="属就业援助")

    assert moved.state == TaskState.RECEIVED and moved.department == world.org("人社局")
    assert moved.handler is None and moved.due_date == due
    event = moved.events.get(code="transfer")
    assert event.data == {"from_department": world.org("区民政局").pk, "to_department": world.org("人社局").pk}
    with pytest.raises(DomainError, match="相同"):
        actions.transfer_task(moved, actor=world.user("dispatcher"), department=world.org("人社局"), note="x")
    with pytest.raises(DomainError, match="不是承办部门"):
        actions.transfer_task(moved, actor=world.user("dispatcher"), department=world.org("开心社工"), note="x")
    # the old department's handler may no longer act on it
    with pytest.raises(DomainError):
        actions.accept_task(moved, actor=handler)
    assert actions.accept_task(moved, actor=world.user("handler.rs")).state == TaskState.ACCEPTED


def test_withdrawing_one_request_leaves_the_others_going(world, make_policy, submit):
    application = submit([make_policy(), make_policy("就业援助", department="人社局")])
    first, second = application.tasks.order_by("pk")

    with pytest.raises(DomainError, match="撤回"):
        actions.withdraw(first, actor=world.user("clerk.wuxian"), note="")
    actions.withdraw(first, actor=world.user("clerk.wuxian"), note="申请人书面撤回低保申请")

    first.refresh_from_db()
    second.refresh_from_db()
    assert first.state == TaskState.WITHDRAWN and first.closed_at is not None
    assert second.state == TaskState.RECEIVED
    with pytest.raises(IllegalTransition):
        actions.withdraw(first, actor=world.user("clerk.wuxian"), note="再次撤回")


# --- integrity -------------------------------------------------------------------------------------------

def test_at_most_one_open_task_per_application_and_policy(world, make_policy, submit):
    task = submit([make_policy()]).tasks.get()
    duplicate = {f.attname: getattr(task, f.attname) for f in Task._meta.concrete_fields if f.attname != "id"}

    with pytest.raises(IntegrityError), transaction.atomic():
        Task.objects.create(**duplicate)

    # once the first is finished, the same policy may be asked for again on the application
    actions.withdraw(task, actor=world.user("clerk.wuxian"), note="撤回")
    again = Task.objects.create(**{**duplicate, "state": TaskState.RECEIVED})
    assert again.pk != task.pk


def test_the_same_policy_twice_in_one_application_is_refused(world, make_policy, submit):
    policy = make_policy()
    with pytest.raises(DomainError, match="同一政策"):
        submit([policy, policy])


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_moves_of_one_task_cannot_both_win(world, make_policy, submit):
    if connection.vendor != "postgresql":
        pytest.skip("SQLite serialises writers (IMMEDIATE transactions), so two threads never race here; "
                    "the row lock is exercised on PostgreSQL")
    task = submit([make_policy()]).tasks.get()
    handler, dispatcher = world.user("handler.mz"), world.user("dispatcher")
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def accept(actor):
        from django.db import connection as thread_connection

        try:
            barrier.wait(timeout=10)
            actions.accept_task(task, actor=actor)  # both hold the same stale object in `received`
            outcomes.append("won")
        except IllegalTransition:
            outcomes.append("refused")
        finally:
            thread_connection.close()

    threads = [threading.Thread(target=accept, args=(actor,)) for actor in (handler, dispatcher)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert sorted(outcomes) == ["refused", "won"]
    task.refresh_from_db()
    assert task.state == TaskState.ACCEPTED
    assert task.events.filter(code="accept").count() == 1


@pytest.mark.django_db(transaction=True)
def test_concurrent_submissions_at_one_town_get_distinct_receipt_numbers(world, make_policy, submit, make_person):
    if connection.vendor != "postgresql":
        pytest.skip("SQLite serialises writers (IMMEDIATE transactions), so two threads never race here; "
                    "the counter's upsert is exercised on PostgreSQL")
    policy = make_policy()
    applicants = [make_person(f"并发{n}") for n in range(6)]  # none has a counter row yet today
    barrier = threading.Barrier(len(applicants))
    numbers: list[str] = []
    failures: list[Exception] = []

    def take(applicant):
        from django.db import connection as thread_connection

        try:
            barrier.wait(timeout=10)
            numbers.append(submit([policy], applicant=applicant).receipt_no)
        except Exception as exc:  # noqa: BLE001 — reported by the assertion below
            failures.append(exc)
        finally:
            thread_connection.close()

    threads = [threading.Thread(target=take, args=(applicant,)) for applicant in applicants]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    today = timezone.localdate()
    assert failures == []
    assert sorted(numbers) == [f"110-{today:%Y%m%d}-{n:04d}" for n in range(1, 7)]


def test_a_notice_shows_the_household_size_and_no_id_number(world, make_policy, submit, make_person):
    from onedoor.registry.actions import add_member, create_household

    head = make_person("陈公示")
    household = create_household(actor=None, head=head, formed_on=date(2025, 1, 1))
    add_member(actor=None, household=household, person=make_person("陈公示妻", birth=date(1955, 1, 1)),
               relation="spouse", on=date(2025, 1, 1))
    handler = world.user("handler.mz")
    task = submit([make_policy(notice_required=True)], applicant=head, household=household).tasks.get()
    _walk_to_proposed(task, handler, amount="420.00")

    notice = actions.publish_notice(task, actor=handler)

    assert notice.content["name"] == "陈公示" and notice.content["amount"] == "420.00"
    assert notice.content["household_size"] == 2
    assert head.id_number not in str(notice.content)


def test_the_receipt_number_is_given_last_and_kept_in_the_history(world, make_policy, submit):
    from onedoor.intake.models import Application

    first = submit([make_policy()])
    second = submit([make_policy()])

    today = TODAY()
    assert first.receipt_no == f"110-{today:%Y%m%d}-0001" and second.receipt_no == f"110-{today:%Y%m%d}-0002"
    assert set(Application.history.filter(id=first.pk).values_list("receipt_no", flat=True)) == {first.receipt_no}
    assert Application.objects.get(pk=second.pk).receipt_no == second.receipt_no
