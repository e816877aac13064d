"""Forms of the intake pages: the window's application form and one small form per task action. They
only shape input; the rules (what may happen now, what a decision must say) live in intake/actions.py,
whose Chinese messages the views put back beside the fields."""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import PurePath
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from onedoor.accounts.models import Organisation, User
from onedoor.policies.models import Policy
from onedoor.registry.forms import StyledForm

from .actions import ReceivedDocument
from .choices import Channel

SCAN_EXTENSIONS = {".pdf", ".jpg", ".jpeg", ".png", ".tif", ".tiff"}
SCAN_MAX_BYTES = 10 * 1024 * 1024
SEPARATORS = re.compile(r"[\n\r、，,；;]+")


def _date_input() -> forms.DateInput:
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _text(rows: int = 2) -> forms.Textarea:
    return forms.Textarea(attrs={"rows": rows})


def split_names(text: str) -> list[str]:
    """Document names typed in one box, separated by new lines or 、，,；."""
    return [name.strip()[:60] for name in SEPARATORS.split(text or "") if name.strip()]


def unique(names: Sequence[str]) -> list[str]:
    return list(dict.fromkeys(names))


def required_documents(policies: Sequence[Policy]) -> list[str]:
    """Every document the policies ask for, each once, in the catalogue's order."""
    return unique([name for policy in policies for name in policy.required_documents])


class DocumentsForm(StyledForm):
    """Documents handed in: a tick for each listed name, an optional scan beside each (file input
    `<prefix>-scan_<i>` for the i-th name) and other documents typed by name."""

    documents = forms.MultipleChoiceField(label=_("已收材料"), required=False, widget=forms.CheckboxSelectMultiple)
    other_documents = forms.CharField(label=_("其他材料"), required=False, max_length=500,
                                      help_text=_("清单以外的材料，多个用顿号或换行分隔"))

    def __init__(self, *args: Any, document_names: Sequence[str] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.document_names = list(document_names)
        self.fields["documents"].choices = [(name, name) for name in self.document_names]

    def scan_field(self, index: int) -> str:
        return self.add_prefix(f"scan_{index}")

    def document_rows(self) -> list[dict]:
        """What the template shows: each listed document, whether it is ticked, and its file input name."""
        ticked = set(self["documents"].value() or [])
        return [{"index": i, "name": name, "checked": name in ticked, "scan": self.scan_field(i)}
                for i, name in enumerate(self.document_names)]

    def _scans(self) -> dict[str, Any]:
        scans = {}
        for index, name in enumerate(self.document_names):
            upload = self.files.get(self.scan_field(index)) if self.files else None
            if upload is None:
                continue
            suffix = PurePath(upload.name or "").suffix.lower()
            if suffix not in SCAN_EXTENSIONS:
                self.add_error("documents", _("“%(name)s”的扫描件须为 PDF、JPG、PNG 或 TIFF 文件。") % {"name": name})
            elif upload.size > SCAN_MAX_BYTES:
                self.add_error("documents", _("“%(name)s”的扫描件超过 10 MB。") % {"name": name})
            else:
                scans[name] = upload
        return scans

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        data["scans"] = self._scans()
        return data

    def received(self) -> list[ReceivedDocument]:
        """The documents to record: every ticked or scanned listed name, then the other names typed."""
        data = self.cleaned_data
        scans = data.get("scans", {})
        listed = [name for name in self.document_names if name in set(data.get("documents", [])) or name in scans]
        others = [name for name in split_names(data.get("other_documents", "")) if name not in listed]
        return [ReceivedDocument(name, scans.get(name)) for name in listed] + [ReceivedDocument(n) for n in others]


class PolicyChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Policy) -> str:
        return obj.name


def active_policies():
    return Policy.objects.filter(is_active=True).select_related("department").order_by(
        "department__name", "order", "code")


def ticked_policies(data: Any) -> list[Policy]:
    """The active policies whose ids the (bound) form data ticks, in catalogue order."""
    if not data:
        return []
    ids = [value for value in data.getlist("policies") if str(value).isdigit()][:100]
    return list(Policy.objects.filter(is_active=True, pk__in=ids).order_by("order", "code")) if ids else []


