"""The main road of a task, end to end through the actions: submitted at a town window, routed,
investigated, put on public notice, approved after the notice, closed."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from onedoor.core.exceptions import DomainError, IllegalTransition
from onedoor.core.workdays import add_working_days
from onedoor.intake import actions
from onedoor.intake.choices import TaskState
from onedoor.intake.models import PublicNotice, TaskEvent


def test_a_dibao_application_goes_from_window_to_closed(world, make_policy, submit):
    # given a 低保 policy with a 7-day notice, handled by the bureau
    policy = make_policy(notice_required=True, required_documents=["户口簿"])
    handler = world.user("handler.mz")

    # when the 五显镇 window takes the application with the documents
    application = submit([policy], documents=["户口簿"])

    # then one task is routed to the policy's department with a 30-working-day deadline
    task = application.tasks.get()
    assert application.receipt_no.startswith("110-")
    assert task.department == world.org("区民政局")
    assert task.state == TaskState.RECEIVED
    assert task.due_date == add_working_days(task.received_on, 30).date

    actions.accept_task(task, actor=handler)
    actions.start_investigation(task, actor=handler)
    actions.propose_decision(task, actor=handler, note="家庭人均收入低于标准", amount=Decimal("350.00"))
    notice = actions.publish_notice(task, actor=handler, starts_on=timezone.localdate() - timedelta(days=7))
    assert notice.content["name"] == application.applicant.name
    assert notice.content["amount"] == "350.00"
    actions.approve(task, actor=handler, reason="符合条件")
    actions.close_task(task, actor=handler)

    task.refresh_from_db()
    assert task.state == TaskState.CLOSED
    assert PublicNotice.objects.get(pk=notice.pk).state == "ended"
    codes = list(TaskEvent.objects.filter(task=task).values_list("code", flat=True))
    assert codes == ["submit", "accept", "investigate", "propose", "publish_notice", "approve", "close"]


def test_missing_documents_give_one_notice_and_stop_the_clock(world, make_policy, submit):
    policy = make_policy(required_documents=["户口簿", "收入证明"])
    other = make_policy("医疗救助", required_documents=["病历/诊断证明"])

    application = submit([policy, other], documents=["户口簿"])

    notice = application.supplement_notices.get()
    assert [entry["documents"] for entry in notice.missing] == [["收入证明"], ["病历/诊断证明"]]
    assert set(application.tasks.values_list("state", flat=True)) == {TaskState.RETURNED}
    with pytest.raises(IllegalTransition):
        actions.accept_task(application.tasks.first(), actor=world.user("handler.mz"))


def test_a_task_missing_documents_shows_both_steps_and_its_history(world, make_policy, submit):
    policy = make_policy(required_documents=["户口簿", "收入证明"])
    complete = make_policy("医疗救助")

    application = submit([policy, complete], documents=["户口簿"])

    waiting, taken = application.tasks.get(policy=policy), application.tasks.get(policy=complete)
    assert (waiting.state, waiting.returned_from, waiting.paused_on) == (
        TaskState.RETURNED, TaskState.RECEIVED, timezone.localdate())
    assert [(e.code, e.from_state, e.to_state, e.note) for e in waiting.events.order_by("occurred_at", "pk")] == [
        ("submit", "", TaskState.RECEIVED, "分派至区民政局，待分派经办人"),
        ("return", TaskState.RECEIVED, TaskState.RETURNED, "需补正：收入证明")]
    assert [e.code for e in taken.events.all()] == ["submit"] and taken.paused_on is None
    history = waiting.history.get()  # one row, written with the task, naming the clerk
    assert (history.state, history.history_user) == (TaskState.RETURNED, world.user("clerk.wuxian"))
    assert list(application.supplement_notices.get().tasks.all()) == [waiting]


def test_submitting_more_policies_takes_no_more_queries(world, make_policy, submit, make_person):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    policies = [make_policy(f"政策{n}", required_documents=["户口簿"]) for n in range(4)]
    applicants = [make_person(f"申请人{n}") for n in range(2)]
    submit(policies[:1], applicant=make_person("预热"))  # the calendar and the receipt counter exist
    counts = []
    for applicant, requested in zip(applicants, (policies[:1], policies), strict=True):
        with CaptureQueriesContext(connection) as queries:
            application = submit(requested, applicant=applicant)
        counts.append(len(queries))
        assert application.tasks.count() == len(requested)
        assert application.receipt_no.startswith("110-")
    assert counts[0] == counts[1], counts


def test_approving_during_the_notice_is_refused(world, make_policy, submit):
    policy = make_policy(notice_required=True)
    task = submit([policy]).tasks.get()
    handler = world.user("handler.mz")
    actions.accept_task(task, actor=handler)
    actions.start_investigation(task, actor=handler)
    actions.propose_decision(task, actor=handler, note="符合", amount=Decimal("100"))
    actions.publish_notice(task, actor=handler)
    with pytest.raises(DomainError, match="公示期"):
        actions.approve(task, actor=handler, reason="符合")


def test_documents_are_added_only_by_someone_who_works_with_the_application(world, make_policy, submit):
    from onedoor.core.exceptions import NotPermitted

    application = submit([make_policy()])
    papers = [actions.ReceivedDocument("收入证明")]
    with pytest.raises(NotPermitted):
        actions.add_documents(application, actor=world.user("clerk.lianhua"), documents=papers)  # another town
    with pytest.raises(NotPermitted):
        actions.add_documents(application, actor=world.user("leader"), documents=papers)  # sees it, reads only
    stored = actions.add_documents(application, actor=world.user("clerk.wuxian"), documents=papers)
    assert [doc.name for doc in stored] == ["收入证明"]
