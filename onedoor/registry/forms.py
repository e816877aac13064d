"""Forms of the registry pages. They only shape input: the rules live in `validation.check_person` and
the actions, whose Chinese messages the views put back beside the fields."""

from __future__ import annotations

from typing import Any

from django import forms
from django.forms.boundfield import BoundField
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from onedoor.geo.choices import TOWN_LEVELS, VILLAGE_LEVELS
from onedoor.geo.models import Area

from .choices import (
    SELF_CARE_ITEMS,
    CategorySource,
    DisabilityGrade,
    DisabilityKind,
    Health,
    HukouType,
    MaritalStatus,
    Relation,
    Sex,
    WorkCapacity,
)
from .models import Category, Person


class StyledBoundField(BoundField):
    """Marks a field with errors `is-invalid`, so Bootstrap shows the message beside it."""

    def build_widget_attrs(self, attrs, widget=None):
        attrs = super().build_widget_attrs(attrs, widget)
        if self.errors:
            attrs["class"] = f"{attrs.get('class', '')} is-invalid".strip()
        return attrs


class StyledForm(forms.Form):
    bound_field_class = StyledBoundField

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, (forms.CheckboxSelectMultiple, forms.RadioSelect, forms.CheckboxInput)):
                css = "form-check-input"
            elif isinstance(widget, forms.Select):
                css = "form-select"
            else:
                css = "form-control"
            widget.attrs.setdefault("class", css)


def _blank(choices) -> list:
    return [("", "—"), *choices]


def _date_input() -> forms.DateInput:
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class AreaChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Area) -> str:
        if obj.level in VILLAGE_LEVELS and obj.parent_id:
            return f"{obj.parent.name} · {obj.name}"
        return obj.name


def villages_for(user):
    """The villages and communities a user may register people in (current ones only)."""
    return (Area.objects.visible_to(user).current().filter(level__in=VILLAGE_LEVELS)
            .select_related("parent").order_by("code"))


def towns_and_villages_for(user):
    return (Area.objects.visible_to(user).current().filter(level__in=(*TOWN_LEVELS, *VILLAGE_LEVELS))
            .select_related("parent").order_by("code"))


PERSON_FIELDSETS = (
    (_("身份"), ("name", "id_number", "sex", "birth_date", "ethnicity")),
    (_("联系方式与住址"), ("phone", "phone2", "residence_area", "address", "hukou_area", "hukou_type")),
    (_("家庭与健康状况"), ("marital_status", "health", "serious_illness", "disability_kind", "disability_grade",
                           "work_capacity", "occupation", "monthly_income")),
    (_("银行账户"), ("bank_name", "bank_account")),
    (_("其他"), ("description", "reason")),
)


