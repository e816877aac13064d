"""The intake API: take an application, follow it, list tasks, move a task; 409 for a move the map does
not allow, 422 naming the field for bad input, 403/404 outside one's role or scope."""

from __future__ import annotations

import json
from datetime import timedelta

from django.utils import timezone

from onedoor.intake import actions
from onedoor.intake.choices import TaskState
from onedoor.intake.models import Application, Task


def post(client, url, data):
    return client.post(url, json.dumps(data), content_type="application/json")


def test_a_clerk_takes_an_application_and_gets_the_receipt_and_tasks(world, login, make_policy, make_person):
    # given two policies of two departments
    make_policy("最低生活保障", code="dibao-t", required_documents=["户口簿"])
    make_policy("就业援助", code="job-t", department="人社局")
    person = make_person("陈接口")
    client = login("clerk.wuxian")

    # when the 五显镇 clerk posts the application without naming a window
    response = post(client, "/api/v1/applications", {
        "applicant_id": person.pk, "policies": ["dibao-t", "job-t"], "statement": "生活困难",
        "documents": ["户口簿"], "consent_to_checks": True})

    # then a receipt number and one task per policy with department and due date
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["receipt_no"].startswith("110-")
    assert body["window"]["name"] == "五显镇"
    assert body["applicant"]["id_number"] != person.id_number and "*" in body["applicant"]["id_number"]
    assert person.id_number not in response.content.decode()
    assert [t["department"]["name"] for t in body["tasks"]] == ["区民政局", "人社局"]
    assert all(t["state"] == "received" and t["due_date"] for t in body["tasks"])
    assert body["documents"] == ["户口簿"]

    # and it can be read back by receipt number
    again = client.get(f"/api/v1/applications/{body['receipt_no']}")
    assert again.status_code == 200
    assert again.json()["tasks"] == body["tasks"]


def test_application_input_errors_name_the_field(world, login, make_policy, make_person):
    make_policy(code="dibao-t")
    person = make_person()
    client = login("clerk.wuxian")

    unknown = post(client, "/api/v1/applications", {"applicant_id": person.pk, "policies": ["nope"]})
    assert unknown.status_code == 422
    assert "policies" in unknown.json()["details"]

    empty = post(client, "/api/v1/applications", {"applicant_id": person.pk, "policies": []})
    assert empty.status_code == 422
    assert empty.json()["code"] == "validation_error"

    not_act_first = post(client, "/api/v1/applications",
                         {"applicant_id": person.pk, "policies": ["dibao-t"], "act_first": ["dibao-t"]})
    assert not_act_first.status_code == 400
    assert not_act_first.json()["code"] == "act_first_not_allowed"

    bad_window = post(client, "/api/v1/applications",
                      {"applicant_id": person.pk, "policies": ["dibao-t"], "window_id": world.org("人社局").pk})
    assert bad_window.status_code == 422
    assert "window_id" in bad_window.json()["details"]
    assert Application.objects.count() == 0


def test_a_clerk_cannot_take_in_another_towns_name_or_for_a_foreign_person(world, login, make_policy, make_person):
    make_policy(code="dibao-t")
    own = make_person("莲花人", area=world.lianhua_village, actor=world.user("clerk.lianhua"))
    foreign = make_person("五显人")
    client = login("clerk.lianhua")

    as_wuxian = post(client, "/api/v1/applications",
                     {"applicant_id": own.pk, "policies": ["dibao-t"], "window_id": world.org("五显镇").pk})
    assert as_wuxian.status_code == 403
    foreign_person = post(client, "/api/v1/applications", {"applicant_id": foreign.pk, "policies": ["dibao-t"]})
    assert foreign_person.status_code == 404
    assert Application.objects.count() == 0


def test_application_and_task_reads_are_scoped(world, login, make_policy, submit):
    # given an application at 五显镇 with a 民政局 task and a 人社局 task
    application = submit([make_policy(), make_policy("就业援助", department="人社局")])
    mz_task, rs_task = application.tasks.order_by("pk")

    # a 莲花镇 clerk sees neither the application nor the tasks
    client = login("clerk.lianhua")
    assert client.get(f"/api/v1/applications/{application.receipt_no}").status_code == 404
    assert client.get(f"/api/v1/tasks/{mz_task.pk}").status_code == 404
    assert client.get("/api/v1/tasks").json()["count"] == 0

    # the 五显镇 clerk follows both tasks of the window's application
    client = login("clerk.wuxian")
    assert {t["id"] for t in client.get("/api/v1/tasks").json()["items"]} == {mz_task.pk, rs_task.pk}

    # a 人社局 handler sees their department's task only, and the application with only that task
    client = login("handler.rs")
    assert [t["id"] for t in client.get("/api/v1/tasks").json()["items"]] == [rs_task.pk]
    assert client.get(f"/api/v1/tasks/{mz_task.pk}").status_code == 404
    body = client.get(f"/api/v1/applications/{application.receipt_no}").json()
    assert [t["id"] for t in body["tasks"]] == [rs_task.pk]


