"""Forms of the campaign pages. They shape input only; the rules live in relief/campaigns.py, whose
Chinese messages the views put back beside the fields. Every choice offered (areas, towns, stores,
organisations, people) comes from what the user may manage or see."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import Q
from django.utils.translation import gettext as _g
from django.utils.translation import gettext_lazy as _

from onedoor.accounts.models import Organisation
from onedoor.core.scoping import grants_of, in_subtree, is_admin
from onedoor.geo.choices import TOWN_LEVELS, AreaLevel
from onedoor.geo.models import Area
from onedoor.registry.forms import AreaChoiceField, StyledForm
from onedoor.registry.models import Category

from .choices import CampaignTarget, EntryStatus, StoreKind
from .models import CAMPAIGN_MANAGERS, CAMPAIGN_VIEWERS, Item, Store, ancestor_codes
from .selectors import active_items

MAX_QUANTITY = 1000  # of one item for one target: a typo guard, not a rule


def grant_area_q(user: Any, field: str, roles: frozenset[str], *, upwards: bool = False) -> Q | None:
    """Rows whose area `field` lies under one of the user's grants of `roles` (and, with `upwards`,
    the areas above such a grant, e.g. a town team's town for a village grant). None: nothing."""
    if is_admin(user):
        return Q()
    combined: Q | None = None
    for grant in grants_of(user):
        if grant.role not in roles or not grant.area_code:
            continue
        opened = in_subtree(field, grant.area_code)
        if upwards:
            opened |= Q(**{f"{field}__in": ancestor_codes(grant.area_code)})
        combined = opened if combined is None else combined | opened
    return combined


def managed_areas(user: Any, levels: tuple[str, ...]) -> Any:
    """Current areas of the given levels inside the user's campaign-managing grants."""
    condition = grant_area_q(user, "code", CAMPAIGN_MANAGERS)
    if condition is None:
        return Area.objects.none()
    return Area.objects.current().filter(condition, level__in=levels).order_by("code")


def viewed_towns_q(user: Any, field: str = "town") -> Q | None:
    return grant_area_q(user, field, CAMPAIGN_VIEWERS, upwards=True)


def campaign_stores(user: Any) -> Any:
    """Stores a campaign may issue from: the bureau's and the towns' the user can see (not supplier
    reserves — they are called off into a store first)."""
    return (Store.objects.visible_to(user).filter(is_active=True).exclude(kind=StoreKind.SUPPLIER)
            .order_by("kind", "area_id", "pk"))


class StoreField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Store) -> str:
        return obj.name


class OrganisationField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Organisation) -> str:
        return obj.name


def _date_input() -> forms.DateInput:
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class ItemQuantities:
    """Mixin: one quantity field per active item (`qty_<pk>`), collected into {Item: quantity}."""

    def add_item_fields(self, initial: dict[int, int] | None = None) -> None:
        self.items = list(active_items())
        for item in self.items:
            self.fields[f"qty_{item.pk}"] = forms.IntegerField(
                label=f"{item.name}（{item.unit}）", required=False, min_value=0, max_value=MAX_QUANTITY,
                initial=(initial or {}).get(item.pk),
                error_messages={"invalid": _g("请填写整数。"), "min_value": _g("数量不能为负数。"),
                                "max_value": _g("每人（户）不超过 %(limit_value)s。")})
            self.fields[f"qty_{item.pk}"].widget.attrs.update({"class": "form-control", "inputmode": "numeric"})

    def item_field_names(self) -> list[str]:
        return [f"qty_{item.pk}" for item in self.items]

    def item_fields(self) -> list:
        return [self[name] for name in self.item_field_names()]

    def clean_items(self, cleaned: dict) -> dict[Item, int]:
        chosen = {item: cleaned[f"qty_{item.pk}"] for item in self.items if cleaned.get(f"qty_{item.pk}")}
        if not chosen and not any(f"qty_{item.pk}" in self.errors for item in self.items):
            self.add_error(None, _g("请至少填写一种发放物资的每人（户）数量。"))
        return chosen


