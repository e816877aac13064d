"""Forms of the field pages: the delivery (quantities per campaign item, proof of receipt, the submission's
idempotency key) and an outcome other than a delivery (refused, unreachable, moved, deceased)."""

from __future__ import annotations

import uuid

from django import forms
from django.utils.translation import gettext_lazy as _

from .choices import EntryStatus

# Outcomes a team records at the door instead of a delivery, in the order of the buttons.
FIELD_OUTCOMES = (EntryStatus.REFUSED, EntryStatus.UNREACHABLE, EntryStatus.MOVED, EntryStatus.DECEASED)

IMAGE_ACCEPT = "image/png,image/jpeg"


def quantity_field_name(item_id: int) -> str:
    return f"qty_{item_id}"


class DeliveryForm(forms.Form):
    """One delivery. `lines` are the campaign's CampaignItem rows: a quantity field per item, from 0 up
    to the planned quantity. The proof is a signature drawn on the screen (a PNG data URL filled in by
    field.js) or a photo of the signed paper sheet; the action checks that one of them is there."""

    idempotency_key = forms.CharField(widget=forms.HiddenInput, max_length=64,
                                      error_messages={"required": _("页面已过期，请刷新后重新填写。")})
    recipient_name = forms.CharField(label=_("签收人"), max_length=60, required=False,
                                     help_text=_("家属代收时填写代收人姓名；本人签收可不填"))
    signature = forms.CharField(widget=forms.HiddenInput, required=False)
    signed_sheet = forms.FileField(label=_("拍照上传签收单"), required=False, widget=forms.ClearableFileInput(
        attrs={"accept": IMAGE_ACCEPT, "capture": "environment"}))
    photo = forms.FileField(label=_("现场照片（可选）"), required=False, widget=forms.ClearableFileInput(
        attrs={"accept": IMAGE_ACCEPT, "capture": "environment"}))
    note = forms.CharField(label=_("备注"), max_length=200, required=False,
                           widget=forms.TextInput(attrs={"autocomplete": "off"}))

    def __init__(self, *args, lines=(), **kwargs):
        initial = kwargs.setdefault("initial", {})
        initial.setdefault("idempotency_key", uuid.uuid4().hex)
        super().__init__(*args, **kwargs)
        self.lines = list(lines)
        for line in self.lines:
            name = quantity_field_name(line.item_id)
            self.fields[name] = forms.IntegerField(
                label=f"{line.item.name}（{line.item.unit}）", min_value=0, max_value=line.quantity,
                initial=line.quantity,
                widget=forms.NumberInput(attrs={"inputmode": "numeric", "class": "form-control form-control-lg",
                                                "data-item": line.item.code}),
                error_messages={
                    "required": _("请填写数量（不发放填 0）。"),
                    "min_value": _("数量不能小于 0。"),
                    "max_value": _("最多发放 %(limit_value)s。"),
                    "invalid": _("请填写整数。"),
                })
        for name in ("recipient_name", "note"):
            self.fields[name].widget.attrs.setdefault("class", "form-control form-control-lg")
        for name in ("signed_sheet", "photo"):
            self.fields[name].widget.attrs.setdefault("class", "form-control")

    def quantity_fields(self):
        return [self[quantity_field_name(line.item_id)] for line in self.lines]

    def quantities(self) -> dict:
        """{Item: quantity} from the cleaned data (zeros included; the action drops them)."""
        return {line.item: self.cleaned_data[quantity_field_name(line.item_id)] for line in self.lines}

    def clean(self):
        data = super().clean()
        if self.lines and all(data.get(quantity_field_name(line.item_id)) == 0 for line in self.lines):
            raise forms.ValidationError(_("请至少填写一种物资的发放数量；未能发放请用下面的“未送达”按钮登记原因。"))
        return data


class OutcomeForm(forms.Form):
    """Refused, unreachable, moved away or deceased, with what the team found (required); or back to
    pending for another try (a refusal reconsidered, someone who moved found again)."""

    status = forms.ChoiceField(choices=[(s.value, s.label) for s in (*FIELD_OUTCOMES, EntryStatus.PENDING)],
                               widget=forms.HiddenInput,
                               error_messages={"invalid_choice": _("请选择情况。"), "required": _("请选择情况。")})
    note = forms.CharField(label=_("情况说明"), max_length=200, required=False,
                           widget=forms.TextInput(attrs={"class": "form-control form-control-lg",
                                                         "autocomplete": "off"}))

    def clean(self):
        data = super().clean()
        if data.get("status") in FIELD_OUTCOMES and not data.get("note", "").strip():
            self.add_error("note", _("请写明情况（如：本人不在家，邻居说去女儿家了）。"))
        return data
