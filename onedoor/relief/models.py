"""Relief stock (物资储备): items, stores (the bureau warehouse, town stores, each agreement supplier's
reserve), supplier agreements, the stock ledger (StockMove), the balance table it keeps, minimum
levels and call-off orders to suppliers. Campaigns, rosters and deliveries build on these.

The ledger is the single source of truth: every change of stock is one StockMove row written by an
action in relief/actions.py, which in the same transaction updates StockBalance atomically. The
balance table exists so that "how many are on hand" is one indexed row and so that the database
itself refuses a negative quantity (CHECK quantity >= 0); `actions.verify_balances()` recomputes it
from the ledger. See docs/subsystems/relief-stock.md.

Scope: a store belongs to an area and an organisation. Storekeepers, leaders and the dispatcher read
the stores their grants cover; only storekeepers (and the admin role) change stock; field staff whose
grant covers a store may issue from it for a campaign delivery or a patrol (action "issue"). Every
other row is scoped through its store(s): a move or a call-off order is visible when either of its
two stores is.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from onedoor.core.audit import history
from onedoor.core.models import DomainEvent
from onedoor.core.scoping import (
    ADMIN_ROLE,
    CODE_LENGTH,
    ScopedManager,
    ScopedQuerySet,
    ScopeRule,
    grants_of,
    in_subtree,
    scope_q,
)

from .choices import CallOffStatus, CampaignStatus, CampaignTarget, EntryStatus, MoveKind, Purpose, StoreKind

STOREKEEPERS = frozenset({"storekeeper"})
STOCK_VIEWERS = frozenset({"storekeeper", "leader", "dispatcher"})
# Staff who hand goods out in the field: they issue from a store their grant covers (a campaign
# delivery, a patrol encounter), but do not receive, transfer or count stock.
FIELD_ISSUERS = STOREKEEPERS | frozenset({"window_clerk", "social_worker", "patrol"})

STORE_ROLES = (("view", STOCK_VIEWERS), ("manage", STOREKEEPERS), ("issue", FIELD_ISSUERS))


def store_rule(prefix: str = "") -> ScopeRule:
    """The store's scope rule, seen from a model that reaches the store through `prefix`."""
    return ScopeRule(area=f"{prefix}area", organisation=f"{prefix}organisation", roles_by_action=STORE_ROLES)


class TwoStoreQuerySet(ScopedQuerySet):
    """Rows that concern two stores (a transfer, a call-off): visible when either store is."""

    store_paths: tuple[str, str] = ("from_store", "to_store")

    def visible_to(self, user: Any, action: str = "view") -> TwoStoreQuerySet:
        grants = grants_of(user)
        if any(grant.role == ADMIN_ROLE for grant in grants):
            return self.all()
        combined: Q | None = None
        for path in self.store_paths:
            opened = scope_q(store_rule(f"{path}__"), grants, user=user, action=action)
            if opened is not None:
                combined = opened if combined is None else combined | opened
        return self.none() if combined is None else self.filter(combined)


class Item(models.Model):
    """One kind of relief goods as the bureau counts it (棉被 by the 床, 饮用水 by the 箱).

    Not scoped: the item list is the same catalogue for every store and holds nothing about people."""

    code = models.SlugField(_("物资代码"), max_length=30, unique=True)
    name = models.CharField(_("物资名称"), max_length=50, unique=True)
    unit = models.CharField(_("计量单位"), max_length=10)
    pack_sizes = models.JSONField(_("包装规格"), default=list, blank=True,
                                  help_text=_("例如：[\"550ml×24瓶\"]，仅作说明"))
    perishable = models.BooleanField(_("有保质期"), default=False,
                                     help_text=_("食品等有保质期的物资按批次（到期日）记账，先到期先发"))
    is_active = models.BooleanField(_("在用"), default=True)

    history = history()

    class Meta:
        verbose_name = _("物资")
        verbose_name_plural = _("物资")
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.name


