"""The enrollment pages per role: the list (filters, scope, bounded queries), one enrollment's page
(amounts with their basis in plain Chinese, payments, reviews, the forms the user may use), the
review list, the person page's 待遇享受 and the menu entry."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from onedoor.benefits import payroll
from onedoor.benefits.models import Enrollment, EnrollmentAmount


@pytest.fixture
def enrolled(world, standards, dibao_policy, household_of, approve_for):
    """A 五显镇 household of three on 低保 from April 2026: 2000 a month, reviewed yearly."""
    household = household_of(["300", "100", "0"])
    return Enrollment.objects.get(decision=approve_for(dibao_policy, household.head, household=household))


@pytest.fixture
def direct(world, make_person, dibao_policy):
    """direct(name, area=...) -> an enrollment written straight to the tables (for lists of many rows)."""

    def make(name, *, area=None, status="active", review_due=date(2027, 4, 1)):
        person = make_person(name, area=area or world.wuxian_village)
        enrollment = Enrollment.objects.create(policy=dibao_policy, person=person, area=person.residence_area,
                                               monthly_amount=Decimal("800.00"), start_month=date(2026, 4, 1),
                                               status=status, review_due=review_due)
        EnrollmentAmount.objects.create(enrollment=enrollment, from_month=date(2026, 4, 1), amount=Decimal("800.00"),
                                        basis={"method": "decided", "decided_amount": "800.00"}, reason="测试")
        return enrollment

    return make


def page(client, name, **kwargs):
    query = kwargs.pop("query", None)
    return client.get(reverse(f"benefits:{name}", kwargs=kwargs or None), query or {})


@pytest.mark.parametrize("username", ["handler.mz", "dispatcher", "finance", "leader", "clerk.wuxian"])
def test_the_list_and_the_page_open_for_each_benefit_role(login, enrolled, username):
    client = login(username)

    listed = page(client, "enrollment_list")
    shown = page(client, "enrollment_detail", pk=enrolled.pk)

    assert listed.status_code == 200 and enrolled.person.name in listed.content.decode()
    assert shown.status_code == 200
    assert "低保标准 800 元 − 人均收入 133.33 元 = 666.67 元 × 3 人 = 2000 元" in shown.content.decode()


@pytest.mark.parametrize("username, menu", [("handler.mz", True), ("dispatcher", True), ("finance", True),
                                            ("leader", True), ("clerk.wuxian", False), ("social.worker", False)])
def test_the_menu_offers_the_page_to_handlers_dispatchers_finance_and_leaders(login, world, username, menu):
    body = login(username).get("/").content.decode()
    assert (f'href="{reverse("benefits:enrollment_list")}"' in body) is menu


def test_other_roles_are_refused_the_list(login, world):
    assert page(login("social.worker"), "enrollment_list").status_code == 403
    assert page(login("storekeeper"), "enrollment_list").status_code == 403


def test_a_lianhua_clerk_never_sees_a_wuxian_enrollment(login, enrolled, direct, world):
    own = direct("莲花村民", area=world.lianhua_village)
    client = login("clerk.lianhua")

    listed = page(client, "enrollment_list").content.decode()
    assert own.person.name in listed and enrolled.person.name not in listed
    link = reverse("benefits:enrollment_detail", kwargs={"pk": enrolled.pk})
    for query in ({"review": "due"}, {"status": "active"}, {"area": world.wuxian_village.code},
                  {"q": enrolled.person.name}):
        assert link not in page(client, "enrollment_list", query=query).content.decode()
    assert page(client, "enrollment_detail", pk=enrolled.pk).status_code == 404
    response = client.post(reverse("benefits:enrollment_action", kwargs={"pk": enrolled.pk, "action": "suspend"}),
                           {"suspend-reason": "试探"})
    assert response.status_code == 404
    enrolled.refresh_from_db()
    assert enrolled.status == "active"


def test_filters_by_policy_status_area_and_review(login, world, direct, make_policy):
    due = direct("复核到期", review_due=date(2026, 1, 1))
    suspended = direct("暂停对象", status="suspended")
    lianhua = direct("莲花对象", area=world.lianhua_village)
    client = login("dispatcher")

    def names(**query):
        body = page(client, "enrollment_list", query=query).content.decode()
        return {e.person.name for e in (due, suspended, lianhua) if e.person.name in body}

    assert names() == {"复核到期", "暂停对象", "莲花对象"}
    assert names(status="suspended") == {"暂停对象"}
    assert names(area=world.lianhua_village.code) == {"莲花对象"}
    assert names(review="overdue") == {"复核到期"}
    assert names(review="due") == {"复核到期"}
    assert names(policy=str(make_policy("另一项补贴").pk)) == set()
    assert names(q="暂停") == {"暂停对象"}
    assert names(status="nonsense", area="junk") == {"复核到期", "暂停对象", "莲花对象"}  # bad filters ignored


def test_the_list_costs_the_same_queries_for_3_or_15_rows(login, direct, django_assert_max_num_queries):
    client = login("dispatcher")
    for i in range(3):
        direct(f"对象甲{i}")
    page(client, "enrollment_list")
    with django_assert_max_num_queries(12) as few:
        page(client, "enrollment_list", query={"review": "due"})
    for i in range(12):
        direct(f"对象乙{i}")
    with django_assert_max_num_queries(len(few.captured_queries)):
        page(client, "enrollment_list", query={"review": "due"})


def test_the_page_shows_payments_and_its_queries_do_not_grow_with_them(login, world, enrolled,
                                                                         django_assert_max_num_queries):
    finance = world.user("finance")
    payroll.compute_run(payroll.create_run(actor=finance, month=date(2026, 4, 1)), actor=finance)
    client = login("handler.mz")
    page(client, "enrollment_detail", pk=enrolled.pk)
    with django_assert_max_num_queries(40) as few:
        body = page(client, "enrollment_detail", pk=enrolled.pk).content.decode()
    assert "2000.00" in body and "当月待遇" in body
    for month in (date(2026, 5, 1), date(2026, 6, 1), date(2026, 7, 1)):
        payroll.compute_run(payroll.create_run(actor=finance, month=month), actor=finance)
    with django_assert_max_num_queries(len(few.captured_queries)):
        page(client, "enrollment_detail", pk=enrolled.pk)


@pytest.mark.parametrize("username, forms", [
    ("handler.mz", {"review", "recompute", "suspend", "fading", "end"}),
    ("dispatcher", {"review", "recompute", "suspend", "fading", "end"}),
    ("handler.rs", set()), ("finance", set()), ("leader", set()), ("clerk.wuxian", set()),
])
def test_forms_are_offered_only_to_who_may_change_it(login, enrolled, username, forms):
    body = page(login(username), "enrollment_detail", pk=enrolled.pk).content.decode()
    offered = {action for action in ("review", "recompute", "suspend", "resume", "fading", "end")
               if f'data-action="{action}"' in body}
    assert offered == forms


def test_a_finance_officer_cannot_post_a_change(login, enrolled):
    response = login("finance").post(
        reverse("benefits:enrollment_action", kwargs={"pk": enrolled.pk, "action": "suspend"}),
        {"suspend-reason": "试探"})
    assert response.status_code == 403
    enrolled.refresh_from_db()
    assert enrolled.status == "active"


def test_suspend_and_resume_through_the_page(login, enrolled):
    client = login("handler.mz")
    url = reverse("benefits:enrollment_action", kwargs={"pk": enrolled.pk, "action": "suspend"})

    response = client.post(url, {"suspend-reason": "联系不上，待核实"})

    assert response.status_code == 302
    enrolled.refresh_from_db()
    assert enrolled.status == "suspended"
    body = client.get(response.url).content.decode()
    assert 'data-action="resume"' in body and "联系不上，待核实" in body
    client.post(reverse("benefits:enrollment_action", kwargs={"pk": enrolled.pk, "action": "resume"}),
                {"resume-reason": "已核实"})
    enrolled.refresh_from_db()
    assert enrolled.status == "active"


def test_a_review_through_the_page_and_a_refusal_shown_beside_its_field(login, enrolled, time_machine):
    time_machine.move_to(date(2027, 3, 20))
    client = login("handler.mz")
    url = reverse("benefits:enrollment_action", kwargs={"pk": enrolled.pk, "action": "review"})

    refused = client.post(url, {"review-reviewed_on": "2027-03-18", "review-outcome": "fading",
                                "review-note": "就业"})
    assert refused.status_code == 200
    assert 'data-field-error="months"' in refused.content.decode()
    assert "请填写渐退期月数" in refused.content.decode()

    done = client.post(url, {"review-reviewed_on": "2027-03-18", "review-outcome": "continue",
                             "review-note": "入户核查无变化"})
    assert done.status_code == 302
    enrolled.refresh_from_db()
    assert enrolled.review_due == date(2028, 3, 1)
    assert "入户核查无变化" in client.get(done.url).content.decode()


def test_end_and_recompute_through_the_page(login, enrolled, time_machine):
    time_machine.move_to(date(2026, 6, 10))
    client = login("handler.mz")

    client.post(reverse("benefits:enrollment_action", kwargs={"pk": enrolled.pk, "action": "recompute"}),
                {"recompute-from_month": "2026-07", "recompute-reason": "核实收入"})
    assert enrolled.amounts.filter(from_month=date(2026, 7, 1)).exists()
    bad = client.post(reverse("benefits:enrollment_action", kwargs={"pk": enrolled.pk, "action": "end"}),
                      {"end-last_month": "2026/13", "end-reason": "迁出"})
    assert "月份格式应为 YYYY-MM" in bad.content.decode()
    client.post(reverse("benefits:enrollment_action", kwargs={"pk": enrolled.pk, "action": "end"}),
                {"end-last_month": "2026-06", "end-reason": "迁出本区"})
    enrolled.refresh_from_db()
    assert (enrolled.status, enrolled.last_month) == ("ended", date(2026, 6, 1))


def test_the_review_list_per_role(login, world, direct, time_machine):
    time_machine.move_to(date(2027, 3, 20))
    overdue = direct("超期对象", review_due=date(2027, 2, 1))
    soon = direct("到期对象", review_due=date(2027, 4, 1))
    later = direct("未到对象", review_due=date(2027, 9, 1))

    body = page(login("handler.mz"), "review_list").content.decode()
    assert overdue.person.name in body and soon.person.name in body and later.person.name not in body
    assert body.index(overdue.person.name) < body.index(soon.person.name)
    only_overdue = page(login("dispatcher"), "review_list", query={"when": "overdue"}).content.decode()
    assert overdue.person.name in only_overdue and soon.person.name not in only_overdue
    assert page(login("handler.rs"), "review_list").status_code == 200
    assert overdue.person.name not in page(login("handler.rs"), "review_list").content.decode()
    for username in ("clerk.wuxian", "finance", "leader"):
        assert page(login(username), "review_list").status_code == 403


def test_the_review_list_costs_the_same_queries_for_more_rows(login, direct, time_machine,
                                                                django_assert_max_num_queries):
    time_machine.move_to(date(2027, 3, 20))
    client = login("dispatcher")
    direct("甲", review_due=date(2027, 2, 1))
    page(client, "review_list")
    with django_assert_max_num_queries(12) as few:
        page(client, "review_list")
    for i in range(10):
        direct(f"乙{i}", review_due=date(2027, 3, 1))
    with django_assert_max_num_queries(len(few.captured_queries)):
        page(client, "review_list")


def test_the_person_page_lists_the_benefits_of_the_person_and_their_household(login, enrolled):
    member = enrolled.household.memberships.get(person__name="成员1").person
    client = login("clerk.wuxian")

    head_page = client.get(reverse("registry:person_detail", kwargs={"pk": enrolled.person_id})).content.decode()
    member_page = client.get(reverse("registry:person_detail", kwargs={"pk": member.pk})).content.decode()

    for body in (head_page, member_page):
        assert 'data-testid="person-enrollments"' in body
        assert reverse("benefits:enrollment_detail", kwargs={"pk": enrolled.pk}) in body
    assert "家庭待遇，领取人" in member_page
