"""Reading the ledger: filtered lists with totals, a person's history, and the duplicate-aid check.
Everything starts from `AssistanceRecord.objects.visible_to(user)`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db.models import Case, Count, IntegerField, Q, QuerySet, Sum, Value, When

from onedoor.accounts.choices import OrganisationKind
from onedoor.accounts.models import Organisation
from onedoor.core.money import to_money
from onedoor.core.scoping import in_subtree

from .models import AssistanceRecord

# Departments that serve the whole district (not one town): offered in every filter.
DISTRICT_KINDS = (OrganisationKind.BUREAU, OrganisationKind.DEPARTMENT, OrganisationKind.SOCIAL_WORK,
                  OrganisationKind.CHARITY, OrganisationKind.RESCUE_STATION)


@dataclass(frozen=True)
class LedgerFilter:
    start: date | None = None
    end: date | None = None
    area: str | None = None
    kind: str | None = None
    policy_id: int | None = None
    department_id: int | None = None

    def as_params(self) -> dict[str, Any]:
        return {"start": self.start.isoformat() if self.start else "", "end": self.end.isoformat() if self.end else "",
                "area": self.area or "", "kind": self.kind or "", "policy": self.policy_id or "",
                "department": self.department_id or ""}

    @classmethod
    def from_params(cls, params: dict) -> LedgerFilter:
        def day(text):
            try:
                return date.fromisoformat(text) if text else None
            except (TypeError, ValueError):
                return None

        def number(text):
            return int(text) if str(text or "").isdigit() else None

        return cls(start=day(params.get("start")), end=day(params.get("end")), area=params.get("area") or None,
                   kind=params.get("kind") or None, policy_id=number(params.get("policy")),
                   department_id=number(params.get("department")))


def records_for(user: Any, flt: LedgerFilter | None = None) -> QuerySet[AssistanceRecord]:
    flt = flt or LedgerFilter()
    records = AssistanceRecord.objects.visible_to(user).in_period(flt.start, flt.end)
    if flt.area:
        records = records.filter(in_subtree("area", flt.area))
    if flt.kind:
        records = records.filter(kind=flt.kind)
    if flt.policy_id:
        records = records.filter(policy_id=flt.policy_id)
    if flt.department_id:
        records = records.filter(department_id=flt.department_id)
    return records


def totals(records: QuerySet[AssistanceRecord]) -> dict[str, Any]:
    """Sum of amounts (reversals net out) and 人次: original rows count +1, reversal rows −1."""
    result = records.order_by().aggregate(
        amount=Sum("amount"),
        times=Sum(Case(When(reverses__isnull=True, then=Value(1)), default=Value(-1), output_field=IntegerField())),
    )
    return {"amount": to_money(result["amount"] or 0), "times": result["times"] or 0}


def person_history(user: Any, person) -> QuerySet[AssistanceRecord]:
    return (AssistanceRecord.objects.visible_to(user).filter(person=person)
            .select_related("policy", "department", "reverses").order_by("-delivered_on", "-pk"))


def duplicate_aid(user: Any, *, start: date | None, end: date | None, kind: str | None) -> QuerySet:
    """People who received the same kind of help from two or more departments in the period (possible
    duplicate aid): one GROUP BY over the visible, effective (not reversed) records. Rows are dicts with
    person, kind, departments, times, amount."""
    records = AssistanceRecord.objects.visible_to(user).effective().in_period(start, end)
    if kind:
        records = records.filter(kind=kind)
    return (records.order_by().values("person", "kind")
            .annotate(departments=Count("department", distinct=True), times=Count("pk"), amount=Sum("amount"))
            .filter(departments__gte=2).order_by("person", "kind"))


def duplicate_details(user: Any, rows: list[dict], *, start: date | None, end: date | None
                      ) -> dict[tuple[int, str], list[AssistanceRecord]]:
    """The records behind a page of duplicate rows, keyed by (person id, kind): one query."""
    if not rows:
        return {}
    wanted = Q()
    for row in rows:
        wanted |= Q(person_id=row["person"], kind=row["kind"])
    found: dict[tuple[int, str], list[AssistanceRecord]] = {}
    records = (AssistanceRecord.objects.visible_to(user).effective().in_period(start, end).filter(wanted)
               .select_related("person", "department", "policy").order_by("person_id", "delivered_on", "pk"))
    for record in records:
        found.setdefault((record.person_id, record.kind), []).append(record)
    return found


def departments_for(user: Any) -> QuerySet[Organisation]:
    """Departments offered in the filters: the district's departments and the organisations the user sees."""
    return (Organisation.objects.filter(Q(kind__in=DISTRICT_KINDS)
                                        | Q(pk__in=Organisation.objects.visible_to(user).values("pk")))
            .filter(is_active=True).order_by("kind", "name"))