class TeamRows:
    """Mixin: per town a store (blank: the campaign's default), a leader and a phone."""

    def add_team_fields(self, towns: list[Area], stores: Any) -> None:
        self.towns = towns
        for town in towns:
            self.fields[f"team_{town.pk}_store"] = StoreField(
                label=town.name, queryset=stores, required=False, empty_label=_g("（用默认出库点）"),
                error_messages={"invalid_choice": _g("%(town)s：请从列表中选择出库点。") % {"town": town.name}})
            self.fields[f"team_{town.pk}_store"].widget.attrs["class"] = "form-select form-select-sm"
            self.fields[f"team_{town.pk}_leader"] = forms.CharField(label=_("负责人"), required=False, max_length=50)
            self.fields[f"team_{town.pk}_phone"] = forms.CharField(label=_("联系电话"), required=False, max_length=20)
            for suffix in ("leader", "phone"):
                self.fields[f"team_{town.pk}_{suffix}"].widget.attrs["class"] = "form-control form-control-sm"

    def team_rows(self) -> list[dict]:
        return [{"town": town, "store": self[f"team_{town.pk}_store"], "leader": self[f"team_{town.pk}_leader"],
                 "phone": self[f"team_{town.pk}_phone"]} for town in self.towns]

    def clean_teams(self, cleaned: dict, area: Area | None) -> list[dict]:
        teams = []
        for town in self.towns:
            store = cleaned.get(f"team_{town.pk}_store")
            leader = (cleaned.get(f"team_{town.pk}_leader") or "").strip()
            phone = (cleaned.get(f"team_{town.pk}_phone") or "").strip()
            if store is None:
                if leader or phone:
                    self.add_error(f"team_{town.pk}_store", _g("%(town)s：请选择出库点。") % {"town": town.name})
                continue
            if area is not None and not (town.pk == area.pk or in_area(town.pk, area.pk)):
                self.add_error(f"team_{town.pk}_store",
                               _g("%(town)s不在活动覆盖区划内。") % {"town": town.name})
                continue
            teams.append({"town": town, "store": store, "leader": leader, "phone": phone})
        return teams


def in_area(code: str, area_code: str) -> bool:
    from onedoor.core.scoping import subtree_bounds

    low, high = subtree_bounds(area_code)
    return low <= code <= high


