"""The intake pages (window, application, task, 我的事项, 调度台), each role, through the test client."""

from __future__ import annotations

import pytest


def body_of(response) -> str:
    return response.content.decode()


def test_smoke(login, world, make_policy, submit, make_person):
    policy = make_policy(required_documents=["户口簿", "收入证明"], act_first_allowed=True)
    person = make_person("杨全")
    app = submit([policy], applicant=person, documents=["户口簿"])
    task = app.tasks.get()
    for user, urls in {
        "clerk.wuxian": ["/intake/window/?q=yq", f"/intake/window/persons/{person.pk}/apply/", "/intake/today/",
                         f"/intake/applications/{app.pk}/", f"/intake/tasks/{task.pk}/", "/",
                         f"/registry/persons/{person.pk}/",
                         f"/intake/window/documents/?policies={policy.pk}"],
        "handler.mz": ["/intake/tasks/mine/", f"/intake/tasks/{task.pk}/", "/"],
        "dispatcher": ["/intake/dispatch/", f"/intake/tasks/{task.pk}/", "/"],
    }.items():
        client = login(user)
        for url in urls:
            r = client.get(url)
            assert r.status_code == 200, (user, url, r.status_code)
