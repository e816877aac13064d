"""Interest-subsidised loans: the 等额本金 schedule and quarterly subsidy (worked example), overdue and
settled, loans from approved decisions, and the ledger written when a subsidy is paid."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from onedoor.aid import loans
from onedoor.aid.actions import (
    mark_overdue_loans,
    pay_quarter_subsidies,
    pay_subsidy,
    record_repayment,
    register_loan,
)
from onedoor.aid.choices import LoanStatus, SubsidyStatus
from onedoor.aid.models import Loan, LoanSubsidy
from onedoor.core.exceptions import Conflict, NotPermitted
from onedoor.ledger.models import AssistanceRecord


def _loan(world, make_person, *, share="100", principal="120000.00", start=date(2026, 1, 15), term=12):
    return register_loan(actor=world.user("finance"), borrower=make_person("贷款人"), principal=Decimal(principal),
                         department=world.org("人社局"), bank=world.org("合作银行"), annual_rate=Decimal("4.35"),
                         term_months=term, start_date=start, subsidy_share=Decimal(share), contract_no="HT-001")


def test_equal_principal_schedule_worked_example():
    # 120,000 at 4.35% a year over 12 months, paid monthly from 15 January 2026
    rows = loans.schedule(principal=Decimal("120000.00"), annual_rate_percent=Decimal("4.35"), term_months=12,
                          start=date(2026, 1, 15))
    assert [r.due_date for r in rows[:3]] == [date(2026, 2, 15), date(2026, 3, 15), date(2026, 4, 15)]
    assert all(r.principal_due == Decimal("10000.00") for r in rows)
    # interest = outstanding × 4.35% / 12: 120,000 → 435.00; 110,000 → 398.75; 100,000 → 362.50; 10,000 → 36.25
    assert [r.interest_due for r in rows[:3]] == [Decimal("435.00"), Decimal("398.75"), Decimal("362.50")]
    assert rows[-1].interest_due == Decimal("36.25")
    assert sum(r.principal_due for r in rows) == Decimal("120000.00")
    # Q1 2026 holds the instalments of 15 Feb and 15 Mar: 435.00 + 398.75
    assert loans.quarterly_interest(rows)[date(2026, 1, 1)] == Decimal("833.75")
    assert loans.subsidy_for(Decimal("833.75"), Decimal("50")) == Decimal("416.88")  # 416.875 half up


def test_uneven_principal_puts_the_remainder_in_the_last_instalment():
    rows = loans.schedule(principal=Decimal("10000.00"), annual_rate_percent=Decimal("3.45"), term_months=3,
                          start=date(2026, 1, 31))
    assert [r.principal_due for r in rows] == [Decimal("3333.33"), Decimal("3333.33"), Decimal("3333.34")]
    assert [r.due_date for r in rows] == [date(2026, 2, 28), date(2026, 3, 31), date(2026, 4, 30)]


def test_registered_loan_has_schedule_and_quarterly_subsidies(world, make_person):
    # when
    loan = _loan(world, make_person, share="50")
    # then
    assert loan.status == LoanStatus.ACTIVE and loan.installments.count() == 12
    subsidies = list(loan.subsidies.order_by("quarter"))
    assert [s.quarter for s in subsidies] == [date(2026, 1, 1), date(2026, 4, 1), date(2026, 7, 1), date(2026, 10, 1),
                                              date(2027, 1, 1)]
    # Q2: outstanding 100,000 / 90,000 / 80,000 → 362.50 + 326.25 + 290.00 = 978.75; half = 489.375 → 489.38
    assert (subsidies[1].interest, subsidies[1].amount) == (Decimal("978.75"), Decimal("489.38"))
    assert sum(s.interest for s in subsidies) == sum(i.interest_due for i in loan.installments.all())


def test_subsidy_is_paid_after_the_quarter_when_repaid_and_writes_the_ledger(world, make_person, time_machine):
    # given
    time_machine.move_to(date(2026, 3, 20))
    loan = _loan(world, make_person)
    q1 = loan.subsidies.get(quarter=date(2026, 1, 1))
    finance = world.user("finance")
    # then: not before the quarter has ended
    with pytest.raises(Conflict, match="尚未结束"):
        pay_subsidy(q1, actor=finance, on=date(2026, 3, 31))
    # and not while the quarter's instalments are unpaid
    with pytest.raises(Conflict, match="尚未还清"):
        pay_subsidy(q1, actor=finance, on=date(2026, 4, 2))
    # when: both Q1 instalments repaid
    record_repayment(loan, actor=finance, paid_on=date(2026, 2, 15))
    record_repayment(loan, actor=finance, paid_on=date(2026, 3, 15))
    counts = pay_quarter_subsidies(actor=finance, quarter=date(2026, 1, 1), on=date(2026, 4, 2))
    # then
    assert counts == {"paid": 1, "waiting": 0}
    q1.refresh_from_db()
    assert q1.status == SubsidyStatus.PAID
    record = AssistanceRecord.objects.get(person=loan.borrower)
    assert (record.kind, record.amount, record.department) == ("loan_subsidy", Decimal("833.75"), world.org("人社局"))
    # paying the quarter again pays nothing more
    assert pay_quarter_subsidies(actor=finance, quarter=date(2026, 1, 1), on=date(2026, 4, 3))["paid"] == 0


def test_unpaid_past_due_instalment_makes_the_loan_overdue_until_repaid(world, make_person, time_machine):
    # given
    time_machine.move_to(date(2026, 2, 10))
    loan = _loan(world, make_person)
    # when
    assert mark_overdue_loans(today=date(2026, 2, 16)) == {"overdue": 1, "cured": 0}
    # then
    loan.refresh_from_db()
    assert loan.status == LoanStatus.OVERDUE
    # when: the late instalment is repaid
    time_machine.move_to(date(2026, 2, 20))
    record_repayment(loan, actor=world.user("finance"), paid_on=date(2026, 2, 20))
    loan.refresh_from_db()
    assert loan.status == LoanStatus.ACTIVE


def test_last_repayment_settles_the_loan(world, make_person, time_machine):
    time_machine.move_to(date(2026, 1, 20))
    loan = _loan(world, make_person, principal="3000.00", term=3)
    for month in (2, 3, 4):
        record_repayment(loan, actor=world.user("finance"), paid_on=date(2026, month, 15))
    loan.refresh_from_db()
    assert loan.status == LoanStatus.SETTLED and loan.settled_on == date(2026, 4, 15)
    with pytest.raises(Conflict):
        record_repayment(loan, actor=world.user("finance"), paid_on=date(2026, 5, 15))


def test_short_repayment_is_refused(world, make_person):
    from onedoor.core.exceptions import DomainError

    loan = _loan(world, make_person)
    with pytest.raises(DomainError, match="实还金额不足"):
        record_repayment(loan, actor=world.user("finance"), paid_on=date(2026, 2, 15), amount="100")


def test_approved_loan_decision_waits_for_the_contract(world, loan_policy, decide):
    # when
    task = decide(loan_policy, "50000.00", handler="handler.rs")
    # then
    loan = Loan.objects.get(task=task)
    assert loan.status == LoanStatus.PENDING and loan.principal == Decimal("50000.00")
    assert loan.department == world.org("人社局")
    # when: finance records the bank's terms
    register_loan(actor=world.user("finance"), loan=loan, bank=world.org("合作银行"), annual_rate="3.45",
                  term_months=24, start_date=date(2026, 4, 1), subsidy_share="100")
    loan.refresh_from_db()
    assert loan.status == LoanStatus.ACTIVE and loan.installments.count() == 24


def test_only_finance_registers_loans(world, make_person):
    with pytest.raises(NotPermitted):
        register_loan(actor=world.user("clerk.wuxian"), borrower=make_person("某人"), principal="1000",
                      department=world.org("人社局"), bank=world.org("合作银行"), annual_rate="4", term_months=6,
                      start_date=date(2026, 1, 1))
    assert not LoanSubsidy.objects.exists()