class Store(models.Model):
    """One place that holds stock: the bureau warehouse, a town's store, or a supplier's reserve kept
    for the bureau under an agreement."""

    name = models.CharField(_("名称"), max_length=100, unique=True)
    kind = models.CharField(_("类型"), max_length=12, choices=StoreKind.choices)
    organisation = models.ForeignKey("accounts.Organisation", verbose_name=_("所属机构"), on_delete=models.PROTECT,
                                     related_name="stores")
    area = models.ForeignKey("geo.Area", verbose_name=_("所属区划"), on_delete=models.PROTECT, related_name="+")
    address = models.CharField(_("地址"), max_length=200, blank=True)
    keeper = models.CharField(_("保管人"), max_length=50, blank=True)
    phone = models.CharField(_("联系电话"), max_length=20, blank=True)
    is_active = models.BooleanField(_("在用"), default=True)

    objects = ScopedManager()
    scope = store_rule()
    history = history()

    class Meta:
        verbose_name = _("物资储备点")
        verbose_name_plural = _("物资储备点")
        ordering = ["kind", "area_id", "pk"]

    def __str__(self) -> str:
        return self.name

    @property
    def is_supplier(self) -> bool:
        return self.kind == StoreKind.SUPPLIER


class Agreement(models.Model):
    """One reserve agreement (储备协议) with a supplier: what it keeps in reserve for the bureau at its
    store, for how long, and how many days it needs to deliver once called off."""

    store = models.ForeignKey(Store, verbose_name=_("供应商储备点"), on_delete=models.PROTECT,
                              related_name="agreements", limit_choices_to={"kind": StoreKind.SUPPLIER})
    number = models.CharField(_("协议编号"), max_length=40, unique=True)
    valid_from = models.DateField(_("生效日期"))
    valid_to = models.DateField(_("截止日期"))
    lead_time_days = models.PositiveSmallIntegerField(_("调运时限（天）"), default=1)
    contact_name = models.CharField(_("联系人"), max_length=50, blank=True)
    contact_phone = models.CharField(_("联系电话"), max_length=20, blank=True)
    note = models.TextField(_("备注"), blank=True)

    objects = ScopedManager()
    scope = store_rule("store__")
    history = history()

    class Meta:
        verbose_name = _("储备协议")
        verbose_name_plural = _("储备协议")
        ordering = ["store_id", "-valid_from"]
        constraints = [
            models.CheckConstraint(condition=Q(valid_to__gte=F("valid_from")), name="agreement_period_ordered"),
        ]

    def __str__(self) -> str:
        return f"{self.number}（{self.store}）"

    def is_valid_on(self, day) -> bool:
        return self.valid_from <= day <= self.valid_to


class AgreementLine(models.Model):
    """One item of a reserve agreement and the quantity the supplier must hold for the bureau."""

    agreement = models.ForeignKey(Agreement, verbose_name=_("储备协议"), on_delete=models.CASCADE,
                                  related_name="lines")
    item = models.ForeignKey(Item, verbose_name=_("物资"), on_delete=models.PROTECT, related_name="+")
    reserved_quantity = models.PositiveIntegerField(_("协议储备数量"))

    objects = ScopedManager()
    scope = store_rule("agreement__store__")
    history = history()

    class Meta:
        verbose_name = _("协议储备物资")
        verbose_name_plural = _("协议储备物资")
        constraints = [
            models.UniqueConstraint(fields=["agreement", "item"], name="one_line_per_agreement_item"),
        ]

    def __str__(self) -> str:
        return f"{self.item} {self.reserved_quantity}"


