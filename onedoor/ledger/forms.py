from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from onedoor.geo.choices import TOWN_LEVELS
from onedoor.geo.models import Area
from onedoor.policies.models import Policy
from onedoor.registry.forms import StyledForm

from .choices import AssistanceKind
from .selectors import LedgerFilter, departments_for


def _date() -> forms.DateField:
    return forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))


class LedgerFilterForm(StyledForm):
    start = _date()
    end = _date()
    area = forms.ModelChoiceField(queryset=Area.objects.none(), required=False, label=_("区域"),
                                  to_field_name="code", empty_label=_("全部区域"))
    kind = forms.ChoiceField(required=False, label=_("救助方式"), choices=[("", _("全部方式")), *AssistanceKind.choices])
    policy = forms.ModelChoiceField(queryset=Policy.objects.none(), required=False, label=_("政策"),
                                    empty_label=_("全部政策"))
    department = forms.ModelChoiceField(queryset=departments_for(None).none(), required=False, label=_("实施部门"),
                                        empty_label=_("全部部门"))

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["start"].label = _("起始日期")
        self.fields["end"].label = _("截止日期")
        self.fields["area"].queryset = (Area.objects.visible_to(user).current()
                                        .filter(level__in=("district", *TOWN_LEVELS)).order_by("code"))
        self.fields["policy"].queryset = Policy.objects.order_by("code")
        self.fields["department"].queryset = departments_for(user)

    def clean(self):
        data = super().clean()
        if data.get("start") and data.get("end") and data["start"] > data["end"]:
            self.add_error("end", _("截止日期不能早于起始日期。"))
        return data

    def to_filter(self) -> LedgerFilter:
        if not self.is_valid():
            return LedgerFilter()
        data = self.cleaned_data
        return LedgerFilter(start=data.get("start"), end=data.get("end"),
                            area=data["area"].code if data.get("area") else None, kind=data.get("kind") or None,
                            policy_id=data["policy"].pk if data.get("policy") else None,
                            department_id=data["department"].pk if data.get("department") else None)


class DuplicateFilterForm(StyledForm):
    start = _date()
    end = _date()
    kind = forms.ChoiceField(required=False, label=_("救助方式"), choices=[("", _("全部方式")), *AssistanceKind.choices])

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["start"].label = _("起始日期")
        self.fields["end"].label = _("截止日期")
