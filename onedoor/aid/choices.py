from django.db import models
from django.utils.translation import gettext_lazy as _


class MovementKind(models.TextChoices):
    TOP_UP = "top_up", _("拨入")
    DISBURSEMENT = "disbursement", _("支出")
    RETURN = "return", _("退回")


class AidPaymentStatus(models.TextChoices):
    PENDING = "pending", _("待发放")
    DISBURSED = "disbursed", _("已发放")
    RETURNED = "returned", _("已退回")


class LoanStatus(models.TextChoices):
    PENDING = "pending", _("待登记合同")
    ACTIVE = "active", _("正常")
    OVERDUE = "overdue", _("逾期")
    SETTLED = "settled", _("已结清")


class SubsidyStatus(models.TextChoices):
    PENDING = "pending", _("待支付")
    PAID = "paid", _("已支付")