class StockMove(DomainEvent):
    """One movement of one item (one batch) in the stock ledger: goods received into a store,
    transferred between stores, issued to people, returned, or an adjustment after a stock count.

    Append-only: a mistake is corrected by another move, never by editing a row. `from_store` is where
    the goods left, `to_store` where they arrived; the CHECK constraints below say which kinds name
    which. `source` points at what the move was for (a call-off order, later a campaign delivery)."""

    kind = models.CharField(_("类型"), max_length=12, choices=MoveKind.choices)
    purpose = models.CharField(_("用途"), max_length=12, choices=Purpose.choices)
    item = models.ForeignKey(Item, verbose_name=_("物资"), on_delete=models.PROTECT, related_name="moves")
    quantity = models.PositiveIntegerField(_("数量"))
    from_store = models.ForeignKey(Store, verbose_name=_("出库点"), on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="moves_out")
    to_store = models.ForeignKey(Store, verbose_name=_("入库点"), on_delete=models.PROTECT, null=True, blank=True,
                                 related_name="moves_in")
    expiry = models.DateField(_("到期日（批次）"), null=True, blank=True)
    # Moves written together (a transfer spread over several batches) share one group.
    group = models.UUIDField(_("同批操作"), null=True, blank=True, db_index=True)
    source_type = models.ForeignKey(ContentType, verbose_name=_("来源类型"), on_delete=models.PROTECT, null=True,
                                    blank=True, related_name="+")
    source_id = models.CharField(_("来源编号"), max_length=64, blank=True)
    source = GenericForeignKey("source_type", "source_id")

    objects = TwoStoreQuerySet.as_manager()
    # For tools that read `scope`; visible_to ORs this rule over both stores (TwoStoreQuerySet).
    scope = store_rule("to_store__")

    class Meta(DomainEvent.Meta):
        verbose_name = _("出入库记录")
        verbose_name_plural = _("出入库记录")
        ordering = ["-occurred_at", "-pk"]
        indexes = [
            models.Index(fields=["from_store", "item", "occurred_at"], name="stockmove_from_item_time"),
            models.Index(fields=["to_store", "item", "occurred_at"], name="stockmove_to_item_time"),
            models.Index(fields=["source_type", "source_id"], name="stockmove_source"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gt=0), name="stockmove_quantity_positive"),
            models.CheckConstraint(
                condition=Q(from_store__isnull=True) | Q(to_store__isnull=True) | ~Q(from_store=F("to_store")),
                name="stockmove_two_different_stores"),
            models.CheckConstraint(name="stockmove_stores_fit_kind", condition=(
                Q(kind=MoveKind.RECEIPT, to_store__isnull=False)
                & (Q(from_store__isnull=True) | Q(purpose=Purpose.CALL_OFF))
                | Q(kind=MoveKind.TRANSFER, from_store__isnull=False, to_store__isnull=False)
                | Q(kind=MoveKind.ISSUE, from_store__isnull=False, to_store__isnull=True)
                | Q(kind=MoveKind.RETURN, from_store__isnull=True, to_store__isnull=False)
                | Q(kind=MoveKind.ADJUSTMENT)
                & (Q(from_store__isnull=True, to_store__isnull=False) | Q(from_store__isnull=False,
                                                                          to_store__isnull=True))
            )),
            models.CheckConstraint(condition=~Q(kind=MoveKind.ADJUSTMENT) | ~Q(note=""),
                                   name="stockmove_adjustment_has_reason"),
        ]

    def save(self, *args, **kwargs):
        self.code = self.kind
        super().save(*args, **kwargs)

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.item} {self.quantity}"

    def change_for(self, store: Store) -> int:
        """+quantity if the goods arrived at `store`, −quantity if they left it."""
        if self.to_store_id == store.pk:
            return self.quantity
        if self.from_store_id == store.pk:
            return -self.quantity
        return 0


class StockBalance(models.Model):
    """How many of one item (of one batch, for food) one store holds now. Kept by the actions in the
    same transaction as the StockMove that changes it; never written anywhere else. No row history:
    the ledger is its history."""

    store = models.ForeignKey(Store, verbose_name=_("储备点"), on_delete=models.PROTECT, related_name="balances")
    item = models.ForeignKey(Item, verbose_name=_("物资"), on_delete=models.PROTECT, related_name="balances")
    expiry = models.DateField(_("到期日（批次）"), null=True, blank=True)
    quantity = models.PositiveIntegerField(_("库存数量"), default=0)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    objects = ScopedManager()
    scope = store_rule("store__")

    class Meta:
        verbose_name = _("库存")
        verbose_name_plural = _("库存")
        ordering = ["store_id", "item_id", "expiry"]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gte=0), name="stockbalance_quantity_not_negative"),
            # Two partial indexes instead of one: NULLs are distinct in a plain unique index.
            models.UniqueConstraint(fields=["store", "item", "expiry"], condition=Q(expiry__isnull=False),
                                    name="one_balance_per_store_item_batch"),
            models.UniqueConstraint(fields=["store", "item"], condition=Q(expiry__isnull=True),
                                    name="one_balance_per_store_item_without_batch"),
        ]
        indexes = [models.Index(fields=["expiry"], name="stockbalance_expiry",
                                condition=Q(expiry__isnull=False, quantity__gt=0))]

    def __str__(self) -> str:
        return f"{self.store} {self.item} {self.quantity}"

    @property
    def days_left(self) -> int | None:
        return None if self.expiry is None else (self.expiry - timezone.localdate()).days


