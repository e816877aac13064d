"""Aid pages and API per role: funds, top-up (finance), payments and disbursement, loans, registering a
loan, repayments, quarterly subsidies; scoping and query counts."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from onedoor.aid.actions import register_loan
from onedoor.aid.models import AidPayment, Loan, ReserveFund


def test_finance_tops_up_a_fund_from_its_page(world, funds, login):
    town, _ = funds(town=Decimal("100.00"))
    client = login("finance")
    response = client.post(f"/aid/funds/{town.pk}/", {"amount": "250.50", "reason": "追加拨付"})
    assert response.status_code == 302
    town.refresh_from_db()
    assert town.balance == Decimal("350.50")
    assert "追加拨付" in client.get(f"/aid/funds/{town.pk}/").content.decode()


def test_clerk_sees_own_town_fund_but_may_not_top_up(world, funds, login):
    town, district = funds()
    client = login("clerk.wuxian")
    assert "五显镇临时救助备用金" in client.get("/aid/funds/").content.decode()
    assert client.get(f"/aid/funds/{district.pk}/").status_code == 404
    assert client.post(f"/aid/funds/{town.pk}/", {"amount": "10", "reason": "x"}).status_code == 403
    assert login("clerk.lianhua").get(f"/aid/funds/{town.pk}/").status_code == 404


def test_disburse_from_the_payment_list_and_overdraw_message(world, funds, one_off_policy, decide, login):
    funds(town=Decimal("500.00"), district=Decimal("0"))
    first = AidPayment.objects.get(task=decide(one_off_policy, "400.00"))
    second = AidPayment.objects.get(task=decide(one_off_policy, "400.00"))
    client = login("clerk.wuxian")
    assert client.post(f"/aid/payments/{first.pk}/disburse/").status_code == 302
    refused = client.post(f"/aid/payments/{second.pk}/disburse/")
    assert refused.status_code == 409 and "余额不足" in refused.content.decode()
    assert ReserveFund.objects.get(area=world.wuxian).balance == Decimal("100.00")


def test_payment_list_query_count_does_not_grow(world, funds, one_off_policy, decide, login,
                                                django_assert_max_num_queries):
    funds()
    for _ in range(6):
        decide(one_off_policy, "100.00", act_first=True)
    client = login("finance")
    with django_assert_max_num_queries(10):
        response = client.get("/aid/payments/")
    assert response.content.decode().count('data-status="disbursed"') == 6


def test_finance_registers_a_loan_and_records_a_repayment(world, make_person, login, time_machine):
    time_machine.move_to(date(2026, 2, 1))
    person = make_person("贷款户")
    client = login("finance")
    response = client.post("/aid/loans/new/", {
        "id_number": person.id_number, "principal": "120000", "department": world.org("人社局").pk,
        "bank": world.org("合作银行").pk, "contract_no": "HT-9", "annual_rate": "4.35", "term_months": "12",
        "subsidy_share": "100", "start_date": "2026-01-15"})
    loan = Loan.objects.get(borrower=person)
    assert response.status_code == 302 and loan.installments.count() == 12
    page = client.get(f"/aid/loans/{loan.pk}/").content.decode()
    assert "435.00" in page and "398.75" in page
    client.post(f"/aid/loans/{loan.pk}/repay/", {"paid_on": "2026-02-15"})
    assert loan.installments.get(number=1).paid_amount == Decimal("10435.00")


def test_pending_loan_from_a_decision_is_completed_by_finance(world, loan_policy, decide, login):
    loan = Loan.objects.get(task=decide(loan_policy, "20000.00", handler="handler.rs"))
    client = login("finance")
    response = client.post(f"/aid/loans/new/?loan={loan.pk}", {
        "loan": loan.pk, "bank": world.org("合作银行").pk, "annual_rate": "3.45", "term_months": "6",
        "subsidy_share": "50", "start_date": "2026-04-01"})
    assert response.status_code == 302
    loan.refresh_from_db()
    assert loan.status == "active" and loan.installments.count() == 6


def test_loan_pages_are_closed_or_scoped_for_clerks(world, make_person, login):
    loan = register_loan(actor=world.user("finance"), borrower=make_person("五显借款人"), principal="1000",
                         department=world.org("人社局"), bank=world.org("合作银行"), annual_rate="4",
                         term_months=3, start_date=date(2026, 1, 1))
    assert login("clerk.wuxian").get(f"/aid/loans/{loan.pk}/").status_code == 200
    assert login("clerk.wuxian").get("/aid/loans/new/").status_code == 403
    assert login("clerk.lianhua").get(f"/aid/loans/{loan.pk}/").status_code == 404
    assert login("storekeeper").get("/aid/loans/").content.decode().count("五显借款人") == 0


def test_subsidy_page_pays_the_quarter(world, make_person, login, time_machine):
    time_machine.move_to(date(2026, 1, 10))
    loan = register_loan(actor=world.user("finance"), borrower=make_person("贴息户"), principal="30000",
                         department=world.org("人社局"), bank=world.org("合作银行"), annual_rate="4.35",
                         term_months=3, start_date=date(2026, 1, 1))
    for month in (2, 3):
        loan.installments.filter(number=month - 1).update(paid_on=date(2026, month, 1),
                                                          paid_amount=Decimal("1"))
    time_machine.move_to(date(2026, 4, 5))
    response = login("finance").post("/aid/loans/subsidies/", {"quarter": "2026-01-01"})
    assert response.status_code == 302
    assert loan.subsidies.get(quarter=date(2026, 1, 1)).status == "paid"


def test_api_lists_and_detail_are_scoped(world, funds, one_off_policy, decide, make_person, login,
                                         django_assert_max_num_queries):
    funds()
    for _ in range(3):
        decide(one_off_policy, "100.00")
    loan = register_loan(actor=world.user("finance"), borrower=make_person("接口借款人"), principal="6000",
                         department=world.org("人社局"), bank=world.org("合作银行"), annual_rate="4.35",
                         term_months=6, start_date=date(2026, 1, 1))
    client = login("finance")
    with django_assert_max_num_queries(8):
        payments = client.get("/api/v1/aid-payments").json()
    assert payments["count"] == 3 and payments["items"][0]["status"] == "pending"
    assert "*" in payments["items"][0]["person"]["id_number"]
    detail = client.get(f"/api/v1/loans/{loan.pk}").json()
    assert len(detail["installments"]) == 6 and detail["subsidies"][0]["quarter"] == "2026-01-01"
    assert client.get("/api/v1/loans", {"status": "active"}).json()["count"] == 1
    other = login("clerk.lianhua")
    assert other.get(f"/api/v1/loans/{loan.pk}").status_code == 404
    assert other.get("/api/v1/aid-payments").json()["count"] == 0
