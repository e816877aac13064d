"""Reviews (复核, 动态管理) of enrollments: when they are due, and what recording one does.

When a review is due:
- periodically, by the policy's frequency (yearly / half-yearly / quarterly): `Enrollment.review_due`
  holds the date, set at enrollment and moved on by each review;
- within 3 months after a member of the household dies: a `Review` row of kind after_death, written
  when the death is recorded (registry.person_died).

Review rows are created lazily: a periodic review becomes a row when it is recorded (the due list
reads `review_due` directly), an after-death review when the death is recorded. No daily job is
needed, and creating one twice is harmless — (enrollment, kind, due_on) is unique and
`schedule_review` is a get-or-create.

Recording a review answers every open review of the enrollment at once, and then, by its outcome:
continue (next review date), new amount (recomputed from the next month), fading (渐退期 from the next
month, at most 6 months) or end (paid through the month of the review).
"""

from __future__ import annotations

import calendar
from datetime import date, timedelta

from django.db import transaction
from django.db.models import Exists, F, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce, Least
from django.utils import timezone

from onedoor.core.audit import attribute_to
from onedoor.core.exceptions import Conflict, DomainError, NotPermitted
from onedoor.core.scoping import is_admin
from onedoor.registry.models import Person

from . import actions
from .choices import LIVE_STATUSES, ReviewKind, ReviewOutcome
from .models import Enrollment, Review
from .months import add_months, month_of

AFTER_DEATH_MONTHS = 3
DUE_SOON_DAYS = 30
# Who records reviews and changes enrollments (the Enrollment scope's "change" action).
CHANGE_ROLES = ("handler", "dispatcher")


def plus_months(day: date, months: int) -> date:
    """The same day `months` later (the last day of a shorter month)."""
    month = add_months(month_of(day), months)
    return month.replace(day=min(day.day, calendar.monthrange(month.year, month.month)[1]))


# --- who may change which enrollment ------------------------------------------------------------------


def changeable_by(user) -> QuerySet[Enrollment]:
    """Enrollments the user may change: in the scope's "change" action (handlers and the dispatcher of
    the area), and for a handler only those of their own department — the policy's, or the one that
    decided it."""
    rows = Enrollment.objects.visible_to(user, "change")
    if is_admin(user) or user.has_role("dispatcher"):
        return rows
    organisation = user.organisation_id
    return rows.filter(Q(policy__department_id=organisation) | Q(decision__department_id=organisation))


def may_change(user, enrollment: Enrollment) -> bool:
    return changeable_by(user).filter(pk=enrollment.pk).exists()


# --- due lists ----------------------------------------------------------------------------------------


def open_reviews():
    return Review.objects.filter(reviewed_on__isnull=True)


def with_next_review(enrollments: QuerySet[Enrollment]) -> QuerySet[Enrollment]:
    """Annotate `next_review_on` (the earlier of the periodic date and the first open review row) and
    `next_review_kind` ("" for the periodic one): one query with two correlated subqueries."""
    first_open = open_reviews().filter(enrollment=OuterRef("pk")).order_by("due_on", "pk")
    enrollments = enrollments.annotate(open_due=Subquery(first_open.values("due_on")[:1]),
                                       open_kind=Subquery(first_open.values("kind")[:1]))
    # LEAST ignores NULL on PostgreSQL but not on SQLite: give each side the other as a fallback.
    return enrollments.annotate(next_review_on=Least(Coalesce("review_due", "open_due"),
                                                     Coalesce("open_due", "review_due")))


def reviews_due(enrollments: QuerySet[Enrollment], *, on: date | None = None, within_days: int = DUE_SOON_DAYS
                ) -> QuerySet[Enrollment]:
    """Live enrollments with a periodic review due by `on` + `within_days` (overdue ones included) or
    an open review row (after a death: listed at once, its due date is the deadline), the most overdue
    first. `next_review_on < on` means overdue."""
    on = on or timezone.localdate()
    horizon = on + timedelta(days=within_days)
    has_open = Exists(open_reviews().filter(enrollment=OuterRef("pk")))
    due = enrollments.filter(status__in=LIVE_STATUSES).filter(Q(review_due__lte=horizon) | has_open)
    return with_next_review(due).order_by(F("next_review_on").asc(nulls_last=True), "pk")


def is_due(enrollment: Enrollment, on: date | None = None) -> bool:
    on = on or timezone.localdate()
    horizon = on + timedelta(days=DUE_SOON_DAYS)
    return enrollment.status in LIVE_STATUSES and (
        (enrollment.review_due is not None and enrollment.review_due <= horizon)
        or open_reviews().filter(enrollment=enrollment).exists())


# --- scheduling ---------------------------------------------------------------------------------------


@transaction.atomic
def schedule_review(enrollment: Enrollment, *, kind: str, due_on: date, actor, note: str = "") -> Review:
    """A review of `kind` due on `due_on`; the same one again returns the row already there."""
    review, created = Review.objects.get_or_create(enrollment=enrollment, kind=kind, due_on=due_on,
                                                   defaults={"note": note})
    if created:
        actions._event(enrollment, actor, "review_scheduled", note, kind=kind, due_on=due_on.isoformat())
    return review


def households_at_death(person: Person) -> list[int]:
    """The households the person lived in when they died (their memberships closed at the death)."""
    if person.death_date is None:
        return []
    return list(person.memberships.filter(left_on__gte=person.death_date).values_list("household_id", flat=True))