class PersonForm(StyledForm):
    """Registering or editing a person. Fields are deliberately permissive: `check_person` reports every
    problem at once, in Chinese, and the view puts each message beside its field."""

    name = forms.CharField(label=_("姓名"), max_length=60, required=False, help_text=_("按证件书写，繁体字可以"))
    id_number = forms.CharField(label=_("身份证号码"), max_length=40, required=False,
                                help_text=_("18 位；全角数字、空格和小写 x 均可。暂时没有号码的可留空。"))
    sex = forms.ChoiceField(label=_("性别"), choices=_blank(Sex.choices), required=False,
                            help_text=_("有身份证号码时按号码确定"))
    birth_date = forms.CharField(label=_("出生日期"), required=False, widget=_date_input(),
                                 help_text=_("有身份证号码时按号码确定"))
    ethnicity = forms.CharField(label=_("民族"), max_length=20, required=False)
    phone = forms.CharField(label=_("联系电话"), max_length=30, required=False)
    phone2 = forms.CharField(label=_("备用电话"), max_length=30, required=False)
    residence_area = AreaChoiceField(label=_("居住地（村/社区）"), queryset=Area.objects.none(), required=False,
                                    empty_label="—")
    address = forms.CharField(label=_("现住址"), max_length=200, required=False)
    hukou_area = AreaChoiceField(label=_("户籍地"), queryset=Area.objects.none(), required=False,
                                    empty_label="—")
    hukou_type = forms.ChoiceField(label=_("户口性质"), choices=_blank(HukouType.choices), required=False)
    marital_status = forms.ChoiceField(label=_("婚姻状况"), choices=_blank(MaritalStatus.choices), required=False)
    health = forms.ChoiceField(label=_("健康状况"), choices=_blank(Health.choices), required=False)
    serious_illness = forms.CharField(label=_("重大疾病"), max_length=100, required=False)
    disability_kind = forms.ChoiceField(label=_("残疾类别"), choices=_blank(DisabilityKind.choices), required=False)
    disability_grade = forms.ChoiceField(label=_("残疾等级"), choices=_blank(DisabilityGrade.choices),
                                         required=False)
    work_capacity = forms.ChoiceField(label=_("劳动能力"), choices=_blank(WorkCapacity.choices), required=False)
    occupation = forms.CharField(label=_("职业"), max_length=60, required=False)
    monthly_income = forms.CharField(label=_("月收入（元）"), max_length=20, required=False)
    bank_name = forms.CharField(label=_("开户银行"), max_length=60, required=False)
    bank_account = forms.CharField(label=_("银行账号"), max_length=40, required=False)
    description = forms.CharField(label=_("体貌特征等说明"), required=False,
                                  widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args: Any, user, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["residence_area"].queryset = villages_for(user)
        self.fields["hukou_area"].queryset = towns_and_villages_for(user)

    def fieldsets(self) -> list[tuple[str, list[BoundField]]]:
        return [(legend, [self[name] for name in names if name in self.fields])
                for legend, names in PERSON_FIELDSETS]

    def person_data(self) -> dict[str, Any]:
        """What `register_person` receives: every field as typed; `check_person` judges them all at once."""
        return {key: value for key, value in self.cleaned_data.items() if key != "reason"}


class PersonEditForm(PersonForm):
    """Editing: the ID number and the bank account are never shown in full, so a blank field means
    "unchanged"; a reason is required and kept with the change."""

    reason = forms.CharField(label=_("修改理由"), max_length=200,
                             error_messages={"required": _("修改已登记人员的信息必须说明理由。")})

    def __init__(self, *args: Any, person: Person, **kwargs: Any) -> None:
        initial = {name: getattr(person, name) for name in (
            "name", "sex", "birth_date", "ethnicity", "phone", "phone2", "address", "hukou_type",
            "marital_status", "health", "serious_illness", "disability_kind", "disability_grade",
            "work_capacity", "occupation", "monthly_income", "bank_name", "description")}
        initial["residence_area"] = person.residence_area_id
        initial["hukou_area"] = person.hukou_area_id
        initial["disability_grade"] = person.disability_grade or ""
        super().__init__(*args, initial=initial, **kwargs)
        self.person = person
        self.fields["id_number"].help_text = (
            _("当前号码 %(masked)s；留空表示不修改。") % {"masked": person.masked_id} if person.id_number
            else _("目前没有身份证号码（临时编号 %(temp)s），取得号码后填写。") % {"temp": person.temp_identifier})
        self.fields["bank_account"].help_text = (
            _("当前账号 %(masked)s；留空表示不修改。") % {"masked": person.masked_bank_account}
            if person.bank_account else "")
        if person.id_number:
            for name in ("sex", "birth_date"):
                self.fields[name].disabled = True

    def changes(self) -> dict[str, Any]:
        """Only what the clerk changed; a blank ID number or bank account keeps the stored one."""
        changed = {}
        for name in self.changed_data:
            if name == "reason" or self.fields[name].disabled:
                continue
            value = self.cleaned_data[name]
            if name in ("id_number", "bank_account") and not str(value).strip():
                continue
            changed[name] = value
        return changed


class RevealForm(StyledForm):
    reason = forms.CharField(label=_("查看理由"), max_length=200,
                             error_messages={"required": _("查看完整证件号码必须说明理由。")},
                             help_text=_("例如：核对银行代发信息。每次查看都会记入访问日志。"))


class SelfCareForm(StyledForm):
    unable = forms.MultipleChoiceField(label=_("不能独立完成的项目"), choices=SELF_CARE_ITEMS, required=False,
                                       widget=forms.CheckboxSelectMultiple,
                                       help_text=_("全部能完成为全自理；1–3 项不能为半护理；4 项及以上为全护理。"))
    on = forms.DateField(label=_("评估日期"), widget=_date_input(), initial=timezone.localdate)


class DeathForm(StyledForm):
    death_date = forms.DateField(label=_("死亡日期"), widget=_date_input())
    reason = forms.CharField(label=_("依据"), max_length=200, help_text=_("例如：火化证明、死亡医学证明"),
                             error_messages={"required": _("请填写登记死亡的依据。")})


class CategoryAssignForm(StyledForm):
    category = forms.ModelChoiceField(label=_("类别"), queryset=Category.objects.none(),
                                      empty_label=_("请选择类别"))
    valid_from = forms.DateField(label=_("起始日期"), widget=_date_input(), initial=timezone.localdate)
    source = forms.ChoiceField(label=_("来源"), choices=[(CategorySource.DECISION, CategorySource.DECISION.label),
                                                        (CategorySource.MANUAL, CategorySource.MANUAL.label)],
                               initial=CategorySource.MANUAL)
    reason = forms.CharField(label=_("依据/理由"), max_length=200, required=False,
                             help_text=_("手工登记必须说明理由，例如审批文号"))

    def __init__(self, *args: Any, subject: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = Category.objects.filter(is_active=True, subject=subject)

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("source") == CategorySource.MANUAL and not (data.get("reason") or "").strip():
            self.add_error("reason", _("手工登记类别必须说明理由。"))
        return data


class CategoryEndForm(StyledForm):
    valid_to = forms.DateField(label=_("终止日期"), widget=_date_input(), initial=timezone.localdate,
                               help_text=_("当天起不再属于该类别"))
    reason = forms.CharField(label=_("终止理由"), max_length=200,
                             error_messages={"required": _("终止类别必须说明理由。")})


class HouseholdCreateForm(StyledForm):
    formed_on = forms.DateField(label=_("建立日期"), widget=_date_input(), initial=timezone.localdate)
    address = forms.CharField(label=_("住址"), max_length=200, required=False, help_text=_("留空则使用户主的住址"))


class AddMemberForm(StyledForm):
    person = forms.IntegerField(label=_("人员"), widget=forms.HiddenInput,
                                error_messages={"required": _("请先搜索并选择要加入的人员。")})
    relation = forms.ChoiceField(label=_("与户主关系"),
                                 choices=[c for c in Relation.choices if c[0] != Relation.HEAD])
    joined_on = forms.DateField(label=_("加入日期"), widget=_date_input(), initial=timezone.localdate)


def _member_choices(members: list) -> list:
    return [("", _("请选择成员")), *((m.person_id, m.person.name) for m in members)]


class RemoveMemberForm(StyledForm):
    # An id, not a choice: the view looks the member up in scope, so a stranger's id answers 404.
    person = forms.IntegerField(label=_("迁出的成员"), widget=forms.Select,
                                error_messages={"required": _("请选择成员。")})
    left_on = forms.DateField(label=_("离开日期"), widget=_date_input(), initial=timezone.localdate)
    reason = forms.CharField(label=_("离开原因"), max_length=100,
                             error_messages={"required": _("请填写离开原因。")})

    def __init__(self, *args: Any, members: list, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["person"].widget.choices = _member_choices(members)


class ChangeHeadForm(StyledForm):
    person = forms.IntegerField(label=_("新户主"), widget=forms.Select,
                                error_messages={"required": _("请选择成员。")})
    reason = forms.CharField(label=_("变更理由"), max_length=200,
                             error_messages={"required": _("请填写变更户主的理由。")})

    def __init__(self, *args: Any, members: list, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["person"].widget.choices = _member_choices(members)


class MergeForm(StyledForm):
    duplicate = forms.IntegerField(label=_("重复的记录"), widget=forms.HiddenInput,
                                   error_messages={"required": _("请选择要并入的重复记录。")})
    reason = forms.CharField(label=_("合并理由"), max_length=200,
                             error_messages={"required": _("合并必须说明理由。")})

