"""Reading one-off aid and loans: everything through `visible_to(user)`."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Q, QuerySet, Sum

from onedoor.core.scoping import is_admin

from .choices import SubsidyStatus
from .models import FINANCE_ROLES, AidPayment, Loan, ReserveFund


def is_finance(user: Any) -> bool:
    return is_admin(user) or user.has_role(*FINANCE_ROLES)


def funds_for(user: Any) -> QuerySet[ReserveFund]:
    return ReserveFund.objects.visible_to(user).select_related("organisation", "area").order_by("area_id")


def payments_for(user: Any, *, status: str | None = None) -> QuerySet[AidPayment]:
    payments = AidPayment.objects.visible_to(user)
    if status:
        payments = payments.filter(status=status)
    return payments.select_related("person", "area", "policy", "department", "fund", "task").order_by(
        "-created_at", "-pk")


def loans_for(user: Any, *, status: str | None = None) -> QuerySet[Loan]:
    loans = Loan.objects.visible_to(user)
    if status:
        loans = loans.filter(status=status)
    return (loans.select_related("borrower", "area", "bank", "department", "policy")
            .annotate(paid_count=Count("installments", filter=Q(installments__paid_on__isnull=False), distinct=True),
                      subsidy_paid=Sum("subsidies__amount", filter=Q(subsidies__status=SubsidyStatus.PAID)))
            .order_by("-created_at", "-pk"))
