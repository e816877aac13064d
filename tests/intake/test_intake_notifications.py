"""In-app messages (我的消息) when a task is routed or assigned to a handler, transferred or returned for
documents — only once the move commits — and the message sender behind them."""

from __future__ import annotations

import logging
from datetime import date

import pytest

from onedoor.core.exceptions import DomainError
from onedoor.core.models import Notification
from onedoor.core.notify import notify
from onedoor.intake import actions
from onedoor.policies.models import Responsibility

SENT: list[int] = []


class RecordingSender:
    """A MessageSender that remembers what it was given (stands in for an SMS gateway)."""

    def send(self, notification):
        SENT.append(notification.pk)


class BrokenSender:
    def send(self, notification):
        raise RuntimeError("gateway down")


def _inbox(username: str, kind: str | None = None):
    rows = Notification.objects.filter(user__username=username)
    return rows.filter(kind=kind) if kind else rows


def test_the_handler_named_by_the_list_is_told_of_a_new_task(world, make_policy, submit,
                                                            django_capture_on_commit_callbacks):
    policy = make_policy()
    Responsibility.objects.create(policy=policy, area=world.district, department=world.org("区民政局"),
                                  handler=world.user("handler.mz"), valid_from=date(2020, 1, 1))

    with django_capture_on_commit_callbacks(execute=True):
        application = submit([policy])

    task = application.tasks.get()
    message = _inbox("handler.mz", "task_routed").get()
    assert application.receipt_no in message.title and message.link == f"/intake/tasks/{task.pk}/"
    assert message.read_at is None


def test_assigning_tells_the_new_handler(world, make_policy, submit, django_capture_on_commit_callbacks):
    task = submit([make_policy()]).tasks.get()
    with django_capture_on_commit_callbacks(execute=True):
        actions.assign_handler(task, actor=world.user("dispatcher"), handler=world.user("handler.mz"))
    assert _inbox("handler.mz", "task_routed").count() == 1


def test_a_transfer_tells_the_receiving_department(world, make_policy, submit, django_capture_on_commit_callbacks):
    task = submit([make_policy()]).tasks.get()
    with django_capture_on_commit_callbacks(execute=True):
        actions.transfer_task(task, actor=world.user("dispatcher"), department=world.org("人社局"), note="属就业")
    message = _inbox("handler.rs", "task_transferred").get()
    assert "区民政局" in message.body
    assert not _inbox("handler.mz").exists()


def test_a_return_tells_the_window_clerk(world, make_policy, submit, django_capture_on_commit_callbacks):
    task = submit([make_policy()]).tasks.get()
    handler = world.user("handler.mz")
    actions.accept_task(task, actor=handler)
    with django_capture_on_commit_callbacks(execute=True):
        actions.return_for_documents(task, actor=handler, missing=["收入证明", "病历"])
    message = _inbox("clerk.wuxian", "task_returned").get()
    assert message.body == "需补正：收入证明、病历"


def test_a_move_that_is_rolled_back_tells_nobody(world, make_policy, submit, django_capture_on_commit_callbacks):
    task = submit([make_policy()]).tasks.get()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with pytest.raises(DomainError):
            actions.transfer_task(task, actor=world.user("dispatcher"), department=world.org("人社局"), note="")
    assert callbacks == [] and not Notification.objects.exists()


def test_the_configured_sender_gets_every_message_and_a_broken_one_loses_nothing(world, settings, caplog):
    settings.ONEDOOR = {**settings.ONEDOOR, "MESSAGE_SENDER": "test_intake_notifications.RecordingSender"}
    SENT.clear()
    rows = notify([world.user("handler.mz"), world.user("handler.mz"), None, world.user("handler.rs")],
                  title="测试", kind="test")
    assert sorted(SENT) == sorted(row.pk for row in rows) and len(rows) == 2

    settings.ONEDOOR = {**settings.ONEDOOR, "MESSAGE_SENDER": "test_intake_notifications.BrokenSender"}
    with caplog.at_level(logging.ERROR):
        rows = notify([world.user("handler.mz")], title="测试", kind="test")
    assert Notification.objects.filter(pk=rows[0].pk).exists()
    assert "message sender failed" in caplog.text


def test_the_logging_sender_writes_no_personal_data(world, caplog):
    with caplog.at_level(logging.INFO, logger="onedoor.core.notify"):
        notify([world.user("clerk.wuxian")], title="需告知陈大明补正材料", body="身份证 350212195203040011",
               kind="task_returned")
    assert "notification" in caplog.text
    assert "陈大明" not in caplog.text and "350212" not in caplog.text


def test_my_messages_page_lists_counts_and_marks_read(world, login):
    own = notify([world.user("handler.mz")], title="新的办理事项：最低生活保障", kind="task_routed",
                 link="/intake/tasks/1/")[0]
    other = notify([world.user("handler.rs")], title="人社局的消息", kind="task_routed")[0]
    client = login("handler.mz")

    page = client.get("/messages/").content.decode()
    assert "新的办理事项：最低生活保障" in page and "人社局的消息" not in page
    home = client.get("/").content.decode()
    assert 'hx-get="/messages/badge/"' in home
    assert '>1</span>' in client.get("/messages/badge/").content.decode()

    response = client.post(f"/messages/{own.pk}/read/")
    assert response.status_code == 302 and response["Location"] == "/intake/tasks/1/"
    own.refresh_from_db()
    assert own.read_at is not None
    assert client.post(f"/messages/{other.pk}/read/").status_code == 404

    notify([world.user("handler.mz")], title="二", kind="t")
    notify([world.user("handler.mz")], title="三", kind="t", link="https://evil.example/")
    assert client.post("/messages/read-all/").status_code == 302
    assert not Notification.objects.filter(user__username="handler.mz", read_at__isnull=True).exists()
    assert "badge" not in client.get("/messages/badge/").content.decode()
    outside = Notification.objects.get(title="三")
    assert client.post(f"/messages/{outside.pk}/read/")["Location"] == "/messages/"
    other.refresh_from_db()
    assert other.read_at is None
