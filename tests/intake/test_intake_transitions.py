"""Every move of the transition map (intake/transitions.py MOVES): each legal (action, state) pair through
its action lands in the map's target and writes a TaskEvent; each illegal pair raises IllegalTransition
and changes nothing. Tasks are brought to each state through the actions themselves."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from onedoor.core.exceptions import IllegalTransition
from onedoor.intake import actions
from onedoor.intake.choices import TaskAction, TaskState
from onedoor.intake.models import Task, TaskEvent
from onedoor.intake.transitions import MOVES, actions_from, check_move

A, S = TaskAction, TaskState
PAIRS = [(action, state) for action in A.values for state in S.values]
LEGAL = [(action, state) for action, state in PAIRS if state in MOVES[action].sources]
ILLEGAL = [(action, state) for action, state in PAIRS if state not in MOVES[action].sources]


def _notice_policy_needed(action: str, state: str) -> bool:
    return state in (S.NOTICE, S.OBJECTED) or action == A.PUBLISH_NOTICE


@pytest.fixture
def build(world, make_policy, submit):
    """build(state, action) -> a task brought to `state` by the actions, under a policy that lets
    `action` proceed when the map allows it (公示 where the state or move needs one; 先行救助 allowed)."""
    handler = world.user("handler.mz")

    def make(state: str, action: str) -> Task:
        task = walk(state, action)
        return Task.objects.get(pk=task.pk)  # the actions moved a locked copy; read the row again

    def walk(state: str, action: str) -> Task:
        notice = _notice_policy_needed(action, state)
        policy = make_policy(kind="monthly_cash", notice_required=notice, act_first_allowed=True)
        task = submit([policy]).tasks.get()
        if state == S.RECEIVED:
            return task
        if state == S.WITHDRAWN:
            return actions.withdraw(task, actor=handler, note="申请人书面撤回")
        if state == S.APPROVED and action == A.COMPLETE:  # only a 先行救助 approval has steps to complete
            return actions.approve(task, actor=handler, reason="情况紧急", amount=Decimal("500"), act_first=True)
        actions.accept_task(task, actor=handler)
        if state == S.ACCEPTED:
            return task
        if state == S.RETURNED:
            return actions.return_for_documents(task, actor=handler, missing=["收入证明"])
        actions.start_investigation(task, actor=handler)
        if state == S.INVESTIGATING:
            return task
        if state == S.REFUSED:
            return actions.refuse(task, actor=handler, reason="收入超过标准")
        actions.propose_decision(task, actor=handler, note="符合条件", amount=Decimal("350.00"))
        if state == S.PROPOSED:
            return task
        if notice:
            # the notice started a week ago, so it has run its 7 days by today
            actions.publish_notice(task, actor=handler, starts_on=timezone.localdate() - timedelta(days=7))
            if state == S.NOTICE:
                return task
            if state == S.OBJECTED:
                return actions.record_objection(task, actor=handler, content="收入不实", raised_by="村民").notice.task
        task = actions.approve(task, actor=handler, reason="符合条件")
        if state == S.APPROVED:
            return task
        assert state == S.CLOSED
        return actions.close_task(task, actor=handler)

    return make


def do(action: str, task: Task, world) -> object:
    """Call the action for `action` with input it accepts."""
    handler = world.user("handler.mz")
    calls = {
        A.ACCEPT: lambda: actions.accept_task(task, actor=handler),
        A.INVESTIGATE: lambda: actions.start_investigation(task, actor=handler, note="入户"),
        A.RETURN: lambda: actions.return_for_documents(task, actor=handler, missing=["病历"]),
        A.RESUBMIT: lambda: actions.resubmit(task, actor=handler, documents=[actions.ReceivedDocument("病历")]),
        A.PROPOSE: lambda: actions.propose_decision(task, actor=handler, note="符合", amount=Decimal("100")),
        A.PUBLISH_NOTICE: lambda: actions.publish_notice(task, actor=handler),
        A.OBJECT: lambda: actions.record_objection(task, actor=handler, content="有异议"),
        A.REINVESTIGATE: lambda: actions.reinvestigate(task, actor=handler, note="异议需核实"),
        A.DISMISS_OBJECTION: lambda: actions.dismiss_objection(task, actor=handler, note="经核实异议不成立"),
        A.APPROVE: lambda: actions.approve(task, actor=handler, reason="符合", amount=Decimal("300"),
                                           act_first=True),
        A.REFUSE: lambda: actions.refuse(task, actor=handler, reason="不符合"),
        A.COMPLETE: lambda: actions.complete_act_first(task, actor=handler, note="已补齐调查"),
        A.CLOSE: lambda: actions.close_task(task, actor=handler),
        A.TRANSFER: lambda: actions.transfer_task(task, actor=handler, department=world.org("人社局"), note="转办"),
        A.WITHDRAW: lambda: actions.withdraw(task, actor=handler, note="书面撤回"),
    }
    return calls[action]()


def test_the_map_and_the_actions_cover_the_same_moves():
    assert set(MOVES) == set(A.values) == set(actions.TRANSITIONS)
    for state in S.values:
        assert actions_from(state) == [a for a in A.values if state in MOVES[a].sources]
    # finished states allow nothing
    assert actions_from(S.CLOSED) == [] and actions_from(S.WITHDRAWN) == []


@pytest.mark.parametrize(("action", "state"), LEGAL, ids=[f"{a}-from-{s}" for a, s in LEGAL])
def test_every_legal_move(world, build, action, state):
    # given a task in the source state
    task = build(state, action)
    assert task.state == state
    events = TaskEvent.objects.filter(task=task).count()
    returned_from = task.returned_from

    # when the action runs
    do(action, task, world)

    # then the task is in the map's target state, and the move is on record
    task = Task.objects.get(pk=task.pk)
    target = MOVES[action].target or returned_from
    assert task.state == target
    event = TaskEvent.objects.filter(task=task).order_by("-occurred_at", "-pk").first()
    assert TaskEvent.objects.filter(task=task).count() > events
    assert (event.code, event.from_state, event.to_state) == (action, state, target)


@pytest.mark.parametrize(("action", "state"), ILLEGAL, ids=[f"{a}-from-{s}" for a, s in ILLEGAL])
def test_every_illegal_move_is_refused(world, build, action, state):
    task = build(state, action)
    before = (task.state, TaskEvent.objects.filter(task=task).count())

    with pytest.raises(IllegalTransition) as refused:
        do(action, task, world)

    assert refused.value.status == 409
    assert refused.value.details["allowed"] == actions_from(state)
    assert str(TaskState(state).label) in refused.value.message
    task = Task.objects.get(pk=task.pk)
    assert (task.state, TaskEvent.objects.filter(task=task).count()) == before


def test_an_unknown_action_is_refused_with_what_is_allowed():
    with pytest.raises(IllegalTransition) as refused:
        check_move("teleport", S.RECEIVED)
    assert refused.value.details["allowed"] == actions_from(S.RECEIVED)
