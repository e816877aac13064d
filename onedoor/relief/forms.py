"""Forms of the stock pages. They shape input only; the rules live in relief/actions.py, whose Chinese
messages the views put back beside the fields. Store choices are the stores the user may manage."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from onedoor.registry.forms import StyledForm

from .choices import PURPOSES_BY_KIND, MoveKind, StoreKind
from .models import Item, Store
from .selectors import active_items


class StoreField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Store) -> str:
        return obj.name


class ItemField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Item) -> str:
        return f"{obj.name}（{obj.unit}）"


def _purpose_choices(kind: str) -> list[tuple[str, str]]:
    return [(p.value, p.label) for p in PURPOSES_BY_KIND[MoveKind(kind)]]


class MoveForm(StyledForm):
    """Base: an item, a positive quantity, an optional batch (expiry) and a note."""

    item = ItemField(label=_("物资"), queryset=Item.objects.none())
    quantity = forms.IntegerField(label=_("数量"), min_value=1, max_value=10_000_000)
    expiry = forms.DateField(label=_("到期日（食品批次）"), required=False,
                             widget=forms.DateInput(attrs={"type": "date"}),
                             help_text=_("有保质期的物资入库时必填；出库不填则先到期先发"))
    note = forms.CharField(label=_("说明"), required=False, max_length=500)

    def __init__(self, *args: Any, stores=None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["item"].queryset = active_items()
        self.stores = stores if stores is not None else Store.objects.none()


class ReceiveForm(MoveForm):
    store = StoreField(label=_("入库点"), queryset=Store.objects.none())
    purpose = forms.ChoiceField(label=_("来源"), choices=[])
    field_order = ["store", "purpose", "item", "quantity", "expiry", "note"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["store"].queryset = self.stores
        # Call-offs arrive on their order's page.
        self.fields["purpose"].choices = [c for c in _purpose_choices(MoveKind.RECEIPT) if c[0] != "call_off"]


class TransferForm(MoveForm):
    from_store = StoreField(label=_("调出"), queryset=Store.objects.none())
    to_store = StoreField(label=_("调入"), queryset=Store.objects.none())
    field_order = ["from_store", "to_store", "item", "quantity", "expiry", "note"]

    def __init__(self, *args: Any, destinations=None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["from_store"].queryset = self.stores.exclude(kind=StoreKind.SUPPLIER)
        self.fields["to_store"].queryset = (destinations if destinations is not None else self.stores).exclude(
            kind=StoreKind.SUPPLIER)


class IssueForm(MoveForm):
    store = StoreField(label=_("出库点"), queryset=Store.objects.none())
    purpose = forms.ChoiceField(label=_("用途"), choices=[])
    field_order = ["store", "purpose", "item", "quantity", "expiry", "note"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["store"].queryset = self.stores.exclude(kind=StoreKind.SUPPLIER)
        self.fields["purpose"].choices = _purpose_choices(MoveKind.ISSUE)


class ReturnForm(MoveForm):
    store = StoreField(label=_("退回至"), queryset=Store.objects.none())
    field_order = ["store", "item", "quantity", "expiry", "note"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["store"].queryset = self.stores.exclude(kind=StoreKind.SUPPLIER)


class AdjustForm(StyledForm):
    store = StoreField(label=_("储备点"), queryset=Store.objects.none())
    item = ItemField(label=_("物资"), queryset=Item.objects.none())
    expiry = forms.DateField(label=_("批次到期日"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    counted = forms.IntegerField(label=_("实盘数量"), min_value=0, max_value=10_000_000)
    reason = forms.CharField(label=_("调整原因"), max_length=500)

    def __init__(self, *args: Any, stores=None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["store"].queryset = stores if stores is not None else Store.objects.none()
        self.fields["item"].queryset = active_items()


class CancelForm(StyledForm):
    reason = forms.CharField(label=_("取消原因"), max_length=500)


class MoveFilterForm(forms.Form):
    """The filters of the movement list (GET); bad values are ignored, never an error page."""

    store = StoreField(label=_("储备点"), queryset=Store.objects.none(), required=False)
    item = forms.ChoiceField(label=_("物资"), required=False)
    kind = forms.ChoiceField(label=_("类型"), required=False, choices=[("", "—"), *MoveKind.choices])
    date_from = forms.DateField(label=_("从"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(label=_("至"), required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args: Any, stores=None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["store"].queryset = stores if stores is not None else Store.objects.none()
        self.fields["item"].choices = [("", "—"), *((i.code, i.name) for i in active_items())]
        for name, field in self.fields.items():
            field.widget.attrs.setdefault("class", "form-select" if name in ("store", "item", "kind")
                                          else "form-control")

    def values(self) -> dict:
        if not self.is_valid():
            return {name: self.cleaned_data.get(name) for name in self.fields if name not in self.errors}
        return dict(self.cleaned_data)