class MinimumLevel(models.Model):
    """The least a store should hold of an item; below it the item shows on the low-stock list."""

    store = models.ForeignKey(Store, verbose_name=_("储备点"), on_delete=models.CASCADE, related_name="minimums")
    item = models.ForeignKey(Item, verbose_name=_("物资"), on_delete=models.PROTECT, related_name="+")
    minimum = models.PositiveIntegerField(_("最低库存"))

    objects = ScopedManager()
    scope = store_rule("store__")
    history = history()

    class Meta:
        verbose_name = _("最低库存")
        verbose_name_plural = _("最低库存")
        constraints = [
            models.UniqueConstraint(fields=["store", "item"], name="one_minimum_per_store_item"),
        ]

    def __str__(self) -> str:
        return f"{self.store} {self.item} ≥ {self.minimum}"


class CallOffQuerySet(TwoStoreQuerySet):
    store_paths = ("supplier", "destination")


class CallOffOrder(models.Model):
    """One call-off (调运单) of reserve goods from a supplier to one of the bureau's stores. When it
    is delivered its lines become receipts (purpose call_off) out of the supplier's reserve."""

    number = models.CharField(_("调运单号"), max_length=24, unique=True)
    supplier = models.ForeignKey(Store, verbose_name=_("供应商储备点"), on_delete=models.PROTECT,
                                 related_name="call_offs_out", limit_choices_to={"kind": StoreKind.SUPPLIER})
    destination = models.ForeignKey(Store, verbose_name=_("送达储备点"), on_delete=models.PROTECT,
                                    related_name="call_offs_in")
    agreement = models.ForeignKey(Agreement, verbose_name=_("依据协议"), on_delete=models.PROTECT, null=True,
                                  blank=True, related_name="call_offs")
    status = models.CharField(_("状态"), max_length=12, choices=CallOffStatus.choices,
                              default=CallOffStatus.ORDERED)
    ordered_at = models.DateTimeField(_("下单时间"), default=timezone.now)
    ordered_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("下单人"), on_delete=models.PROTECT,
                                   null=True, related_name="+")
    due_on = models.DateField(_("应到日期"))
    delivered_at = models.DateTimeField(_("到货时间"), null=True, blank=True)
    closed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("确认人"), on_delete=models.PROTECT,
                                  null=True, blank=True, related_name="+")
    note = models.TextField(_("备注"), blank=True)

    objects = CallOffQuerySet.as_manager()
    scope = store_rule("destination__")
    history = history()

    class Meta:
        verbose_name = _("供应商调运单")
        verbose_name_plural = _("供应商调运单")
        ordering = ["-ordered_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=~Q(supplier=F("destination")), name="calloff_two_different_stores"),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def is_overdue(self) -> bool:
        return self.status == CallOffStatus.ORDERED and self.due_on < timezone.localdate()

    @staticmethod
    def due_date(ordered_on, lead_time_days: int):
        return ordered_on + timedelta(days=lead_time_days)


class CallOffLine(models.Model):
    """One item of a call-off order: how many were ordered and how many arrived (and their batch)."""

    order = models.ForeignKey(CallOffOrder, verbose_name=_("调运单"), on_delete=models.CASCADE, related_name="lines")
    item = models.ForeignKey(Item, verbose_name=_("物资"), on_delete=models.PROTECT, related_name="+")
    quantity = models.PositiveIntegerField(_("调运数量"))
    delivered_quantity = models.PositiveIntegerField(_("到货数量"), null=True, blank=True)
    expiry = models.DateField(_("到期日（批次）"), null=True, blank=True)

    class Meta:
        verbose_name = _("调运物资")
        verbose_name_plural = _("调运物资")
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gt=0), name="calloffline_quantity_positive"),
            models.CheckConstraint(condition=Q(delivered_quantity__isnull=True)
                                   | Q(delivered_quantity__lte=F("quantity")),
                                   name="calloffline_delivered_within_ordered"),
            models.UniqueConstraint(fields=["order", "item"], name="one_line_per_calloff_item"),
        ]

    def __str__(self) -> str:
        return f"{self.item} {self.quantity}"


# --- warmth campaigns (防寒送温暖) -------------------------------------------------------------------

CAMPAIGN_MANAGERS = frozenset({"storekeeper", "dispatcher"})
CAMPAIGN_VIEWERS = STOCK_VIEWERS | FIELD_ISSUERS


