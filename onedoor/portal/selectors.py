"""What the public portal reads: the policy catalogue (public), the town windows (public), and the
progress of one application for someone who holds its receipt number and the last four characters
of the applicant's ID number — and nothing personal about it."""

from __future__ import annotations

import hmac
import re
import unicodedata
from dataclasses import dataclass
from datetime import date

from django.db.models import Q, QuerySet
from django.utils import timezone

from onedoor.accounts.choices import OrganisationKind
from onedoor.accounts.models import Organisation
from onedoor.core.text import to_simplified
from onedoor.intake.choices import DECIDED_STATES, FINISHED_STATES, TaskState
from onedoor.intake.models import Application, Task
from onedoor.policies.models import Policy

RECEIPT_SHAPE = re.compile(r"^[0-9A-Z]{3}-\d{8}-\d{4,6}$")
SUFFIX_SHAPE = re.compile(r"^[0-9]{3}[0-9X]$")


def active_policies() -> QuerySet[Policy]:
    return Policy.objects.filter(is_active=True).select_related("department").order_by("order", "code")


def search_policies(q: str = "", *, situation: str = "", department: int | None = None) -> QuerySet[Policy]:
    """Active policies whose name, keywords or guide contain every word of `q` (traditional characters
    are read as simplified), optionally of one life situation and one department."""
    policies = active_policies()
    for word in to_simplified(unicodedata.normalize("NFKC", q or "")).split():
        policies = policies.filter(Q(name__icontains=word) | Q(keywords__icontains=word)
                                   | Q(guide__icontains=word) | Q(department__name__icontains=word))
    if situation:
        # JSON lists: matched as text so that SQLite and PostgreSQL behave alike.
        policies = policies.filter(life_situations__icontains=f'"{situation}"')
    if department:
        policies = policies.filter(department_id=department)
    return policies


def policy_departments() -> QuerySet[Organisation]:
    """Departments (and the bureau) that have at least one active policy."""
    return Organisation.objects.filter(policies__is_active=True).distinct().order_by("kind", "name")


def town_windows() -> QuerySet[Organisation]:
    """The 镇（街、场） windows that take applications, with their addresses and phones."""
    return Organisation.objects.filter(kind=OrganisationKind.TOWN_OFFICE, is_active=True).select_related(
        "area").order_by("area_id")


def normalize_receipt_no(raw: str) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", raw or "")).upper().replace("—", "-")


def normalize_suffix(raw: str) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", raw or "")).upper()


@dataclass(frozen=True)
class TaskProgress:
    policy: str
    department: str
    state: str
    state_label: str
    due_date: date | None
    decided: bool
    finished: bool


@dataclass(frozen=True)
class ApplicationProgress:
    receipt_no: str
    submitted_on: date
    tasks: list[TaskProgress]


def application_progress(receipt_no: str, id_last4: str) -> ApplicationProgress | None:
    """The progress of an application, or None when the receipt number is unknown *or* the suffix is
    wrong: both answer alike, so the lookup cannot tell anyone which receipt numbers exist."""
    receipt_no, suffix = normalize_receipt_no(receipt_no), normalize_suffix(id_last4)
    if not RECEIPT_SHAPE.match(receipt_no) or not SUFFIX_SHAPE.match(suffix):
        return None
    application = (Application.objects.filter(receipt_no=receipt_no)
                   .values("pk", "submitted_at", "applicant__id_number").first())
    held = ((application or {}).get("applicant__id_number") or "")[-4:]
    if application is None or not held or not hmac.compare_digest(held.encode(), suffix.encode()):
        return None
    tasks = [
        TaskProgress(
            policy=task.policy.name, department=task.department.name, state=task.state,
            state_label=str(TaskState(task.state).label),
            due_date=task.due_date,
            decided=task.decided_at is not None or task.state in DECIDED_STATES,
            finished=task.state in FINISHED_STATES,
        )
        for task in Task.objects.filter(application_id=application["pk"]).select_related("policy", "department")
        .order_by("pk")
    ]
    return ApplicationProgress(receipt_no=receipt_no,
                               submitted_on=timezone.localtime(application["submitted_at"]).date(),
                               tasks=tasks)