def test_task_list_filters_and_pages_with_a_bounded_number_of_queries(world, login, make_policy, submit,
                                                                     django_assert_max_num_queries):
    policy = make_policy()
    other = make_policy("就业援助", department="人社局")
    for _ in range(12):
        submit([policy, other])
    late = Task.objects.filter(policy=policy).first()
    Task.objects.filter(pk=late.pk).update(received_on=late.received_on - timedelta(days=90),
                                           due_date=timezone.localdate() - timedelta(days=1))
    client = login("dispatcher")

    # session, user, grants, count, page — and the session's sliding expiry (savepoint, update, release)
    with django_assert_max_num_queries(8):
        page = client.get("/api/v1/tasks", {"page_size": 5}).json()
    assert page["count"] == 24 and len(page["items"]) == 5
    with django_assert_max_num_queries(8):
        big = client.get("/api/v1/tasks", {"page_size": 24}).json()
    assert len(big["items"]) == 24

    department = world.org("人社局").pk
    assert client.get("/api/v1/tasks", {"department": department}).json()["count"] == 12
    overdue = client.get("/api/v1/tasks", {"overdue": "true"}).json()
    assert [t["id"] for t in overdue["items"]] == [late.pk] and overdue["items"][0]["overdue"] is True
    assert client.get("/api/v1/tasks", {"overdue": "false"}).json()["count"] == 23
    assert client.get("/api/v1/tasks", {"state": "accepted"}).json()["count"] == 0
    bad = client.get("/api/v1/tasks", {"state": "nonsense"})
    assert bad.status_code == 422


def test_moving_a_task_through_the_api(world, login, make_policy, submit):
    task = submit([make_policy(kind="one_off_cash")]).tasks.get()
    client = login("handler.mz")
    url = f"/api/v1/tasks/{task.pk}/transitions"

    detail = client.get(f"/api/v1/tasks/{task.pk}").json()
    assert set(detail["allowed_actions"]) == {"accept", "return", "transfer", "withdraw"}
    assert [e["code"] for e in detail["events"]] == ["submit"]

    assert post(client, url, {"action": "accept"}).json()["state"] == "accepted"
    assert post(client, url, {"action": "investigate", "note": "入户"}).json()["state"] == "investigating"
    proposed = post(client, url, {"action": "propose", "note": "符合条件", "amount": "1200.50"}).json()
    assert proposed["state"] == "proposed" and proposed["decided_amount"] == "1200.50"
    approved = post(client, url, {"action": "approve", "reason": "符合临时救助条件"})
    assert approved.status_code == 200, approved.content
    body = approved.json()
    assert body["state"] == "approved" and body["allowed_actions"] == ["close"]
    assert [e["code"] for e in body["events"]] == ["submit", "accept", "investigate", "propose", "approve"]


def test_an_illegal_move_is_409_with_the_allowed_actions(world, login, make_policy, submit):
    task = submit([make_policy()]).tasks.get()
    client = login("handler.mz")

    response = post(client, f"/api/v1/tasks/{task.pk}/transitions", {"action": "close"})

    assert response.status_code == 409
    body = response.json()
    assert body["code"] == "illegal_transition"
    assert set(body["details"]["allowed"]) == {"accept", "return", "approve", "transfer", "withdraw"}
    assert "不能“办结”" in body["message"]
    assert Task.objects.get(pk=task.pk).state == TaskState.RECEIVED


def test_bad_move_input_is_422_naming_the_field(world, login, make_policy, submit):
    task = submit([make_policy(kind="one_off_cash")]).tasks.get()
    handler = world.user("handler.mz")
    actions.accept_task(task, actor=handler)
    actions.start_investigation(task, actor=handler)
    client = login("handler.mz")
    url = f"/api/v1/tasks/{task.pk}/transitions"

    float_amount = post(client, url, {"action": "propose", "note": "x", "amount": 12.5})
    assert float_amount.status_code == 422 and float_amount.json()["code"] == "validation_error"
    negative = post(client, url, {"action": "propose", "note": "x", "amount": "-1"})
    assert negative.status_code == 422
    no_note = post(client, url, {"action": "propose", "amount": "10"})
    assert no_note.status_code == 422 and "note" in no_note.json()["details"]
    no_reason = post(client, url, {"action": "refuse"})
    assert no_reason.status_code == 422 and "reason" in no_reason.json()["details"]
    no_missing = post(client, url, {"action": "return"})
    assert no_missing.status_code == 422 and "missing" in no_missing.json()["details"]
    no_department = post(client, url, {"action": "transfer", "note": "不属本部门"})
    assert no_department.status_code == 422 and "department" in no_department.json()["details"]
    unknown_action = post(client, url, {"action": "teleport"})
    assert unknown_action.status_code == 422
    assert Task.objects.get(pk=task.pk).state == TaskState.INVESTIGATING


def test_a_clerk_may_withdraw_but_not_decide(world, login, make_policy, submit):
    task = submit([make_policy()]).tasks.get()
    client = login("clerk.wuxian")
    url = f"/api/v1/tasks/{task.pk}/transitions"

    assert client.get(f"/api/v1/tasks/{task.pk}").json()["allowed_actions"] == ["withdraw"]
    assert post(client, url, {"action": "accept"}).status_code == 403
    withdrawn = post(client, url, {"action": "withdraw", "note": "申请人书面撤回"})
    assert withdrawn.status_code == 200 and withdrawn.json()["state"] == "withdrawn"


def test_transfer_through_the_api_moves_the_task_to_the_other_department(world, login, make_policy, submit):
    task = submit([make_policy()]).tasks.get()
    client = login("dispatcher")

    response = post(client, f"/api/v1/tasks/{task.pk}/transitions",
                    {"action": "transfer", "department": world.org("人社局").pk, "note": "属就业援助",
                     "handler": world.user("handler.rs").pk})

    assert response.status_code == 200, response.content
    body = response.json()
    assert body["department"]["name"] == "人社局" and body["handler"]["name"] == "李经办（人社局）"
    assert login("handler.rs").get(f"/api/v1/tasks/{task.pk}").status_code == 200
    assert login("handler.mz").get(f"/api/v1/tasks/{task.pk}").status_code == 404