def ancestor_codes(code: str) -> list[str]:
    """The codes of an area and every area above it: 350212101001 → its town, district, city, province."""
    return sorted({code[:keep].ljust(CODE_LENGTH, "0") for keep in (2, 4, 6, 9)} | {code})


class CampaignQuerySet(ScopedQuerySet):
    """A campaign is visible to a grant that overlaps its area either way: the district's campaign is
    seen by a town team (whose area lies inside it) and a town's campaign by the district. Managing it
    (items, roster, close) needs a grant whose area covers the whole campaign."""

    def visible_to(self, user: Any, action: str = "view") -> CampaignQuerySet:
        grants = grants_of(user)
        if any(grant.role == ADMIN_ROLE for grant in grants):
            return self.all()
        roles = CAMPAIGN_MANAGERS if action == "manage" else CAMPAIGN_VIEWERS
        combined: Q | None = None
        for grant in grants:
            if grant.role not in roles:
                continue
            if grant.area_code:
                opened = in_subtree("area", grant.area_code)
                if action != "manage":  # a town team follows the district's campaign but does not run it
                    opened |= Q(area__in=ancestor_codes(grant.area_code))
            elif grant.organisation_id:
                opened = Q(organisation=grant.organisation_id)
            else:
                continue
            combined = opened if combined is None else combined | opened
        return self.none() if combined is None else self.filter(combined)


class Campaign(models.Model):
    """A relief campaign (e.g. 2026 寒冬送温暖): who it reaches (categories × an area subtree, persons or
    households), what each target gets (CampaignItem), from which stores (CampaignTeam per town, else
    the campaign's own store). Generating the roster freezes the list (status draft → active)."""

    name = models.CharField(_("活动名称"), max_length=100, unique=True)
    organisation = models.ForeignKey("accounts.Organisation", verbose_name=_("组织单位"), on_delete=models.PROTECT,
                                     related_name="+")
    area = models.ForeignKey("geo.Area", verbose_name=_("覆盖区划"), on_delete=models.PROTECT, related_name="+")
    starts_on = models.DateField(_("开始日期"))
    ends_on = models.DateField(_("结束日期"))
    target = models.CharField(_("发放对象"), max_length=12, choices=CampaignTarget.choices,
                              default=CampaignTarget.PERSONS)
    categories = models.ManyToManyField("registry.Category", verbose_name=_("对象类别"), related_name="+")
    store = models.ForeignKey(Store, verbose_name=_("默认出库点"), on_delete=models.PROTECT, related_name="+",
                              help_text=_("没有指定发放队伍的镇从这里出库"))
    status = models.CharField(_("状态"), max_length=10, choices=CampaignStatus.choices, default=CampaignStatus.DRAFT)
    roster_on = models.DateField(_("名单基准日"), null=True, blank=True,
                                 help_text=_("按这一天的人员类别生成名单"))
    roster_frozen_at = models.DateTimeField(_("名单生成时间"), null=True, blank=True)
    roster_size = models.PositiveIntegerField(_("名单生成时人数"), null=True, blank=True)
    note = models.TextField(_("说明"), blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("创建人"), on_delete=models.PROTECT,
                                   related_name="+")
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now)
    closed_at = models.DateTimeField(_("结束时间"), null=True, blank=True)

    objects = CampaignQuerySet.as_manager()
    history = history()

    class Meta:
        verbose_name = _("送温暖活动")
        verbose_name_plural = _("送温暖活动")
        ordering = ["-starts_on", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(ends_on__gte=F("starts_on")), name="campaign_period_ordered"),
            # Active and closed campaigns have a frozen roster; a draft has none.
            models.CheckConstraint(name="campaign_roster_frozen_unless_draft", condition=(
                Q(status=CampaignStatus.DRAFT, roster_frozen_at__isnull=True)
                | (~Q(status=CampaignStatus.DRAFT) & Q(roster_frozen_at__isnull=False))
            )),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def roster_frozen(self) -> bool:
        return self.roster_frozen_at is not None


