"""The aid API: one-off aid payments and loans, read-only, through `visible_to` (another town's → 404)."""

from datetime import date
from decimal import Decimal

from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate

from onedoor.core.api_paging import Pages
from onedoor.core.idnumber import mask_id_number
from onedoor.core.scoping import get_visible_or_404

from . import selectors
from .choices import AidPaymentStatus, LoanStatus

router = Router(tags=["临时救助与贴息贷款"])


class PersonRef(Schema):
    id: int
    name: str
    id_number: str = Field(description="证件号码（脱敏）")


def _person(person) -> dict:
    return {"id": person.pk, "name": person.name,
            "id_number": mask_id_number(person.id_number) if person.id_number else (person.temp_identifier or "")}


class AidPaymentOut(Schema):
    id: int
    person: PersonRef
    area: str = Field(description="区划代码")
    policy: str = Field(description="政策代码")
    department: str
    amount: Decimal
    act_first: bool = Field(description="急难型，先行救助")
    completion_pending: bool
    status: str
    fund: str | None
    disbursed_on: date | None
    note: str

    @staticmethod
    def resolve_person(obj):
        return _person(obj.person)

    @staticmethod
    def resolve_area(obj):
        return obj.area_id

    @staticmethod
    def resolve_policy(obj):
        return obj.policy.code

    @staticmethod
    def resolve_department(obj):
        return obj.department.name

    @staticmethod
    def resolve_fund(obj):
        return obj.fund.name if obj.fund_id else None


class PaymentFilter(Schema):
    status: str | None = Field(None, pattern="^(" + "|".join(AidPaymentStatus.values) + ")$",
                               description="状态：" + "、".join(AidPaymentStatus.values))


class LoanOut(Schema):
    id: int
    borrower: PersonRef
    area: str
    bank: str | None
    department: str
    principal: Decimal
    annual_rate: Decimal | None = Field(description="年利率（%）")
    term_months: int | None
    subsidy_share: Decimal = Field(description="贴息比例（%）")
    start_date: date | None
    status: str
    settled_on: date | None

    @staticmethod
    def resolve_borrower(obj):
        return _person(obj.borrower)

    @staticmethod
    def resolve_area(obj):
        return obj.area_id

    @staticmethod
    def resolve_bank(obj):
        return obj.bank.name if obj.bank_id else None

    @staticmethod
    def resolve_department(obj):
        return obj.department.name


class InstallmentOut(Schema):
    number: int
    due_date: date
    outstanding_before: Decimal
    principal_due: Decimal
    interest_due: Decimal
    paid_on: date | None
    paid_amount: Decimal | None


class SubsidyOut(Schema):
    quarter: date
    interest: Decimal
    share: Decimal
    amount: Decimal
    status: str
    paid_on: date | None


class LoanDetailOut(LoanOut):
    installments: list[InstallmentOut]
    subsidies: list[SubsidyOut]

    @staticmethod
    def resolve_installments(obj):
        return list(obj.installments.order_by("number"))

    @staticmethod
    def resolve_subsidies(obj):
        return list(obj.subsidies.order_by("quarter"))


class LoanFilter(Schema):
    status: str | None = Field(None, pattern="^(" + "|".join(LoanStatus.values) + ")$",
                               description="状态：" + "、".join(LoanStatus.values))


@router.get("/aid-payments", response=list[AidPaymentOut], summary="临时救助发放列表")
@paginate(Pages)
def list_aid_payments(request, filters: Query[PaymentFilter]):
    return selectors.payments_for(request.auth, status=filters.status)


@router.get("/loans", response=list[LoanOut], summary="贴息贷款列表")
@paginate(Pages)
def list_loans(request, filters: Query[LoanFilter]):
    return selectors.loans_for(request.auth, status=filters.status)


@router.get("/loans/{loan_id}", response=LoanDetailOut, summary="一笔贴息贷款：还款计划与季度贴息")
def get_loan(request, loan_id: int):
    return get_visible_or_404(request.auth, selectors.loans_for(request.auth), pk=loan_id)
