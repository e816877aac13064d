"""Forms of the public portal. Labels are plain words; every refusal names its field in Chinese."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from onedoor.accounts.models import Organisation
from onedoor.core.idnumber import InvalidIdNumber, normalize_id_number, parse_id_number
from onedoor.core.scoping import subtree_bounds
from onedoor.geo.choices import VILLAGE_LEVELS
from onedoor.geo.models import Area
from onedoor.policies.choices import LifeSituation
from onedoor.registry.forms import StyledForm
from onedoor.registry.models import Category
from onedoor.registry.validation import PHONE, normalize_phone

from .selectors import SUFFIX_SHAPE, active_policies, town_windows

# The categories a citizen may already hold that change what they qualify for.
SELF_CHECK_CATEGORIES = ("dibao", "dibao_edge", "tekun", "orphan", "unsupported_child", "severe_disability",
                         "employment_difficulty")


class SearchForm(forms.Form):
    q = forms.CharField(label=_("关键词"), max_length=50, required=False)
    situation = forms.ChoiceField(label=_("生活情形"), choices=[("", _("全部"))] + list(LifeSituation.choices),
                                  required=False)
    department = forms.TypedChoiceField(label=_("主管部门"), coerce=int, required=False, empty_value=None)

    def __init__(self, *args: Any, departments=(), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["department"].choices = [("", _("全部部门"))] + [(d.pk, d.name) for d in departments]


class SelfCheckForm(StyledForm):
    age = forms.IntegerField(label=_("年龄（周岁）"), min_value=0, max_value=120,
                             error_messages={"required": _("请填写年龄。"), "invalid": _("年龄请填数字。"),
                                             "min_value": _("年龄不能小于 0。"), "max_value": _("年龄不能大于 120。")})
    local_hukou = forms.TypedChoiceField(
        label=_("户口在同安区吗？"), choices=[("yes", _("是")), ("no", _("不是"))], widget=forms.RadioSelect,
        coerce=lambda value: value == "yes", error_messages={"required": _("请选择户口是否在同安区。")})
    hukou_type = forms.ChoiceField(label=_("城镇还是农村户口？"),
                                   choices=[("urban", _("城镇")), ("rural", _("农村"))], widget=forms.RadioSelect,
                                   error_messages={"required": _("请选择城镇或农村。")})
    household_size = forms.IntegerField(label=_("家里一起生活的有几口人？"), min_value=1, max_value=20,
                                        error_messages={"required": _("请填写家庭人口数。"),
                                                        "invalid": _("人口数请填数字。"),
                                                        "min_value": _("家庭人口至少 1 人。"),
                                                        "max_value": _("家庭人口请不超过 20 人。")})
    monthly_income = forms.DecimalField(
        label=_("全家每月总收入（元）"), min_value=Decimal("0"), max_value=Decimal("10000000"), decimal_places=2,
        required=False, help_text=_("不清楚可以不填"),
        error_messages={"invalid": _("收入请填数字，例如 1500。"), "min_value": _("收入不能为负数。"),
                        "max_value": _("收入数字过大。"), "max_decimal_places": _("收入最多保留两位小数。")})
    has_disability = forms.BooleanField(label=_("本人持有残疾证"), required=False)
    categories = forms.MultipleChoiceField(label=_("已经享受的救助身份"), required=False,
                                           widget=forms.CheckboxSelectMultiple)
    situations = forms.MultipleChoiceField(label=_("遇到的困难"), required=False, choices=LifeSituation.choices,
                                           widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["categories"].choices = list(
            Category.objects.filter(code__in=SELF_CHECK_CATEGORIES, is_active=True).order_by("order")
            .values_list("code", "name"))

    @property
    def per_capita_income(self) -> Decimal | None:
        income = self.cleaned_data.get("monthly_income")
        size = self.cleaned_data.get("household_size")
        if income is None or not size:
            return None
        return (income / size).quantize(Decimal("0.01"))


class WindowChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Organisation) -> str:
        return obj.name


class PolicyChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj) -> str:
        return f"{obj.name}（{obj.department.name}）"


def village_choices() -> list:
    """Villages and communities grouped by town, for a plain <select> with <optgroup>s (no script needed)."""
    groups: dict[str, list[tuple[str, str]]] = {}
    for code, name, town in (Area.objects.current().filter(level__in=VILLAGE_LEVELS).order_by("code")
                             .values_list("code", "name", "parent__name")):
        groups.setdefault(town or "", []).append((code, name))
    return [("", _("请选择")), *groups.items()]


class OnlineApplicationForm(StyledForm):
    name = forms.CharField(label=_("姓名"), max_length=60, error_messages={"required": _("请填写姓名。")})
    id_number = forms.CharField(label=_("身份证号码"), max_length=40,
                                help_text=_("18 位，最后一位可以是 X"),
                                error_messages={"required": _("请填写身份证号码。")})
    phone = forms.CharField(label=_("联系电话"), max_length=30, help_text=_("工作人员会打这个电话联系您"),
                            error_messages={"required": _("请填写联系电话。")})
    window = WindowChoiceField(label=_("到哪个镇（街、场）办理"), queryset=Organisation.objects.none(),
                               empty_label=_("请选择"),
                               error_messages={"required": _("请选择受理窗口。"),
                                               "invalid_choice": _("请选择列表中的受理窗口。")})
    village = forms.ChoiceField(label=_("居住的村（社区）"),
                                error_messages={"required": _("请选择居住的村（社区）。"),
                                                "invalid_choice": _("请选择列表中的村（社区）。")})
    policies = PolicyChoiceField(label=_("申请的事项（可多选）"), queryset=active_policies().none(),
                                 widget=forms.CheckboxSelectMultiple,
                                 error_messages={"required": _("请至少选择一项要申请的事项。"),
                                                 "invalid_choice": _("所选事项不存在或已停用。"),
                                                 "invalid_pk_value": _("所选事项不存在或已停用。")})
    statement = forms.CharField(label=_("申请事由（家里遇到了什么困难）"), max_length=2000, required=False,
                                widget=forms.Textarea(attrs={"rows": 4}))
    consent = forms.BooleanField(
        label=_("我保证所填信息真实，并同意有关部门核对我和家庭成员的收入、财产等情况"),
        error_messages={"required": _("请勾选同意后再提交。")})

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["window"].queryset = town_windows()
        self.fields["village"].choices = village_choices()
        self.fields["policies"].queryset = active_policies()

    def clean_id_number(self) -> str:
        raw = self.cleaned_data["id_number"]
        try:
            return parse_id_number(raw).number
        except InvalidIdNumber as exc:
            raise forms.ValidationError(_("身份证号码有误：%(reason)s"), params={"reason": exc.message}) from exc

    def clean_village(self) -> Area:
        village = Area.objects.current().filter(level__in=VILLAGE_LEVELS, code=self.cleaned_data["village"]).first()
        if village is None:
            raise forms.ValidationError(_("请选择列表中的村（社区）。"))
        return village

    def clean_phone(self) -> str:
        phone = normalize_phone(self.cleaned_data["phone"])
        if not PHONE.match(phone):
            raise forms.ValidationError(_("电话号码格式不正确，请填写手机号或带区号的固定电话。"))
        return phone

    def clean(self) -> dict:
        data = super().clean()
        window, village = data.get("window"), data.get("village")
        if window and village and not (subtree_bounds(window.area_id)[0] <= village.code
                                       <= subtree_bounds(window.area_id)[1]):
            self.add_error("village", _("所选村（社区）不属于%(town)s，请重新选择。") % {"town": window.name})
        return data



class StatusForm(StyledForm):
    receipt_no = forms.CharField(label=_("受理编号"), max_length=30, help_text=_("在受理回执上，例如 110-20261208-0001"),
                                 error_messages={"required": _("请填写受理编号。")})
    id_last4 = forms.CharField(label=_("身份证号码后四位"), max_length=8, help_text=_("最后一位是 X 的请填 X"),
                               error_messages={"required": _("请填写身份证号码后四位。")})

    def clean_id_last4(self) -> str:
        value = normalize_id_number(self.cleaned_data["id_last4"])
        if not SUFFIX_SHAPE.match(value):
            raise forms.ValidationError(_("请填写身份证号码的最后四位（数字，最后一位可以是 X）。"))
        return value