class CampaignItem(models.Model):
    """What each target of a campaign gets of one item."""

    campaign = models.ForeignKey(Campaign, verbose_name=_("活动"), on_delete=models.CASCADE, related_name="items")
    item = models.ForeignKey(Item, verbose_name=_("物资"), on_delete=models.PROTECT, related_name="+")
    quantity = models.PositiveIntegerField(_("每人（户）数量"))

    class Meta:
        verbose_name = _("活动物资")
        verbose_name_plural = _("活动物资")
        ordering = ["campaign", "item__name"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "item"], name="one_line_per_campaign_item"),
            models.CheckConstraint(condition=Q(quantity__gt=0), name="campaignitem_quantity_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.item} × {self.quantity}{self.item.unit}"


class CampaignTeam(models.Model):
    """The team responsible for one town in a campaign and the store its deliveries are issued from."""

    campaign = models.ForeignKey(Campaign, verbose_name=_("活动"), on_delete=models.CASCADE, related_name="teams")
    town = models.ForeignKey("geo.Area", verbose_name=_("镇（街、场）"), on_delete=models.PROTECT, related_name="+")
    store = models.ForeignKey(Store, verbose_name=_("出库点"), on_delete=models.PROTECT, related_name="+")
    organisation = models.ForeignKey("accounts.Organisation", verbose_name=_("负责单位"), on_delete=models.PROTECT,
                                     null=True, blank=True, related_name="+")
    leader = models.CharField(_("负责人"), max_length=50, blank=True)
    phone = models.CharField(_("联系电话"), max_length=20, blank=True)

    class Meta:
        verbose_name = _("发放队伍")
        verbose_name_plural = _("发放队伍")
        ordering = ["campaign", "town"]
        constraints = [models.UniqueConstraint(fields=["campaign", "town"], name="one_team_per_campaign_town")]

    def __str__(self) -> str:
        return f"{self.campaign} · {self.town.name}"


ROSTER_VIEW = (("view", CAMPAIGN_VIEWERS), ("deliver", FIELD_ISSUERS), ("manage", CAMPAIGN_MANAGERS))


class RosterEntry(models.Model):
    """One target of a campaign: a person (or, for a household campaign, the household through its
    head). Frozen when the roster is generated — area, town and address as they were that day — so
    coverage is counted against the list as it stood. Unique per campaign and person; each item a
    target receives is a DeliveryLine, unique per entry and item."""

    # Foreign keys whose lookups the composite indexes below serve (or that are only checked when an
    # area, category or user is deleted — which PROTECT refuses anyway) carry no index of their own:
    # a roster insert of 20,000 rows then keeps 6 indexes up to date instead of 14.
    campaign = models.ForeignKey(Campaign, verbose_name=_("活动"), on_delete=models.PROTECT, related_name="entries",
                                 db_index=False)
    person = models.ForeignKey("registry.Person", verbose_name=_("对象"), on_delete=models.PROTECT, related_name="+")
    household = models.ForeignKey("registry.Household", verbose_name=_("家庭"), on_delete=models.PROTECT, null=True,
                                  blank=True, related_name="+", db_index=False)
    category = models.ForeignKey("registry.Category", verbose_name=_("对象类别"), on_delete=models.PROTECT,
                                 related_name="+", db_index=False)
    area = models.ForeignKey("geo.Area", verbose_name=_("村（社区）"), on_delete=models.PROTECT, related_name="+",
                             db_index=False)
    town = models.ForeignKey("geo.Area", verbose_name=_("镇（街、场）"), on_delete=models.PROTECT, related_name="+",
                             db_index=False)
    address = models.CharField(_("住址"), max_length=200, blank=True)
    status = models.CharField(_("状态"), max_length=12, choices=EntryStatus.choices, default=EntryStatus.PENDING)
    status_at = models.DateTimeField(_("状态时间"), null=True, blank=True)
    status_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("登记人"), on_delete=models.PROTECT,
                                  null=True, blank=True, related_name="+", db_index=False)
    status_note = models.CharField(_("情况说明"), max_length=200, blank=True)
    added_reason = models.CharField(_("补充原因"), max_length=200, blank=True,
                                    help_text=_("名单生成后补充的对象须写明原因；生成时的对象为空"))
    created_at = models.DateTimeField(_("列入时间"), default=timezone.now)

    objects = ScopedManager()
    scope = ScopeRule(area="area", roles_by_action=ROSTER_VIEW)

    class Meta:
        verbose_name = _("发放名单")
        verbose_name_plural = _("发放名单")
        ordering = ["campaign", "area", "address", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "person"], name="one_roster_entry_per_campaign_person"),
        ]
        indexes = [
            # Coverage counts GROUP BY town (or village), category and status: read from these alone.
            models.Index(fields=["campaign", "town", "category", "status"], name="roster_coverage_by_town"),
            models.Index(fields=["campaign", "area", "category", "status"], name="roster_coverage_by_village"),
            models.Index(fields=["campaign", "area", "address"], name="roster_campaign_area_address"),
        ]

    def __str__(self) -> str:
        return f"{self.campaign} · {self.person.name}"

    @property
    def is_open(self) -> bool:
        return self.status in (EntryStatus.PENDING, EntryStatus.UNREACHABLE)


