"""The intake demo step: about forty applications in every state through the actions, once; skipped
without the catalogue."""

from __future__ import annotations

import pytest

from onedoor.intake.choices import TaskState
from onedoor.intake.demo_steps import STORIES, load_demo_applications
from onedoor.intake.models import Application, Task, TaskEvent


@pytest.fixture
def demo_people(world):
    from onedoor.registry.demo_steps import load_demo_persons

    load_demo_persons({})


def test_without_the_catalogue_the_step_skips(world, demo_people):
    from onedoor.policies.models import Policy

    # the test district loads the catalogue; take one policy the stories need out of it
    Policy.objects.filter(code="mz-dibao").update(code="not-dibao")
    assert "政策目录尚未载入" in load_demo_applications({})
    assert not Application.objects.exists()


def test_the_demo_applications_cover_every_state_once(world, demo_people, django_capture_on_commit_callbacks):
    from onedoor.policies.demo_steps import load_demo_catalogue

    load_demo_catalogue({})  # already in the test district; loading again changes nothing
    with django_capture_on_commit_callbacks(execute=True):
        summary = load_demo_applications({})

    assert f"生成 {len(STORIES)} 件申请" in summary and len(STORIES) >= 35
    states = set(Task.objects.values_list("state", flat=True))
    assert states >= {TaskState.RECEIVED, TaskState.ACCEPTED, TaskState.INVESTIGATING, TaskState.RETURNED,
                      TaskState.PROPOSED, TaskState.NOTICE, TaskState.OBJECTED, TaskState.APPROVED,
                      TaskState.REFUSED, TaskState.CLOSED, TaskState.WITHDRAWN}
    assert Task.objects.overdue().count() >= 1
    assert TaskEvent.objects.filter(code="escalate").exists()
    assert Task.objects.filter(completion_pending=True).exists()  # a 先行救助 still to be completed
    assert Application.objects.values("window").distinct().count() >= 4
    # every task's history starts with its submission, and states come from moves on record
    for task in Task.objects.all():
        events = list(task.events.order_by("occurred_at", "pk"))
        assert events[0].code == "submit"
        moves = [e for e in events if e.to_state and e.code not in ("assign", "home_visit", "escalate")]
        assert moves[-1].to_state == task.state
        assert task.received_on <= task.due_date

    assert "未重复生成" in load_demo_applications({})
    assert Application.objects.count() == len(STORIES)
