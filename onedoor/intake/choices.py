from django.db import models
from django.utils.translation import gettext_lazy as _


class Channel(models.TextChoices):
    WINDOW = "window", _("窗口受理")
    ONLINE = "online", _("网上申请")
    HOTLINE = "hotline", _("热线电话")
    REFERRAL = "referral", _("转介")
    PROACTIVE = "proactive", _("主动发现")


class TaskState(models.TextChoices):
    RECEIVED = "received", _("已接收")
    ACCEPTED = "accepted", _("已受理")
    INVESTIGATING = "investigating", _("调查核实中")
    RETURNED = "returned", _("待补正材料")
    PROPOSED = "proposed", _("已提出初审意见")
    NOTICE = "notice", _("公示中")
    OBJECTED = "objected", _("公示有异议")
    APPROVED = "approved", _("已批准")
    REFUSED = "refused", _("不予批准")
    CLOSED = "closed", _("已办结")
    WITHDRAWN = "withdrawn", _("已撤回")


OPEN_STATES = frozenset({
    TaskState.RECEIVED, TaskState.ACCEPTED, TaskState.INVESTIGATING, TaskState.RETURNED,
    TaskState.PROPOSED, TaskState.NOTICE, TaskState.OBJECTED,
})
DECIDED_STATES = frozenset({TaskState.APPROVED, TaskState.REFUSED})
FINISHED_STATES = frozenset({TaskState.CLOSED, TaskState.WITHDRAWN})


class TaskAction(models.TextChoices):
    """What a person can do to a task; intake/transitions.py says from which states."""

    ACCEPT = "accept", _("受理")
    INVESTIGATE = "investigate", _("开始调查")
    RETURN = "return", _("退回补正")
    RESUBMIT = "resubmit", _("补正后重新提交")
    PROPOSE = "propose", _("提出初审意见")
    PUBLISH_NOTICE = "publish_notice", _("发布公示")
    OBJECT = "object", _("登记异议")
    REINVESTIGATE = "reinvestigate", _("重新调查")
    DISMISS_OBJECTION = "dismiss_objection", _("异议不成立")
    APPROVE = "approve", _("批准")
    REFUSE = "refuse", _("不予批准")
    COMPLETE = "complete", _("补齐先行救助手续")
    CLOSE = "close", _("办结")
    TRANSFER = "transfer", _("转办")
    WITHDRAW = "withdraw", _("申请人撤回")


class NoticeState(models.TextChoices):
    RUNNING = "running", _("公示中")
    ENDED = "ended", _("公示期满")
    WITHDRAWN = "withdrawn", _("已撤下")


class ObjectionOutcome(models.TextChoices):
    PENDING = "pending", _("待处理")
    REINVESTIGATE = "reinvestigate", _("重新调查")
    DISMISSED = "dismissed", _("异议不成立")
