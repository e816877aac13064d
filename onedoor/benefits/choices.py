from django.db import models
from django.utils.translation import gettext_lazy as _


class AmountMethod(models.TextChoices):
    """How a monthly amount is computed (benefits/amounts.py has one function per method)."""

    DIBAO_GAP = "dibao_gap", _("低保补差：（低保标准 − 家庭人均收入）× 保障人数")
    TEKUN = "tekun", _("特困：基本生活标准 + 照料护理标准（按自理能力）")
    STANDARD = "standard", _("按标准发放（如孤儿基本生活费）")
    FIXED = "fixed", _("固定金额")
    DECIDED = "decided", _("按审批决定的金额")


class Rounding(models.TextChoices):
    YUAN = "yuan", _("取整到元")
    JIAO = "jiao", _("取整到角")
    FEN = "fen", _("保留到分")


class EnrollmentStatus(models.TextChoices):
    ACTIVE = "active", _("正常发放")
    SUSPENDED = "suspended", _("暂停发放")
    ENDING = "ending", _("渐退期")
    ENDED = "ended", _("已终止")


LIVE_STATUSES = frozenset({EnrollmentStatus.ACTIVE, EnrollmentStatus.SUSPENDED, EnrollmentStatus.ENDING})


class RunState(models.TextChoices):
    DRAFT = "draft", _("草稿")
    COMPUTED = "computed", _("已计算")
    APPROVED = "approved", _("已审核")
    EXPORTED = "exported", _("已导出银行文件")
    RECONCILED = "reconciled", _("已对账")
    CLOSED = "closed", _("已关闭")


class PaymentLine(models.TextChoices):
    REGULAR = "regular", _("当月待遇")
    ARREARS = "arrears", _("补发")
    RECOVERY = "recovery", _("追回")


class PaymentStatus(models.TextChoices):
    PENDING = "pending", _("待发放")
    EXPORTED = "exported", _("已报银行")
    PAID = "paid", _("已到账")
    FAILED = "failed", _("发放失败")


class ReviewKind(models.TextChoices):
    SCHEDULED = "scheduled", _("定期复核")
    AFTER_DEATH = "after_death", _("家庭成员死亡后复核")
    CHANGE = "change", _("家庭情况变化复核")


class ReviewOutcome(models.TextChoices):
    CONTINUE = "continue", _("维持原待遇")
    NEW_AMOUNT = "new_amount", _("调整金额")
    FADING = "fading", _("进入渐退期")
    END = "end", _("终止待遇")


class BankFileKind(models.TextChoices):
    EXPORT = "export", _("发放文件（报银行）")
    RETURN = "return", _("银行回盘文件")
