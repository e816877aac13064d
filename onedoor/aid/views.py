"""Pages of one-off aid (reserve funds, payments) and loans. Each form calls one action; every object a
request names is looked up through `get_visible_or_404`."""

from __future__ import annotations

from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from onedoor.core.exceptions import DomainError
from onedoor.core.paging import paginate, querystring_without_page
from onedoor.core.scoping import get_visible_or_404

from . import actions, selectors
from .choices import AidPaymentStatus, LoanStatus
from .forms import LoanRegisterForm, LoanTermsForm, QuarterForm, RepayForm, ReturnForm, TopUpForm
from .models import AidPayment, Loan


def _errors_onto(form, exc: DomainError) -> None:
    details = exc.details if isinstance(exc.details, dict) else {}
    for field, message in details.items():
        form.add_error(field if field in form.fields else None, message)
    if not details:
        form.add_error(None, exc.message)


# --- funds ---------------------------------------------------------------------------------------

@login_required
def fund_list(request):
    return render(request, "aid/fund_list.html", {"funds": list(selectors.funds_for(request.user)),
                                                  "is_finance": selectors.is_finance(request.user)})


@login_required
def fund_detail(request, pk: int):
    fund = get_visible_or_404(request.user, selectors.funds_for(request.user), pk=pk)
    movements = fund.movements.select_related("actor", "payment__person").order_by("-created_at", "-pk")
    form = TopUpForm(request.POST or None)
    if request.method == "POST":
        if form.is_valid():
            try:
                actions.top_up_fund(fund, actor=request.user, amount=form.cleaned_data["amount"],
                                    reason=form.cleaned_data["reason"])
            except DomainError as exc:
                if exc.status == 403:
                    raise
                _errors_onto(form, exc)
            else:
                messages.success(request, _("已拨入备用金。"))
                return redirect("aid:fund_detail", pk=fund.pk)
    return render(request, "aid/fund_detail.html", {
        "fund": fund, "page": paginate(request, movements), "form": form,
        "may_top_up": selectors.is_finance(request.user), "querystring": querystring_without_page(request)})


# --- one-off payments ----------------------------------------------------------------------------

@login_required
def payment_list(request):
    status = request.GET.get("status", "")
    status = status if status in AidPaymentStatus.values else ""
    page = paginate(request, selectors.payments_for(request.user, status=status or None))
    return render(request, "aid/payment_list.html", {
        "page": page, "status": status, "statuses": AidPaymentStatus.choices,
        "querystring": querystring_without_page(request), "may_disburse": request.user.has_role("finance", "window_clerk"),
        "is_finance": selectors.is_finance(request.user)})


@login_required
@require_POST
def payment_disburse(request, pk: int):
    payment = get_visible_or_404(request.user, AidPayment, pk=pk)
    actions.disburse_payment(payment, actor=request.user)
    messages.success(request, _("已发放。"))
    return redirect("aid:payment_list")


@login_required
@require_POST
def payment_return(request, pk: int):
    payment = get_visible_or_404(request.user, AidPayment, pk=pk)
    form = ReturnForm(request.POST)
    if not form.is_valid():
        raise DomainError(_("请填写退回原因。"))
    actions.return_payment(payment, actor=request.user, reason=form.cleaned_data["reason"])
    messages.success(request, _("已登记退回，款项回到备用金。"))
    return redirect("aid:payment_list")


# --- loans ---------------------------------------------------------------------------------------

@login_required
def loan_list(request):
    status = request.GET.get("status", "")
    status = status if status in LoanStatus.values else ""
    page = paginate(request, selectors.loans_for(request.user, status=status or None))
    return render(request, "aid/loan_list.html", {
        "page": page, "status": status, "statuses": LoanStatus.choices,
        "querystring": querystring_without_page(request), "is_finance": selectors.is_finance(request.user)})


@login_required
def loan_detail(request, pk: int):
    loan = get_visible_or_404(request.user, selectors.loans_for(request.user), pk=pk)
    subsidies = list(loan.subsidies.order_by("quarter"))
    return render(request, "aid/loan_detail.html", {
        "loan": loan, "installments": list(loan.installments.order_by("number")), "subsidies": subsidies,
        "repay_form": RepayForm(initial={"paid_on": date.today()}), "is_finance": selectors.is_finance(request.user)})


@login_required
def loan_register(request):
    """Register a loan directly, or (?loan=ID) record the contract terms of one decided through intake."""
    if not selectors.is_finance(request.user):
        raise PermissionDenied
    pending = None
    loan_id = request.GET.get("loan") or request.POST.get("loan")
    if loan_id:
        pending = get_visible_or_404(request.user, Loan.objects.select_related("borrower"), pk=loan_id)
    form_class = LoanTermsForm if pending else LoanRegisterForm
    kwargs = {} if pending else {"user": request.user}
    form = form_class(request.POST or None, **kwargs)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        terms = {"bank": data["bank"], "annual_rate": data["annual_rate"], "term_months": data["term_months"],
                 "subsidy_share": data["subsidy_share"], "start_date": data["start_date"],
                 "contract_no": data.get("contract_no", "")}
        try:
            if pending:
                loan = actions.register_loan(actor=request.user, loan=pending, **terms)
            else:
                loan = actions.register_loan(actor=request.user, borrower=form.borrower, principal=data["principal"],
                                             department=data["department"], **terms)
        except DomainError as exc:
            if exc.status == 403:
                raise
            _errors_onto(form, exc)
        else:
            messages.success(request, _("已登记贷款并生成还款计划。"))
            return redirect("aid:loan_detail", pk=loan.pk)
    return render(request, "aid/loan_form.html", {"form": form, "pending": pending})


@login_required
@require_POST
def loan_repay(request, pk: int):
    loan = get_visible_or_404(request.user, Loan, pk=pk)
    form = RepayForm(request.POST)
    if not form.is_valid():
        raise DomainError(_("请填写还款日期。"))
    actions.record_repayment(loan, actor=request.user, paid_on=form.cleaned_data["paid_on"],
                             amount=form.cleaned_data.get("amount"))
    messages.success(request, _("已登记还款。"))
    return redirect("aid:loan_detail", pk=loan.pk)


@login_required
def subsidy_pay(request):
    """Pay a quarter's interest subsidies (finance): every payable one the user may pay."""
    if not selectors.is_finance(request.user):
        raise PermissionDenied
    form = QuarterForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        actions.mark_overdue_loans()
        counts = actions.pay_quarter_subsidies(actor=request.user,
                                               quarter=date.fromisoformat(form.cleaned_data["quarter"]))
        messages.success(request, _("已支付 %(paid)d 笔贴息；%(waiting)d 笔因季度未结束或未按期还款暂缓。") % counts)
        return redirect("aid:loan_list")
    return render(request, "aid/subsidy_pay.html", {"form": form})


@login_required
@require_POST
def loan_mark_overdue(request):
    if not selectors.is_finance(request.user):
        raise PermissionDenied
    counts = actions.mark_overdue_loans()
    messages.success(request, _("逾期检查完成：新增逾期 %(overdue)d 笔，恢复正常 %(cured)d 笔。") % counts)
    return redirect("aid:loan_list")


