"""Deadlines and escalation (督办): due dates in working days across holidays, 调休 Saturdays and past the
known calendar; the clock stopped during 补正 and moved on resubmission; the daily escalation, once a
day, to the dispatchers who cover the task and the department head; the job, the command and the
embedded server's daily trigger."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from onedoor.accounts.actions import assign_role, create_staff
from onedoor.core.models import Notification
from onedoor.core.workdays import add_working_days, known_until, working_days_between
from onedoor.intake import actions, selectors
from onedoor.intake.choices import TaskState
from onedoor.intake.deadlines import deadline_status, escalate_overdue
from onedoor.intake.models import Task, TaskEvent


def _received_on(task: Task, day: date, limit: int) -> Task:
    """Pretend the task was received on `day` (the actions always stamp today, and the project has no
    clock-freezing library): receipt and due date are rewritten together exactly as `_open_task`
    computes them, so what is tested — the deadline arithmetic built on them — is unchanged."""
    due = add_working_days(day, limit)
    Task.objects.filter(pk=task.pk).update(received_on=day, due_date=due.date, due_estimated=due.estimated)
    task.refresh_from_db()
    return task


# --- due dates ---------------------------------------------------------------------------------------

def test_due_date_is_counted_in_working_days_from_the_receipt(world, make_policy, submit):
    task = submit([make_policy(time_limit_days=10)]).tasks.get()
    today = timezone.localdate()
    assert task.received_on == today
    assert working_days_between(today, task.due_date) == 10
    assert task.due_estimated == (not task.due_date <= known_until())


@pytest.mark.parametrize(("received", "limit", "due"), [
    # 国庆 2025: Oct 1–8 off; Saturday Oct 11 is a 调休 working day
    (date(2025, 9, 30), 1, date(2025, 10, 9)),
    (date(2025, 9, 30), 3, date(2025, 10, 11)),
    # 春节 2026: Feb 15–23 off; Saturday Feb 14 and Saturday Feb 28 worked
    (date(2026, 2, 13), 1, date(2026, 2, 14)),
    (date(2026, 2, 13), 2, date(2026, 2, 24)),
])
def test_due_dates_step_over_holidays_and_count_adjusted_saturdays(world, make_policy, submit, received, limit, due):
    task = _received_on(submit([make_policy(time_limit_days=limit)]).tasks.get(), received, limit)
    assert task.due_date == due
    assert task.due_estimated is False


def test_a_due_date_past_the_known_calendar_is_flagged_estimated(world, make_policy, submit):
    last = known_until()
    task = _received_on(submit([make_policy()]).tasks.get(), last - timedelta(days=3), 30)
    assert task.due_date > last
    assert task.due_estimated is True
    # and still a Monday–Friday date
    assert task.due_date.weekday() < 5


def test_the_clock_stops_during_supplement_and_the_due_date_moves_on_resubmission(world, make_policy, submit):
    # given a task returned for documents ten days ago (the notice's date written back, see above)
    task = submit([make_policy(required_documents=["户口簿"])]).tasks.get()
    assert task.state == TaskState.RETURNED and task.paused_on == timezone.localdate()
    paused = timezone.localdate() - timedelta(days=14)
    Task.objects.filter(pk=task.pk).update(paused_on=paused)
    before = Task.objects.get(pk=task.pk).due_date

    # a waiting task is neither overdue nor due soon
    assert deadline_status(task, before + timedelta(days=30)).state == "paused"
    assert task.pk not in set(Task.objects.overdue(before + timedelta(days=30)).values_list("pk", flat=True))

    # when the documents come in
    task = actions.resubmit(task, actor=world.user("clerk.wuxian"), documents=[actions.ReceivedDocument("户口簿")])

    # then the due date moved by the working days it waited
    waited = working_days_between(paused, timezone.localdate())
    assert task.state == TaskState.RECEIVED and task.paused_on is None
    assert task.due_date == add_working_days(before, waited).date
    event = task.events.get(code="resubmit")
    assert event.data["waited_working_days"] == waited


def test_overdue_and_due_soon_lists(world, make_policy, submit):
    policy = make_policy(time_limit_days=5)
    task = submit([policy]).tasks.get()
    dispatcher = world.user("dispatcher")
    soon_day = add_working_days(task.received_on, 3).date

    assert task.pk in set(selectors.due_soon_tasks(dispatcher, soon_day).values_list("pk", flat=True))
    assert not selectors.overdue_tasks(dispatcher, soon_day).exists()
    late = task.due_date + timedelta(days=1)
    assert list(selectors.overdue_tasks(dispatcher, late)) == [task]
    assert deadline_status(task, late).state == "overdue"
    assert deadline_status(task, task.due_date).label == "今天到期"
    # out of the 莲花镇 clerk's scope
    assert not selectors.overdue_tasks(world.user("clerk.lianhua"), late).exists()


def test_on_time_rate_by_department(world, make_policy, submit):
    handler = world.user("handler.mz")
    policy = make_policy(kind="referral")
    tasks = [submit([policy]).tasks.get() for _ in range(3)]
    for task in tasks:
        actions.accept_task(task, actor=handler)
        actions.start_investigation(task, actor=handler)
        actions.refuse(task, actor=handler, reason="不符合条件")
    # one was decided after its due date
    late = tasks[0]
    Task.objects.filter(pk=late.pk).update(decided_at=timezone.now() + timedelta(days=120))
    today = timezone.localdate()

    rows = selectors.on_time_rate_by_department(world.user("dispatcher"), today, today + timedelta(days=200))

    assert [(str(r.department), r.decided, r.decided_on_time) for r in rows] == [("区民政局", 3, 2)]
    assert str(rows[0].rate) == "66.7" and rows[0]["rate"] == rows[0].rate
    assert selectors.on_time_rate_by_department(world.user("clerk.lianhua"), today, today + timedelta(days=200)) == []


# --- escalation --------------------------------------------------------------------------------------

@pytest.fixture
def lianhua_dispatcher(world):
    user = create_staff(actor=None, username="dispatcher.lianhua", full_name="莲花调度",
                        organisation=world.org("莲花镇"), password="x-Secret-123")
    assign_role(actor=None, user=user, role="dispatcher", area=world.lianhua)
    return user


def test_escalation_tells_the_covering_dispatchers_and_the_head_once_a_day(
        world, make_policy, submit, lianhua_dispatcher, django_capture_on_commit_callbacks):
    # given the bureau's head is set, and a 五显镇 task past its due date
    bureau = world.org("区民政局")
    bureau.head = world.user("leader")
    bureau.save()
    task = submit([make_policy(time_limit_days=5)]).tasks.get()
    waiting = submit([make_policy(time_limit_days=5, required_documents=["户口簿"])]).tasks.get()
    day = task.due_date + timedelta(days=1)

    # when the daily job runs
    with django_capture_on_commit_callbacks(execute=True):
        result = escalate_overdue(day)

    # then the task is escalated (not the one waiting for documents), with an event
    assert result.escalated == 1 and result.task_ids == [task.pk]
    task.refresh_from_db()
    assert task.escalated_on == day
    event = TaskEvent.objects.get(task=task, code="escalate")
    assert event.from_state == event.to_state == TaskState.RECEIVED and "逾期" in event.note
    assert not TaskEvent.objects.filter(task=waiting, code="escalate").exists()
    # the district dispatcher and the head are told; the 莲花镇 dispatcher (not covering 五显镇) is not
    told = set(Notification.objects.filter(kind="task_escalated").values_list("user__username", flat=True))
    assert told == {"dispatcher", "leader"}
    message = Notification.objects.get(user__username="dispatcher", kind="task_escalated")
    assert task.application.receipt_no in message.title and message.link.endswith(f"/tasks/{task.pk}/")

    # when it runs again the same day: nothing new
    with django_capture_on_commit_callbacks(execute=True):
        again = escalate_overdue(day)
    assert again.escalated == 0
    assert Notification.objects.filter(kind="task_escalated").count() == 2
    assert TaskEvent.objects.filter(code="escalate").count() == 1

    # the next day, still overdue: escalated again
    with django_capture_on_commit_callbacks(execute=True):
        assert escalate_overdue(day + timedelta(days=1)).escalated == 1
    assert TaskEvent.objects.filter(code="escalate").count() == 2


def test_many_overdue_tasks_make_one_message_per_recipient(world, make_policy, submit,
                                                          django_capture_on_commit_callbacks):
    policy = make_policy(time_limit_days=5)
    tasks = [submit([policy]).tasks.get() for _ in range(12)]
    day = max(t.due_date for t in tasks) + timedelta(days=1)

    with django_capture_on_commit_callbacks(execute=True):
        result = escalate_overdue(day)

    assert result.escalated == 12
    message = Notification.objects.get(user__username="dispatcher", kind="task_escalated")
    assert message.title == "督办：12 项事项已逾期"
    assert "另有 2 项" in message.body


def test_a_decided_task_is_not_escalated(world, make_policy, submit):
    task = submit([make_policy(kind="referral", time_limit_days=5)]).tasks.get()
    handler = world.user("handler.mz")
    actions.accept_task(task, actor=handler)
    actions.start_investigation(task, actor=handler)
    actions.refuse(task, actor=handler, reason="不符合")
    assert escalate_overdue(task.due_date + timedelta(days=5)).escalated == 0


def test_the_command_and_the_job_escalate(world, make_policy, submit, capsys):
    from onedoor.intake.tasks import escalate_overdue_daily

    task = submit([make_policy(time_limit_days=5)]).tasks.get()
    day = task.due_date + timedelta(days=1)

    call_command("escalate_overdue", "--date", day.isoformat())
    assert "督办逾期事项 1 项" in capsys.readouterr().out
    result = escalate_overdue_daily.enqueue(day=day.isoformat())
    assert result.return_value == "督办逾期事项 0 项，发出消息 0 条"
    with pytest.raises(Exception, match="YYYY-MM-DD"):
        call_command("escalate_overdue", "--date", "yesterday")


def test_the_embedded_server_enqueues_the_daily_job_once_a_day(world, make_policy, submit):
    import io

    from onedoor.core.management.commands.serve import DAILY_TASKS, DailyTrigger

    assert "onedoor.intake.tasks.escalate_overdue_daily" in DAILY_TASKS
    trigger = DailyTrigger(io.StringIO())
    assert trigger.tick() is True  # at start (the immediate backend runs it at once)
    assert trigger.tick() is False  # not again the same day
    trigger.last_day = timezone.localdate() - timedelta(days=1)
    assert trigger.tick() is True  # after midnight
    broken = DailyTrigger(io.StringIO(), tasks=("onedoor.intake.tasks.no_such_job",))
    assert broken.tick() is True and "未能加入队列" in broken.stdout.getvalue()
