"""Forms of the catalogue pages: they shape input; the rules are in `policies.actions`."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from onedoor.accounts.models import Organisation, User
from onedoor.geo.choices import TOWN_LEVELS, AreaLevel
from onedoor.geo.models import Area
from onedoor.registry.forms import StyledForm

from .actions import HANDLING_KINDS
from .choices import StandardKind


def _date_input() -> forms.DateInput:
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class StaffChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: User) -> str:
        return f"{obj.get_full_name() or obj.username}（{obj.organisation or '—'}）"


class StaffMultipleChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: User) -> str:
        return f"{obj.get_full_name() or obj.username}（{obj.organisation or '—'}）"


def _handling_organisations():
    return Organisation.objects.filter(kind__in=HANDLING_KINDS, is_active=True).order_by("kind", "name")


def _staff():
    return (User.objects.filter(is_active=True, organisation__kind__in=HANDLING_KINDS)
            .select_related("organisation").order_by("organisation__name", "username"))


class ResponsibilityForm(StyledForm):
    area = forms.ModelChoiceField(
        label=_("适用区域"), queryset=Area.objects.none(),
        help_text=_("该区域（含下级）的申请交给下面的部门；更具体的区域优先"))
    department = forms.ModelChoiceField(label=_("承办部门"), queryset=Organisation.objects.none())
    handler = StaffChoiceField(label=_("责任人"), queryset=User.objects.none(), required=False,
                               help_text=_("不指定时派给下面轮派名单中在办事项最少的人，或待调度分派"))
    pool = StaffMultipleChoiceField(label=_("经办人轮派"), queryset=User.objects.none(), required=False,
                                    widget=forms.SelectMultiple(attrs={"size": 4}))
    valid_from = forms.DateField(label=_("生效日期"), widget=_date_input(),
                                 help_text=_("只影响该日起新受理的事项，已分派的事项不变"))
    note = forms.CharField(label=_("备注"), max_length=200, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["area"].queryset = (Area.objects.current()
                                        .filter(level__in=(AreaLevel.DISTRICT, *TOWN_LEVELS)).order_by("code"))
        self.fields["department"].queryset = _handling_organisations()
        self.fields["handler"].queryset = _staff()
        self.fields["pool"].queryset = _staff()
        self.fields["valid_from"].initial = timezone.localdate()


class EndResponsibilityForm(StyledForm):
    valid_to = forms.DateField(label=_("失效日期"), widget=_date_input(), help_text=_("当天起不再适用"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["valid_to"].initial = timezone.localdate()


class StandardForm(StyledForm):
    kind = forms.ChoiceField(label=_("标准类型"), choices=StandardKind.choices)
    hukou_type = forms.ChoiceField(label=_("城乡"), required=False,
                                   choices=[("", _("城乡统一")), ("urban", _("城镇")), ("rural", _("农村"))])
    amount = forms.DecimalField(label=_("金额（元/人·月）或倍数"), min_value=0, max_digits=10, decimal_places=2)
    effective_from = forms.DateField(label=_("执行月份"), widget=_date_input(), help_text=_("须为某月 1 日"))
    basis = forms.CharField(label=_("依据文件"), max_length=200, required=False)
