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
