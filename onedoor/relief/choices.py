from django.db import models
from django.utils.translation import gettext_lazy as _


class StoreKind(models.TextChoices):
    WAREHOUSE = "warehouse", _("区救灾物资仓库")
    TOWN = "town", _("镇（街、场）物资点")
    SUPPLIER = "supplier", _("协议供应商储备")


class MoveKind(models.TextChoices):
    RECEIPT = "receipt", _("入库")
    TRANSFER = "transfer", _("调拨")
    ISSUE = "issue", _("发放")
    ADJUSTMENT = "adjustment", _("盘点调整")
    RETURN = "return", _("退回入库")


class Purpose(models.TextChoices):
    """Why goods moved; each kind of move allows the purposes listed in PURPOSES_BY_KIND."""

    PURCHASE = "purchase", _("采购")
    DONATION = "donation", _("捐赠")
    CALL_OFF = "call_off", _("供应商调运")
    REPLENISH = "replenish", _("调拨补库")
    CAMPAIGN = "campaign", _("送温暖活动")
    PATROL = "patrol", _("巡查救助")
    ONE_OFF_AID = "one_off_aid", _("临时救助")
    STOCK_COUNT = "stock_count", _("盘点")
    RETURNED = "returned", _("未发放退回")


PURPOSES_BY_KIND = {
    MoveKind.RECEIPT: (Purpose.PURCHASE, Purpose.DONATION, Purpose.CALL_OFF),
    MoveKind.TRANSFER: (Purpose.REPLENISH,),
    MoveKind.ISSUE: (Purpose.CAMPAIGN, Purpose.PATROL, Purpose.ONE_OFF_AID),
    MoveKind.ADJUSTMENT: (Purpose.STOCK_COUNT,),
    MoveKind.RETURN: (Purpose.RETURNED,),
}


class CallOffStatus(models.TextChoices):
    ORDERED = "ordered", _("已下单")
    DELIVERED = "delivered", _("已到货")
    CANCELLED = "cancelled", _("已取消")


# The only moves of a call-off order (one place lists them; anything else is IllegalTransition).
CALL_OFF_TRANSITIONS = {
    CallOffStatus.ORDERED: (CallOffStatus.DELIVERED, CallOffStatus.CANCELLED),
    CallOffStatus.DELIVERED: (),
    CallOffStatus.CANCELLED: (),
}


class CampaignTarget(models.TextChoices):
    PERSONS = "persons", _("按人")
    HOUSEHOLDS = "households", _("按户")


class CampaignStatus(models.TextChoices):
    DRAFT = "draft", _("筹备中")
    ACTIVE = "active", _("发放中")
    CLOSED = "closed", _("已结束")


class EntryStatus(models.TextChoices):
    PENDING = "pending", _("待发放")
    DELIVERED = "delivered", _("已送达")
    REFUSED = "refused", _("拒收")
    UNREACHABLE = "unreachable", _("联系不上")
    DECEASED = "deceased", _("已故")
    MOVED = "moved", _("已迁出")


# The only moves of a roster entry. Delivered and deceased are final; a refusal or an unanswered door
# can be tried again; someone who moved away may be found again (back to pending).
ENTRY_TRANSITIONS = {
    EntryStatus.PENDING: (EntryStatus.DELIVERED, EntryStatus.REFUSED, EntryStatus.UNREACHABLE,
                          EntryStatus.DECEASED, EntryStatus.MOVED),
    EntryStatus.UNREACHABLE: (EntryStatus.DELIVERED, EntryStatus.REFUSED, EntryStatus.DECEASED,
                              EntryStatus.MOVED, EntryStatus.PENDING),
    EntryStatus.REFUSED: (EntryStatus.DELIVERED, EntryStatus.PENDING),
    EntryStatus.MOVED: (EntryStatus.PENDING,),
    EntryStatus.DELIVERED: (),
    EntryStatus.DECEASED: (),
}

# Entries still to be reached: what "remaining" counts on the coverage page.
OPEN_ENTRY_STATUSES = (EntryStatus.PENDING, EntryStatus.UNREACHABLE)