class ApplicationForm(DocumentsForm):
    """The window's application form (窗口受理)."""

    policies = PolicyChoiceField(label=_("申请事项"), queryset=Policy.objects.filter(is_active=True),
                                 widget=forms.CheckboxSelectMultiple,
                                 error_messages={"required": _("请至少勾选一项申请的政策。")})
    act_first = forms.MultipleChoiceField(label=_("先行救助"), required=False, widget=forms.CheckboxSelectMultiple,
                                          help_text=_("情况紧急：先作决定、先救助，事后补齐调查和手续"))
    statement = forms.CharField(label=_("申请事由"), required=False, max_length=2000, widget=_text(3))
    channel = forms.ChoiceField(label=_("申请渠道"), choices=Channel.choices, initial=Channel.WINDOW)
    contact_phone = forms.CharField(label=_("联系电话"), required=False, max_length=20)
    consent_to_checks = forms.BooleanField(label=_("申请人同意核对家庭经济状况"), required=False)
    related_to_staff = forms.BooleanField(label=_("申请人或家庭成员与经办人员有近亲属关系（单独登记备案）"),
                                          required=False)
    related_staff_note = forms.CharField(label=_("备案说明"), required=False, max_length=200,
                                         help_text=_("写明与哪位工作人员、何种关系"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        data = args[0] if args else kwargs.get("data")
        self.ticked = ticked_policies(data)
        super().__init__(*args, document_names=required_documents(self.ticked), **kwargs)
        self.fields["act_first"].choices = [(p.code, p.name) for p in self.ticked if p.act_first_allowed]

    def clean_contact_phone(self) -> str:
        phone = self.cleaned_data["contact_phone"].strip()
        if phone and not re.fullmatch(r"[0-9\- ]{7,20}", phone):
            raise forms.ValidationError(_("联系电话只能包含数字、空格和连字符。"))
        return phone

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("related_to_staff") and not data.get("related_staff_note", "").strip():
            self.add_error("related_staff_note", _("近亲属备案须写明备案说明。"))
        return data


# --- task actions ------------------------------------------------------------------------------------


class NoteForm(StyledForm):
    note = forms.CharField(label=_("说明"), required=False, max_length=2000, widget=_text())

    def __init__(self, *args: Any, note_label: str | None = None, note_required: bool = False, **kwargs: Any):
        super().__init__(*args, **kwargs)
        if note_label:
            self.fields["note"].label = note_label
        self.fields["note"].required = note_required


class ReturnForm(StyledForm):
    missing = forms.MultipleChoiceField(label=_("需补正的材料"), required=False, widget=forms.CheckboxSelectMultiple)
    other_missing = forms.CharField(label=_("其他需补正材料"), required=False, max_length=500,
                                    help_text=_("多个用顿号或换行分隔；一次性列出全部"))
    note = forms.CharField(label=_("说明"), required=False, max_length=2000, widget=_text())

    def __init__(self, *args: Any, document_names: Sequence[str] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["missing"].choices = [(name, name) for name in document_names]

    def missing_names(self) -> list[str]:
        return unique([*self.cleaned_data.get("missing", []), *split_names(self.cleaned_data.get("other_missing"))])


class ResubmitForm(DocumentsForm):
    note = forms.CharField(label=_("说明"), required=False, max_length=2000, widget=_text())


class ProposeForm(StyledForm):
    note = forms.CharField(label=_("初审意见"), max_length=2000, widget=_text(3),
                           error_messages={"required": _("请填写初审意见。")})
    amount = forms.DecimalField(label=_("建议金额（元）"), required=False, min_value=0, max_digits=12,
                                decimal_places=2)
    goods = forms.CharField(label=_("建议给予的物资或服务"), required=False, max_length=200)


class PublishNoticeForm(StyledForm):
    starts_on = forms.DateField(label=_("公示开始日期"), widget=_date_input())
    note = forms.CharField(label=_("说明"), required=False, max_length=2000, widget=_text())

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["starts_on"].initial = timezone.localdate()


class ObjectionForm(StyledForm):
    content = forms.CharField(label=_("异议内容"), max_length=2000, widget=_text(3),
                              error_messages={"required": _("请填写异议内容。")})
    raised_by = forms.CharField(label=_("异议人"), required=False, max_length=60, help_text=_("可匿名"))
    received_on = forms.DateField(label=_("收到日期"), widget=_date_input())

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["received_on"].initial = timezone.localdate()


class ApproveForm(StyledForm):
    reason = forms.CharField(label=_("决定理由"), required=False, max_length=2000, widget=_text())
    amount = forms.DecimalField(label=_("批准金额（元）"), required=False, min_value=0, max_digits=12,
                                decimal_places=2)
    goods = forms.CharField(label=_("给予的物资或服务"), required=False, max_length=200)
    act_first = forms.BooleanField(label=_("先行救助（先批准，事后补齐调查和手续）"), required=False)

    def __init__(self, *args: Any, act_first_possible: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not act_first_possible:
            del self.fields["act_first"]


class RefuseForm(StyledForm):
    reason = forms.CharField(label=_("不予批准的理由"), max_length=2000, widget=_text(3),
                             error_messages={"required": _("不予批准须书面说明理由。")})


class TransferForm(StyledForm):
    department = forms.ModelChoiceField(label=_("转至部门"), queryset=Organisation.objects.none(),
                                        error_messages={"required": _("请选择转办的部门。"),
                                                        "invalid_choice": _("请选择列表中的部门。")})
    note = forms.CharField(label=_("转办理由"), max_length=2000, widget=_text(),
                           error_messages={"required": _("请说明转办理由。")})

    def __init__(self, *args: Any, departments=None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if departments is not None:
            self.fields["department"].queryset = departments


class HandlerChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: User) -> str:
        return str(obj)


class AssignForm(StyledForm):
    handler = HandlerChoiceField(label=_("经办人"), queryset=User.objects.none(),
                                 error_messages={"required": _("请选择经办人。"),
                                                 "invalid_choice": _("请选择本部门的经办人。")})
    note = forms.CharField(label=_("说明"), required=False, max_length=500)

    def __init__(self, *args: Any, handlers=None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if handlers is not None:
            self.fields["handler"].queryset = handlers


class HomeVisitForm(StyledForm):
    visited_on = forms.DateField(label=_("调查日期"), widget=_date_input())
    second_staff = forms.CharField(label=_("第二调查人"), max_length=60,
                                   help_text=_("入户调查须有两名工作人员；第一调查人为您本人"),
                                   error_messages={"required": _("入户调查须有两名工作人员，请填写第二调查人。")})
    family_present = forms.CharField(label=_("在场家庭成员"), required=False, max_length=100)
    findings = forms.CharField(label=_("调查情况"), max_length=4000, widget=_text(4),
                               error_messages={"required": _("请填写调查情况。")})
    signed_by_family = forms.BooleanField(label=_("调查表已由调查人和家庭成员签字"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["visited_on"].initial = timezone.localdate()


class AddDocumentsForm(DocumentsForm):
    """Documents handed in at the window after the application was taken."""

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if not self.errors and not self.received():
            self.add_error("documents", _("请勾选或填写收到的材料。"))
        return data
