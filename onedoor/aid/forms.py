from __future__ import annotations

from datetime import date
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from onedoor.accounts.choices import OrganisationKind
from onedoor.accounts.models import Organisation
from onedoor.core.idnumber import normalize_id_number
from onedoor.ledger.selectors import departments_for
from onedoor.registry.forms import StyledForm
from onedoor.registry.models import Person

from .loans import add_months_to_day, quarter_of


def _date(label) -> forms.DateField:
    return forms.DateField(label=label, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))


class TopUpForm(StyledForm):
    amount = forms.DecimalField(label=_("拨入金额（元）"), max_digits=14, decimal_places=2, min_value=0.01)
    reason = forms.CharField(label=_("事由"), max_length=200)


class ReturnForm(StyledForm):
    reason = forms.CharField(label=_("退回原因"), max_length=200)


class LoanTermsForm(StyledForm):
    bank = forms.ModelChoiceField(label=_("贷款银行"), queryset=Organisation.objects.none())
    contract_no = forms.CharField(label=_("借款合同号"), max_length=60, required=False)
    annual_rate = forms.DecimalField(label=_("年利率（%）"), max_digits=6, decimal_places=3, min_value=0,
                                     max_value=36)
    term_months = forms.IntegerField(label=_("期限（月）"), min_value=1, max_value=360)
    subsidy_share = forms.DecimalField(label=_("贴息比例（%）"), max_digits=5, decimal_places=2, min_value=0,
                                       max_value=100, initial=100)
    start_date = _date(_("放款日期"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["bank"].queryset = Organisation.objects.filter(kind=OrganisationKind.BANK, is_active=True)


class LoanRegisterForm(LoanTermsForm):
    """A loan registered directly by finance: the borrower by ID number, the principal and the department."""

    id_number = forms.CharField(label=_("借款人身份证号码"), max_length=18)
    principal = forms.DecimalField(label=_("贷款本金（元）"), max_digits=14, decimal_places=2, min_value=0.01)
    department = forms.ModelChoiceField(label=_("贴息部门"), queryset=Organisation.objects.none())

    field_order = ["id_number", "principal", "department", "bank", "contract_no", "annual_rate", "term_months",
                   "subsidy_share", "start_date"]

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["department"].queryset = departments_for(user)

    def clean_id_number(self):
        number = normalize_id_number(self.cleaned_data["id_number"])
        person = Person.objects.visible_to(self.user).filter(id_number=number).first()
        if person is None:
            raise forms.ValidationError(_("没有找到该身份证号码的人员，或者您无权查看。"))
        self.borrower = person
        return number


class RepayForm(StyledForm):
    paid_on = _date(_("还款日期"))
    amount = forms.DecimalField(label=_("实还金额（元）"), max_digits=14, decimal_places=2, required=False,
                                help_text=_("空 = 按该期应还金额"))


def recent_quarters(today: date | None = None, count: int = 8) -> list[tuple[str, str]]:
    quarter = quarter_of(today or timezone.localdate())
    choices = []
    for back in range(count):
        q = add_months_to_day(quarter, -3 * back)
        choices.append((q.isoformat(), f"{q.year}年第{(q.month - 1) // 3 + 1}季度"))
    return choices


class QuarterForm(StyledForm):
    quarter = forms.ChoiceField(label=_("季度"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["quarter"].choices = recent_quarters()
