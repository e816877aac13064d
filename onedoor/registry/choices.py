from django.db import models
from django.utils.translation import gettext_lazy as _


class Sex(models.TextChoices):
    MALE = "M", _("男")
    FEMALE = "F", _("女")


class HukouType(models.TextChoices):
    URBAN = "urban", _("城镇")
    RURAL = "rural", _("农村")


class MaritalStatus(models.TextChoices):
    UNMARRIED = "unmarried", _("未婚")
    MARRIED = "married", _("已婚")
    DIVORCED = "divorced", _("离异")
    WIDOWED = "widowed", _("丧偶")


class Health(models.TextChoices):
    HEALTHY = "healthy", _("健康")
    CHRONIC = "chronic", _("慢性病")
    SERIOUS = "serious", _("重病")
    DISABLED = "disabled", _("残疾")


class DisabilityKind(models.TextChoices):
    VISUAL = "visual", _("视力")
    HEARING = "hearing", _("听力")
    SPEECH = "speech", _("言语")
    PHYSICAL = "physical", _("肢体")
    INTELLECTUAL = "intellectual", _("智力")
    MENTAL = "mental", _("精神")
    MULTIPLE = "multiple", _("多重")


class DisabilityGrade(models.IntegerChoices):
    ONE = 1, _("一级")
    TWO = 2, _("二级")
    THREE = 3, _("三级")
    FOUR = 4, _("四级")


class WorkCapacity(models.TextChoices):
    FULL = "full", _("有劳动能力")
    PARTIAL = "partial", _("部分丧失劳动能力")
    NONE = "none", _("无劳动能力")


class SelfCare(models.TextChoices):
    """Self-care level from the six daily activities (DOMAIN.md): unable in none / 1–3 / 4+."""

    FULL_SELF = "self", _("全自理")
    PARTIAL = "partial", _("半护理")
    FULL_CARE = "full_care", _("全护理")


# The six activities of the assessment, in the order of the national form.
SELF_CARE_ITEMS = (
    ("eating", _("进食")),
    ("dressing", _("穿衣")),
    ("transfer", _("上下床")),
    ("toilet", _("如厕")),
    ("walking", _("室内行走")),
    ("bathing", _("洗澡")),
)


class Relation(models.TextChoices):
    HEAD = "head", _("户主")
    SPOUSE = "spouse", _("配偶")
    CHILD = "child", _("子女")
    PARENT = "parent", _("父母")
    GRANDCHILD = "grandchild", _("孙子女")
    GRANDPARENT = "grandparent", _("祖父母")
    SIBLING = "sibling", _("兄弟姐妹")
    CHILD_IN_LAW = "child_in_law", _("儿媳/女婿")
    OTHER = "other", _("其他")


class CategorySubject(models.TextChoices):
    PERSON = "person", _("个人")
    HOUSEHOLD = "household", _("家庭")


class CategorySource(models.TextChoices):
    DECISION = "decision", _("审批决定")
    IMPORT = "import", _("批量导入")
    MANUAL = "manual", _("手工登记")
