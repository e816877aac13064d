"""Out-of-scope probes of the intake API: the 莲花镇 clerk against an application taken at the 五显镇
window for a 五显镇 person (its task with the bureau). Reads answer 404 or leave the foreign rows out;
writes answer 403/404 and change nothing. `foreign_application` is shared with the page probes."""

from __future__ import annotations

import json

from onedoor.core.probes import FOREIGN_MARKER, Probe

PROBE_POLICY = "probe-dibao"


def probe_policy(world):
    from onedoor.policies.models import Policy

    return Policy.objects.get_or_create(code=PROBE_POLICY, defaults={
        "name": "最低生活保障（探针）", "department": world.org("区民政局"), "kind": "monthly_cash",
        "time_limit_days": 30, "notice_required": True})[0]


def foreign_application(world):
    """An application of 五显镇's window for a person named with FOREIGN_MARKER (built once per test)."""
    from onedoor.intake.actions import submit_application
    from onedoor.intake.models import Application
    from onedoor.registry.probes_api import foreign_person

    person = foreign_person(world)
    return Application.objects.filter(applicant=person).first() or submit_application(
        actor=world.user("clerk.wuxian"), applicant=person, policies=[probe_policy(world)],
        window=world.org("五显镇"), statement=f"{FOREIGN_MARKER}镇申请")


def foreign_task(world):
    return foreign_application(world).tasks.get()


def _snapshot() -> dict:
    from onedoor.intake.models import Application, Task, TaskEvent

    return {"applications": Application.objects.count(), "events": TaskEvent.objects.count(),
            "tasks": list(Task.objects.order_by("pk").values_list("pk", "state", "department_id", "handler_id"))}


def _send(client, url: str, data: dict):
    return client.post(url, json.dumps(data), content_type="application/json")


def _cannot_apply_for_a_foreign_person_or_window(client, world) -> None:
    from onedoor.registry.probes_api import foreign_person, local_person

    probe_policy(world)
    foreign_application(world)
    before = _snapshot()
    response = _send(client, "/api/v1/applications",
                     {"applicant_id": foreign_person(world).pk, "policies": [PROBE_POLICY]})
    assert response.status_code == 404, response.status_code
    assert FOREIGN_MARKER not in response.content.decode()
    response = _send(client, "/api/v1/applications", {"applicant_id": local_person(world).pk,
                                                      "policies": [PROBE_POLICY], "window_id": world.org("五显镇").pk})
    assert response.status_code == 403, response.status_code
    assert _snapshot() == before


def _cannot_move_a_foreign_task(client, world) -> None:
    task = foreign_task(world)
    before = _snapshot()
    for body in ({"action": "withdraw", "note": "越权"}, {"action": "accept"}, {"action": "close"}):
        response = _send(client, f"/api/v1/tasks/{task.pk}/transitions", body)
        assert response.status_code == 404, response.status_code
        assert FOREIGN_MARKER not in response.content.decode()
    assert _snapshot() == before


PROBES = [
    Probe("api:create_application", expect="check", check=_cannot_apply_for_a_foreign_person_or_window),
    Probe("api:get_application", kwargs=lambda w: {"receipt_no": foreign_application(w).receipt_no}),
    Probe("api:list_tasks", expect="absent", given=foreign_application),
    Probe("api:list_tasks", expect="absent", given=foreign_application, query={"state": "received"}),
    Probe("api:list_tasks", expect="absent", given=foreign_application, query={"overdue": "false"}),
    Probe("api:list_tasks", expect="absent", given=foreign_application, query={"unassigned": "true"}),
    Probe("api:get_task", kwargs=lambda w: {"task_id": foreign_task(w).pk}),
    Probe("api:move_task", expect="check", check=_cannot_move_a_foreign_task),
]