class Delivery(models.Model):
    """Goods handed to one roster entry, with the signature (or a photo of the signed sheet). One per
    entry; `idempotency_key` makes a phone's retry after a lost answer return this row, not issue twice."""

    entry = models.OneToOneField(RosterEntry, verbose_name=_("名单对象"), on_delete=models.PROTECT,
                                 related_name="delivery")
    idempotency_key = models.CharField(_("提交编号"), max_length=64, unique=True, null=True, blank=True)
    store = models.ForeignKey(Store, verbose_name=_("出库点"), on_delete=models.PROTECT, related_name="+")
    delivered_on = models.DateField(_("送达日期"))
    recipient_name = models.CharField(_("签收人"), max_length=60, blank=True,
                                      help_text=_("本人以外的家属代收时填写"))
    signature = models.FileField(_("签名"), upload_to="relief/signatures/%Y/%m/", blank=True)
    signed_sheet = models.FileField(_("签收单照片"), upload_to="relief/sheets/%Y/%m/", blank=True)
    photo = models.FileField(_("现场照片"), upload_to="relief/photos/%Y/%m/", blank=True)
    note = models.CharField(_("备注"), max_length=200, blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("发放人"), on_delete=models.PROTECT,
                              related_name="+")
    created_at = models.DateTimeField(_("登记时间"), default=timezone.now)

    objects = ScopedManager()
    scope = ScopeRule(area="entry__area", roles_by_action=ROSTER_VIEW)

    class Meta:
        verbose_name = _("送达记录")
        verbose_name_plural = _("送达记录")
        ordering = ["-created_at", "-pk"]
        constraints = [
            # Proof of receipt: a signature on the screen or a photo of the signed paper sheet.
            models.CheckConstraint(condition=~Q(signature="") | ~Q(signed_sheet=""), name="delivery_has_proof"),
        ]

    def __str__(self) -> str:
        return f"{self.entry} · {self.delivered_on:%Y-%m-%d}"


class DeliveryLine(models.Model):
    """One item handed over in a delivery, with the stock move that issued it (and, through its source,
    the assistance-ledger row). Unique per delivery and item — with one delivery per entry, that is
    once per campaign, target and item."""

    delivery = models.ForeignKey(Delivery, verbose_name=_("送达记录"), on_delete=models.PROTECT, related_name="lines")
    item = models.ForeignKey(Item, verbose_name=_("物资"), on_delete=models.PROTECT, related_name="+")
    quantity = models.PositiveIntegerField(_("数量"))
    move = models.ForeignKey(StockMove, verbose_name=_("出库记录"), on_delete=models.PROTECT, null=True, blank=True,
                             related_name="+")

    class Meta:
        verbose_name = _("送达物资")
        verbose_name_plural = _("送达物资")
        ordering = ["delivery", "item__name"]
        constraints = [
            models.UniqueConstraint(fields=["delivery", "item"], name="one_line_per_delivery_item"),
            models.CheckConstraint(condition=Q(quantity__gt=0), name="deliveryline_quantity_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.item} × {self.quantity}{self.item.unit}"


class CampaignEvent(DomainEvent):
    """What happened in a campaign: created, roster generated (with its size), a target added with its
    reason, an entry's status changed, closed."""

    campaign = models.ForeignKey(Campaign, verbose_name=_("活动"), on_delete=models.PROTECT, related_name="events")
    entry = models.ForeignKey(RosterEntry, verbose_name=_("名单对象"), on_delete=models.PROTECT, null=True,
                              blank=True, related_name="events")
    from_status = models.CharField(_("原状态"), max_length=12, blank=True)
    to_status = models.CharField(_("新状态"), max_length=12, blank=True)

    class Meta(DomainEvent.Meta):
        verbose_name = _("活动记录")
        verbose_name_plural = _("活动记录")