@transaction.atomic
def review_household_after_death(person: Person, *, actor) -> list[Review]:
    """A member died: the household's other live enrollments get their amount again from the month
    after the death (the household is smaller now) and a review due within 3 months (DOMAIN.md)."""
    households = households_at_death(person)
    if not households:
        return []
    due_on = plus_months(person.death_date, AFTER_DEATH_MONTHS)
    note = f"家庭成员{person.name}于{person.death_date:%Y-%m-%d}死亡，3个月内复核"
    scheduled = []
    enrollments = (Enrollment.objects.filter(household_id__in=households, status__in=LIVE_STATUSES)
                   .exclude(person=person).order_by("pk"))
    for enrollment in enrollments:
        actions.recompute_if_changed(enrollment, actor=actor, from_month=add_months(month_of(person.death_date), 1),
                                     reason=f"家庭成员{person.name}死亡，家庭人数变化")
        scheduled.append(schedule_review(enrollment, kind=ReviewKind.AFTER_DEATH, due_on=due_on, actor=actor,
                                         note=note))
    return scheduled


# --- recording a review -------------------------------------------------------------------------------


def _check(enrollment: Enrollment, *, reviewed_on: date, outcome: str, note: str, months: int | None) -> None:
    errors = {}
    if outcome not in ReviewOutcome.values:
        errors["outcome"] = "请选择复核结论。"
    if reviewed_on > timezone.localdate():
        errors["reviewed_on"] = "复核日期不能晚于今天。"
    elif reviewed_on < timezone.localtime(enrollment.created_at).date():
        errors["reviewed_on"] = "复核日期不能早于建档日期。"
    if not note.strip():
        errors["note"] = "请填写复核情况。"
    if outcome == ReviewOutcome.FADING and months is None:
        errors["months"] = "请填写渐退期月数。"
    if errors:
        field, message = next(iter(errors.items()))
        raise DomainError("复核登记有误：" + "；".join(errors.values()), code="invalid_review",
                          details={"field": field, **errors})


def _answered_rows(enrollment: Enrollment, reviewed_on: date) -> list[Review]:
    """The open reviews a review answers; when there is none (reviewed ahead of the list, or a policy
    without periodic reviews), the row it fills is made now (lazily)."""
    rows = list(Review.objects.select_for_update().filter(enrollment=enrollment, reviewed_on__isnull=True)
                .order_by("due_on", "pk"))
    if rows:
        return rows
    if enrollment.review_due is not None:
        kind, due_on = ReviewKind.SCHEDULED, enrollment.review_due
    else:
        kind, due_on = ReviewKind.CHANGE, reviewed_on
    review, _ = Review.objects.get_or_create(enrollment=enrollment, kind=kind, due_on=due_on)
    if review.reviewed_on is not None:
        review, _ = Review.objects.get_or_create(enrollment=enrollment, kind=ReviewKind.CHANGE, due_on=reviewed_on)
        if review.reviewed_on is not None:
            raise Conflict(f"{reviewed_on:%Y-%m-%d}已登记过复核。", code="already_reviewed")
    return [review]


@transaction.atomic
def record_review(enrollment: Enrollment, *, actor, reviewed_on: date, outcome: str, note: str,
                  months: int | None = None) -> Review:
    """Record a review and act on its outcome:
    continue → the next review date by the policy's frequency, counted from the month of the review;
    new_amount → the amount again from the month after the review (with today's registry data);
    fading → 渐退期 of `months` (1 to the rule's limit, at most 6) from the month after the review;
    end → paid through the month of the review, nothing after.
    Returns the review row (the earliest of those it answered)."""
    enrollment = actions._locked(enrollment)
    if not may_change(actor, enrollment):
        raise NotPermitted("您无权复核这项待遇。")
    if enrollment.status not in LIVE_STATUSES:
        raise DomainError("待遇已终止，不能复核。", code="enrollment_ended")
    note = note.strip()
    _check(enrollment, reviewed_on=reviewed_on, outcome=outcome, note=note, months=months)
    next_month = add_months(month_of(reviewed_on), 1)
    rows = _answered_rows(enrollment, reviewed_on)
    # A refused outcome (fading of a suspended benefit, a missing standard) rolls the rows back too.
    if outcome == ReviewOutcome.NEW_AMOUNT:
        actions.recompute_amount(enrollment, actor=actor, from_month=next_month, reason=f"复核调整：{note}")
    elif outcome == ReviewOutcome.FADING:
        actions.start_fading(enrollment, actor=actor, months=months, reason=f"复核：{note}", from_month=next_month)
    elif outcome == ReviewOutcome.END:
        actions.end_enrollment(enrollment, actor=actor, last_month=month_of(reviewed_on), reason=f"复核终止：{note}")
    enrollment.refresh_from_db()
    if outcome in (ReviewOutcome.CONTINUE, ReviewOutcome.NEW_AMOUNT):
        enrollment.review_due = actions.review_due_after(enrollment.policy, month_of(reviewed_on))
    else:
        enrollment.review_due = None
    attribute_to(enrollment, actor)
    enrollment.save(update_fields=["review_due"])
    for row in rows:
        row.reviewed_on, row.outcome, row.reviewer = reviewed_on, outcome, actor
        row.note = note if not row.note else f"{row.note}\n{note}"
        attribute_to(row, actor)
        row.save()
    actions._event(enrollment, actor, "reviewed", note, outcome=outcome, reviewed_on=reviewed_on.isoformat(),
                   answered=[row.pk for row in rows],
                   next_review=enrollment.review_due.isoformat() if enrollment.review_due else None)
    return rows[0]
