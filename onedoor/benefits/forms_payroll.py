"""Forms of the payroll pages: they check input; the actions in benefits.payroll / bankfile decide."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from onedoor.policies.choices import PolicyKind
from onedoor.policies.models import Policy

from .bankfile import ENCODINGS, FORMATS
from .choices import PaymentLine, PaymentStatus
from .months import parse_month


class RunForm(forms.Form):
    month = forms.CharField(label=_("发放月份"), max_length=7, help_text=_("格式 YYYY-MM，例如 2026-04"))
    policy = forms.ModelChoiceField(label=_("政策"), required=False, queryset=Policy.objects.none(),
                                    empty_label=_("全部按月发放的政策"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["policy"].queryset = Policy.objects.filter(kind=PolicyKind.MONTHLY_CASH).order_by("code")

    def clean_month(self):
        try:
            return parse_month(self.cleaned_data["month"])
        except ValueError as exc:
            raise forms.ValidationError(str(exc)) from None


class ExportForm(forms.Form):
    fmt = forms.ChoiceField(label=_("格式"), choices=[(f, f) for f in FORMATS], initial="xlsx")
    encoding = forms.ChoiceField(label=_("CSV 编码"), choices=[(e, e.upper()) for e in ENCODINGS], initial="gbk")


class ReturnFileForm(forms.Form):
    file = forms.FileField(label=_("银行回盘文件"), help_text=_("xlsx 或 csv（UTF-8 或 GBK）：参考号、金额、处理结果（成功/失败）、失败原因、到账日期"))

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith((".xlsx", ".xls", ".csv")):
            raise forms.ValidationError(_("请上传 xlsx 或 csv 文件。"))
        return upload


class PaymentFilterForm(forms.Form):
    status = forms.ChoiceField(label=_("状态"), required=False, choices=[("", _("全部"))] + PaymentStatus.choices)
    line = forms.ChoiceField(label=_("类型"), required=False, choices=[("", _("全部"))] + PaymentLine.choices)


class ReissueForm(forms.Form):
    bank_account = forms.CharField(label=_("收款账号"), required=False, max_length=32,
                                   help_text=_("留空则用救助对象登记的当前账号"))
