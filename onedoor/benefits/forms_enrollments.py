"""Forms of the enrollment pages. They only shape input; the rules and their Chinese messages live in
benefits/actions.py and benefits/reviews.py, and the view puts a refusal back beside its field."""

from __future__ import annotations

from datetime import date
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from onedoor.registry.forms import StyledForm

from .choices import EnrollmentStatus, ReviewOutcome
from .months import month_of, parse_month

REVIEW_FILTERS = [("due", _("30 天内到期或已超期")), ("overdue", _("已超期"))]


def _text(rows: int = 2) -> forms.Textarea:
    return forms.Textarea(attrs={"rows": rows})


class MonthField(forms.CharField):
    """A month typed as YYYY-MM (a month input in the browser) → the first day of that month."""

    widget = forms.TextInput(attrs={"type": "month", "placeholder": "2026-07"})

    def to_python(self, value: Any) -> date | None:
        text = super().to_python(value)
        if not text:
            return None
        try:
            return parse_month(text)
        except ValueError as exc:
            raise forms.ValidationError(str(exc)) from None

    def prepare_value(self, value: Any) -> Any:
        return f"{value:%Y-%m}" if isinstance(value, date) else value


def _date_input() -> forms.DateInput:
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class EnrollmentFilterForm(forms.Form):
    """The list's filters; a bad value is ignored rather than refused (it is a link someone typed)."""

    policy = forms.TypedChoiceField(label=_("政策"), required=False, coerce=int, empty_value=None)
    status = forms.ChoiceField(label=_("状态"), required=False, choices=[("", _("全部状态")),
                                                                        *EnrollmentStatus.choices])
    area = forms.ChoiceField(label=_("区划"), required=False)
    review = forms.ChoiceField(label=_("复核"), required=False, choices=[("", _("全部")), *REVIEW_FILTERS])
    q = forms.CharField(label=_("姓名"), required=False, max_length=60)

    def __init__(self, *args: Any, policies=(), areas=(), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["policy"].choices = [("", _("全部政策")), *((p.pk, p.name) for p in policies)]
        self.fields["area"].choices = [("", _("全部区划")), *((a.code, str(a)) for a in areas)]

    def value(self, name: str) -> Any:
        """The cleaned value of one filter, or empty when that one was bad."""
        if not self.is_bound:
            return None
        self.is_valid()
        return self.cleaned_data.get(name) if name not in self.errors else None


class ReasonForm(StyledForm):
    reason = forms.CharField(label=_("原因"), max_length=500, widget=_text())


class RecomputeForm(StyledForm):
    from_month = MonthField(label=_("自哪个月起"), help_text=_("已发放的月份由下一次发放批次补发或追回差额"))
    reason = forms.CharField(label=_("原因"), max_length=200)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"from_month": month_of(timezone.localdate())})
        super().__init__(*args, **kwargs)


class FadingForm(StyledForm):
    months = forms.IntegerField(label=_("渐退期（月）"), min_value=1, max_value=6, initial=6)
    from_month = MonthField(label=_("渐退期自哪个月起"), required=False, help_text=_("留空表示下个月起"))
    reason = forms.CharField(label=_("原因"), max_length=500, widget=_text(),
                             help_text=_("如：家庭成员就业，收入超过标准"))


class EndForm(StyledForm):
    last_month = MonthField(label=_("末次发放月份"), help_text=_("发放到该月（含），此后停止；已多发的由下一批次追回"))
    reason = forms.CharField(label=_("终止原因"), max_length=500, widget=_text())

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"last_month": month_of(timezone.localdate())})
        super().__init__(*args, **kwargs)


class ReviewForm(StyledForm):
    reviewed_on = forms.DateField(label=_("复核日期"), widget=_date_input())
    outcome = forms.ChoiceField(label=_("复核结论"), choices=ReviewOutcome.choices)
    months = forms.IntegerField(label=_("渐退期（月）"), min_value=1, max_value=6, required=False,
                                help_text=_("结论为“进入渐退期”时填写，最多 6 个月"))
    note = forms.CharField(label=_("复核情况"), max_length=2000, widget=_text(3),
                           help_text=_("入户核查、收入和家庭人员变化等"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"reviewed_on": timezone.localdate(), "outcome": ReviewOutcome.CONTINUE})
        super().__init__(*args, **kwargs)
