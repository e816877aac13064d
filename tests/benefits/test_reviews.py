"""Reviews (复核, 动态管理): when they are due (by the policy's frequency, within 3 months after a death)
and what each outcome does — continue, new amount, 渐退期, end."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from onedoor.benefits import actions
from onedoor.benefits.models import BenefitRule, Enrollment, Review
from onedoor.benefits.reviews import changeable_by, record_review, reviews_due
from onedoor.core.exceptions import DomainError, NotPermitted
from onedoor.registry.actions import record_death, update_person


@pytest.fixture
def enroll(world, standards, dibao_policy, household_of, approve_for):
    """enroll(incomes) -> a 低保 enrollment from April 2026 (yearly review: due 2027-04-01)."""

    def make(incomes=("300", "100", "0")):
        household = household_of(list(incomes))
        return Enrollment.objects.get(decision=approve_for(dibao_policy, household.head, household=household))

    return make


@pytest.fixture
def handler(world):
    return world.user("handler.mz")


def test_review_dates_follow_the_policys_frequency(world, standards, make_policy, make_person, approve_for):
    dates = {}
    for frequency in ("quarterly", "half_yearly", "yearly", "none"):
        policy = make_policy(f"按月补贴{frequency}", review_frequency=frequency)
        BenefitRule.objects.create(policy=policy, method="fixed", fixed_amount=Decimal("300.00"))
        task = approve_for(policy, make_person(f"周{frequency}"))
        dates[frequency] = Enrollment.objects.get(decision=task).review_due
    assert dates == {"quarterly": date(2026, 7, 1), "half_yearly": date(2026, 10, 1), "yearly": date(2027, 4, 1),
                     "none": None}


def test_continue_answers_the_periodic_review_and_sets_the_next_one(world, enroll, handler, time_machine):
    enrollment = enroll()
    time_machine.move_to(date(2027, 3, 20))

    review = record_review(enrollment, actor=handler, reviewed_on=date(2027, 3, 18), outcome="continue",
                           note="入户核查，家庭情况无变化")

    assert (review.kind, review.due_on, review.reviewed_on, review.outcome, review.reviewer) == (
        "scheduled", date(2027, 4, 1), date(2027, 3, 18), "continue", handler)
    enrollment.refresh_from_db()
    assert enrollment.review_due == date(2028, 3, 1)
    assert enrollment.status == "active" and enrollment.amounts.count() == 1
    event = enrollment.events.get(code="reviewed")
    assert (event.data["outcome"], event.data["next_review"]) == ("continue", "2028-03-01")


def test_a_new_amount_is_computed_from_the_month_after_the_review(world, enroll, handler, time_machine):
    enrollment = enroll()
    time_machine.move_to(date(2027, 3, 20))
    earner = enrollment.household.head
    update_person(actor=world.user("clerk.wuxian"), person=earner, changes={"monthly_income": Decimal("600")},
                  reason="复核时核实工资收入")

    record_review(enrollment, actor=handler, reviewed_on=date(2027, 3, 18), outcome="new_amount",
                  note="户主收入增加到 600 元")

    # (800 − 233.33) × 3 = 1700.01 → 1700 from April 2027; March keeps 2000
    rows = list(enrollment.amounts.order_by("from_month").values_list("from_month", "amount"))
    assert rows == [(date(2026, 4, 1), Decimal("2000.00")), (date(2027, 4, 1), Decimal("1700.00"))]
    enrollment.refresh_from_db()
    assert enrollment.review_due == date(2028, 3, 1)
    assert enrollment.amounts.get(from_month=date(2027, 4, 1)).reason == "复核调整：户主收入增加到 600 元"


def test_fading_out_runs_from_the_next_month_for_at_most_six_months(world, enroll, handler, time_machine):
    enrollment = enroll()
    time_machine.move_to(date(2027, 3, 20))
    with pytest.raises(DomainError, match="1 至 6"):
        record_review(enrollment, actor=handler, reviewed_on=date(2027, 3, 18), outcome="fading", note="就业",
                      months=7)
    with pytest.raises(DomainError, match="渐退期月数"):
        record_review(enrollment, actor=handler, reviewed_on=date(2027, 3, 18), outcome="fading", note="就业")
    assert not Review.objects.filter(enrollment=enrollment).exists()  # a refused review leaves no row

    record_review(enrollment, actor=handler, reviewed_on=date(2027, 3, 18), outcome="fading",
                  note="家庭成员就业，收入超过标准", months=3)

    enrollment.refresh_from_db()
    assert (enrollment.status, enrollment.last_month, enrollment.review_due) == ("ending", date(2027, 6, 1), None)
    assert Enrollment.objects.payable_in(date(2027, 6, 1)).filter(pk=enrollment.pk).exists()
    assert not Enrollment.objects.payable_in(date(2027, 7, 1)).filter(pk=enrollment.pk).exists()


def test_end_pays_through_the_month_of_the_review(world, enroll, handler, time_machine):
    enrollment = enroll()
    time_machine.move_to(date(2027, 3, 20))

    record_review(enrollment, actor=handler, reviewed_on=date(2027, 3, 18), outcome="end", note="家庭收入超过标准")

    enrollment.refresh_from_db()
    assert (enrollment.status, enrollment.last_month, enrollment.review_due) == ("ended", date(2027, 3, 1), None)
    assert enrollment.reviews.get().outcome == "end"
    with pytest.raises(DomainError, match="已终止"):
        record_review(enrollment, actor=handler, reviewed_on=date(2027, 3, 19), outcome="continue", note="再次")


def test_one_review_answers_the_after_death_review_and_resets_the_periodic_date(world, enroll, handler,
                                                                                time_machine):
    enrollment = enroll()
    time_machine.move_to(date(2026, 8, 5))
    member = enrollment.household.memberships.get(person__name="成员2").person
    record_death(actor=world.user("clerk.wuxian"), person=member, death_date=date(2026, 8, 1))
    time_machine.move_to(date(2026, 9, 15))

    record_review(enrollment, actor=handler, reviewed_on=date(2026, 9, 15), outcome="continue",
                  note="死亡后复核：其余成员情况无变化")

    review = enrollment.reviews.get()
    assert (review.kind, review.due_on, review.outcome) == ("after_death", date(2026, 11, 1), "continue")
    assert "成员2" in review.note and "其余成员情况无变化" in review.note
    enrollment.refresh_from_db()
    assert enrollment.review_due == date(2027, 9, 1)


def test_a_refused_outcome_writes_nothing(world, enroll, handler, time_machine):
    enrollment = enroll()
    time_machine.move_to(date(2027, 3, 20))
    actions.suspend(enrollment, actor=handler, reason="外出联系不上")

    with pytest.raises(DomainError, match="只有正常发放"):
        record_review(enrollment, actor=handler, reviewed_on=date(2027, 3, 18), outcome="fading", note="就业",
                      months=3)

    enrollment.refresh_from_db()
    assert enrollment.review_due == date(2027, 4, 1)
    assert not enrollment.reviews.exists() and not enrollment.events.filter(code="reviewed").exists()


@pytest.mark.parametrize("field, value, message", [
    ("reviewed_on", date(2027, 3, 21), "不能晚于今天"),
    ("reviewed_on", date(2026, 3, 1), "不能早于建档日期"),
    ("note", "  ", "请填写复核情况"),
    ("outcome", "maybe", "请选择复核结论"),
])
def test_bad_review_input_is_refused_naming_the_field(world, enroll, handler, time_machine, field, value, message):
    enrollment = enroll()
    time_machine.move_to(date(2027, 3, 20))
    values = {"reviewed_on": date(2027, 3, 18), "outcome": "continue", "note": "核查", field: value}

    with pytest.raises(DomainError, match=message) as refused:
        record_review(enrollment, actor=handler, **values)

    assert refused.value.details["field"] == field


def test_only_handlers_of_the_department_and_the_dispatcher_record_reviews(world, enroll, time_machine):
    enrollment = enroll()
    time_machine.move_to(date(2027, 3, 20))
    for username in ("handler.rs", "clerk.wuxian", "finance", "leader"):
        with pytest.raises(NotPermitted):
            record_review(enrollment, actor=world.user(username), reviewed_on=date(2027, 3, 18),
                          outcome="continue", note="核查")
    record_review(enrollment, actor=world.user("dispatcher"), reviewed_on=date(2027, 3, 18), outcome="continue",
                  note="核查")


def test_the_due_list_holds_periodic_reviews_within_30_days_and_every_open_review(world, enroll, handler,
                                                                                  time_machine):
    # given three households reviewed yearly from April 2026, one of which lost a member in January
    soon, later, bereaved = enroll(), enroll(), enroll()
    Enrollment.objects.filter(pk=later.pk).update(review_due=date(2027, 6, 1))
    Enrollment.objects.filter(pk=bereaved.pk).update(review_due=date(2027, 9, 1))
    time_machine.move_to(date(2027, 1, 10))
    member = bereaved.household.memberships.get(person__name="成员2").person
    record_death(actor=world.user("clerk.wuxian"), person=member, death_date=date(2027, 1, 5))
    visible = changeable_by(handler)

    def due_on(day):
        return [(e.pk, e.next_review_on) for e in reviews_due(visible, on=day)]

    # then: the after-death review is listed at once, the periodic one 30 days ahead, the later one not yet
    assert due_on(date(2027, 1, 10)) == [(bereaved.pk, date(2027, 4, 5))]
    assert due_on(date(2027, 3, 10)) == [(soon.pk, date(2027, 4, 1)), (bereaved.pk, date(2027, 4, 5))]
    # overdue ones come first and stay until recorded
    assert due_on(date(2027, 5, 10)) == [(soon.pk, date(2027, 4, 1)), (bereaved.pk, date(2027, 4, 5)),
                                         (later.pk, date(2027, 6, 1))]
    time_machine.move_to(date(2027, 5, 10))
    record_review(soon, actor=handler, reviewed_on=date(2027, 5, 10), outcome="continue", note="核查")
    assert due_on(date(2027, 5, 10)) == [(bereaved.pk, date(2027, 4, 5)), (later.pk, date(2027, 6, 1))]
    # an ended enrollment drops out
    actions.end_enrollment(later, actor=handler, last_month=date(2027, 5, 1), reason="迁出本区")
    assert due_on(date(2027, 5, 10)) == [(bereaved.pk, date(2027, 4, 5))]