class CampaignForm(ItemQuantities, TeamRows, StyledForm):
    name = forms.CharField(label=_("活动名称"), max_length=100, help_text=_("例如：2026 寒冬送温暖"),
                           error_messages={"required": _("请填写活动名称。")})
    organisation = OrganisationField(label=_("组织单位"), queryset=Organisation.objects.none(),
                                     error_messages={"required": _("请选择组织单位。"),
                                                     "invalid_choice": _("请从列表中选择组织单位。")})
    area = AreaChoiceField(label=_("覆盖区划"), queryset=Area.objects.none(), empty_label="—",
                           error_messages={"required": _("请选择覆盖区划。"),
                                           "invalid_choice": _("请从列表中选择覆盖区划。")})
    starts_on = forms.DateField(label=_("开始日期"), widget=_date_input(),
                                error_messages={"required": _("请填写开始日期。"), "invalid": _("开始日期格式不对。")})
    ends_on = forms.DateField(label=_("结束日期"), widget=_date_input(),
                              error_messages={"required": _("请填写结束日期。"), "invalid": _("结束日期格式不对。")})
    target = forms.ChoiceField(label=_("发放对象"), choices=CampaignTarget.choices, initial=CampaignTarget.PERSONS,
                               widget=forms.RadioSelect)
    categories = forms.ModelMultipleChoiceField(
        label=_("对象类别"), queryset=Category.objects.none(), widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("请至少选择一个对象类别。"), "invalid_choice": _("请从列表中选择对象类别。"),
                        "invalid_pk_value": _("请从列表中选择对象类别。")})
    store = StoreField(label=_("默认出库点"), queryset=Store.objects.none(),
                       help_text=_("没有指定发放队伍的镇从这里出库"),
                       error_messages={"required": _("请选择默认出库点。"),
                                       "invalid_choice": _("请从列表中选择默认出库点。")})
    note = forms.CharField(label=_("说明"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["area"].queryset = managed_areas(user, (AreaLevel.DISTRICT, *TOWN_LEVELS))
        orgs = Organisation.objects.visible_to(user).filter(is_active=True)
        if getattr(user, "organisation_id", None):
            orgs = Organisation.objects.filter(Q(pk__in=orgs.values("pk")) | Q(pk=user.organisation_id))
        self.fields["organisation"].queryset = orgs.order_by("pk")
        if not self.is_bound and getattr(user, "organisation_id", None):
            self.initial.setdefault("organisation", user.organisation_id)
        self.fields["categories"].queryset = Category.objects.filter(is_active=True).order_by("order", "pk")
        stores = campaign_stores(user)
        self.fields["store"].queryset = stores
        self.add_item_fields()
        self.add_team_fields(list(managed_areas(user, TOWN_LEVELS)), stores)

    main_fields = ("name", "organisation", "area", "starts_on", "ends_on", "target", "store")

    def clean(self) -> dict:
        cleaned = super().clean()
        starts, ends = cleaned.get("starts_on"), cleaned.get("ends_on")
        if starts and ends and ends < starts:
            self.add_error("ends_on", _g("结束日期不能早于开始日期。"))
        cleaned["items"] = self.clean_items(cleaned)
        cleaned["teams"] = self.clean_teams(cleaned, cleaned.get("area"))
        return cleaned


class ItemsForm(ItemQuantities, StyledForm):
    def __init__(self, *args: Any, campaign: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.add_item_fields({line.item_id: line.quantity for line in campaign.items.all()})

    def clean(self) -> dict:
        cleaned = super().clean()
        cleaned["items"] = self.clean_items(cleaned)
        return cleaned


class TeamForm(StyledForm):
    town = AreaChoiceField(label=_("镇（街、场）"), queryset=Area.objects.none(), empty_label="—",
                           error_messages={"required": _("请选择镇（街、场）。"),
                                           "invalid_choice": _("请从列表中选择镇（街、场）。")})
    store = StoreField(label=_("出库点"), queryset=Store.objects.none(),
                       error_messages={"required": _("请选择出库点。"), "invalid_choice": _("请从列表中选择出库点。")})
    organisation = OrganisationField(label=_("负责单位"), queryset=Organisation.objects.none(), required=False)
    leader = forms.CharField(label=_("负责人"), required=False, max_length=50)
    phone = forms.CharField(label=_("联系电话"), required=False, max_length=20)

    def __init__(self, *args: Any, user: Any, campaign: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["town"].queryset = managed_areas(user, TOWN_LEVELS).filter(in_subtree("code", campaign.area_id))
        self.fields["store"].queryset = campaign_stores(user)
        self.fields["organisation"].queryset = Organisation.objects.visible_to(user).filter(
            is_active=True).order_by("pk")


# Outcomes a desk user may record (delivered only through a delivery with a signature).
STATUS_CHOICES = [(s.value, s.label) for s in (EntryStatus.REFUSED, EntryStatus.UNREACHABLE, EntryStatus.MOVED,
                                               EntryStatus.DECEASED, EntryStatus.PENDING)]


class EntryStatusForm(StyledForm):
    status = forms.ChoiceField(label=_("改为"), choices=STATUS_CHOICES,
                               error_messages={"required": _("请选择状态。"),
                                               "invalid_choice": _("请从列表中选择状态。")})
    note = forms.CharField(label=_("情况说明"), required=False, max_length=200,
                           help_text=_("拒收、联系不上、迁出、已故须写明情况"))


class AddToRosterForm(StyledForm):
    person = forms.IntegerField(widget=forms.HiddenInput, error_messages={"required": _("请先查找并选择对象。"),
                                                                          "invalid": _("请先查找并选择对象。")})
    reason = forms.CharField(label=_("补充原因"), max_length=200,
                             error_messages={"required": _("补充对象须写明原因。")},
                             help_text=_("例如：名单生成后新认定为特困供养"))


class CloseForm(StyledForm):
    note = forms.CharField(label=_("结束说明"), required=False, max_length=500,
                           widget=forms.TextInput(attrs={"placeholder": _("结束说明（可不填）")}))


class RosterFilterForm(forms.Form):
    """The roster's filters (GET); bad values are ignored, never an error page."""

    status = forms.ChoiceField(label=_("状态"), required=False, choices=[("", _("全部状态")), *EntryStatus.choices])
    area = forms.ChoiceField(label=_("镇/村"), required=False)
    q = forms.CharField(label=_("姓名或证件号后几位"), required=False, max_length=30)

    def __init__(self, *args: Any, areas: list[Area], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = [("", _g("全部镇村"))]
        for area in areas:
            prefix = "　" if area.level not in (AreaLevel.DISTRICT, *TOWN_LEVELS) else ""
            choices.append((area.pk, f"{prefix}{area.name}"))
        self.fields["area"].choices = choices
        for name, field in self.fields.items():
            field.widget.attrs.setdefault("class", "form-select form-select-sm" if name != "q"
                                          else "form-control form-control-sm")
            field.widget.attrs.setdefault("aria-label", field.label)

    def values(self) -> dict:
        if not self.is_bound:
            return {}
        self.is_valid()
        return {name: self.cleaned_data.get(name) or "" for name in self.fields if name not in self.errors}
