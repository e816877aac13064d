"""Out-of-scope probes of intake's routes: the 莲花镇 clerk against an application taken by the 五显镇
window for a 五显镇 resident (named 五显测试人, so an "absent" probe spots a leak).

Pages about it answer 404; lists do not show it; posting to a form about it answers 404 and changes
nothing; the handler's and the dispatcher's pages are closed to a window clerk altogether (403).
Gathered here with the API's (probes_api.py) and the printed documents' (probes_print.py)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from onedoor.core.probes import Probe, Unscoped

from .probes_api import PROBES as API_PROBES
from .probes_print import PROBES as PRINT_PROBES


def probe_policy():
    from onedoor.accounts.models import Organisation
    from onedoor.policies.models import Policy

    policy, _ = Policy.objects.get_or_create(code="probe-policy", defaults={
        "name": "探针测试政策", "department": Organisation.objects.get(short_name="区民政局"),
        "kind": "monthly_cash", "required_documents": ["户口簿"]})
    return policy


def foreign_application(world):
    """An application of a 五显镇 resident taken at the 五显镇 window, with a scanned document."""
    from onedoor.registry.probes_pages import foreign_person

    from .actions import ReceivedDocument, submit_application

    return submit_application(
        actor=world.user("clerk.wuxian"), applicant=foreign_person(world), policies=[probe_policy()],
        window=world.org("五显镇"), statement="五显测试申请",
        documents=[ReceivedDocument("户口簿", SimpleUploadedFile("scan.pdf", b"%PDF-1.4 probe"))])


def foreign_task(world):
    return foreign_application(world).tasks.get()


def _counts() -> tuple:
    from .models import Application, ApplicationDocument, HomeVisit, TaskEvent

    return (Application.objects.count(), ApplicationDocument.objects.count(), TaskEvent.objects.count(),
            HomeVisit.objects.count())


def refused(route: str, setup: Callable[[Any], tuple[dict, dict]]) -> Callable[[Any, Any], None]:
    """POST the form data that `setup(world)` returns to the route; expect 404 and no change."""

    def check(client, world) -> None:
        kwargs, data = setup(world)
        before = _counts()
        response = client.post(reverse(route, kwargs=kwargs), data)
        assert response.status_code == 404, f"{route} answered {response.status_code}"
        assert _counts() == before, f"{route} changed something"

    return check


def closed_to_clerks(route: str) -> Callable[[Any, Any], None]:
    """A page of another role: the window clerk is refused, whatever exists."""

    def check(client, world) -> None:
        foreign_application(world)
        response = client.get(reverse(route))
        assert response.status_code == 403, f"{route} answered {response.status_code}"
        assert "五显" not in response.content.decode()

    return check


PAGE_PROBES: list[Probe | Unscoped] = [
    Probe("intake:window", expect="absent", given=lambda w: foreign_application(w), query={"q": "wx"}),
    Probe("intake:window", expect="absent", given=lambda w: foreign_application(w), query={"q": "wxcsr"}),
    Unscoped("intake:window_documents", "按勾选的政策列出目录中的申请材料，只读取公开的政策目录"),
    Probe("intake:application_new", kwargs=lambda w: {"person_pk": foreign_application(w).applicant_id}),
    Probe("intake:application_new", expect="check", check=refused(
        "intake:application_new",
        lambda w: ({"person_pk": foreign_application(w).applicant_id}, {"policies": [probe_policy().pk]}))),
    Probe("intake:today", expect="absent", given=lambda w: foreign_application(w)),
    Probe("intake:application_detail", kwargs=lambda w: {"pk": foreign_application(w).pk}),
    Probe("intake:application_add_documents", expect="check", check=refused(
        "intake:application_add_documents",
        lambda w: ({"pk": foreign_application(w).pk}, {"docs-documents": ["户口簿"]}))),
    Probe("intake:document_download", kwargs=lambda w: {"pk": foreign_application(w).documents.get().pk}),
    Probe("intake:task_detail", kwargs=lambda w: {"pk": foreign_task(w).pk}),
    Probe("intake:task_action", expect="check", check=refused(
        "intake:task_action", lambda w: ({"pk": foreign_task(w).pk, "action": "withdraw"},
                                         {"withdraw-note": "探针"}))),
    Probe("intake:my_tasks", expect="check", check=closed_to_clerks("intake:my_tasks")),
    Probe("intake:dispatch", expect="check", check=closed_to_clerks("intake:dispatch")),
]


PROBES: list[Probe | Unscoped] = [*PAGE_PROBES, *API_PROBES, *PRINT_PROBES]
