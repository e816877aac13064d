from django.db import models
from django.utils.translation import gettext_lazy as _


class PolicyKind(models.TextChoices):
    """What a decision under the policy gives: this decides which delivery side takes it over."""

    MONTHLY_CASH = "monthly_cash", _("按月发放")
    ONE_OFF_CASH = "one_off_cash", _("一次性救助金")
    IN_KIND = "in_kind", _("实物救助")
    SERVICE = "service", _("服务")
    LOAN = "loan", _("贷款/贴息")
    REFERRAL = "referral", _("转介/指引")


class PolicySubject(models.TextChoices):
    PERSON = "person", _("个人")
    HOUSEHOLD = "household", _("家庭")


class IncomeRule(models.TextChoices):
    """How the applicant's household income is compared with the 低保标准 (see Policy.income_ratio)."""

    NONE = "none", _("不限收入")
    BELOW_STANDARD = "below", _("家庭人均收入低于低保标准的倍数")


class ReviewFrequency(models.TextChoices):
    NONE = "none", _("不复核")
    QUARTERLY = "quarterly", _("每季度")
    HALF_YEARLY = "half_yearly", _("每半年")
    YEARLY = "yearly", _("每年")


class LifeSituation(models.TextChoices):
    """The situations the public guide is browsed by (生活情形)."""

    LIVING = "living", _("生活困难")
    ELDERLY = "elderly", _("老年人")
    CHILDREN = "children", _("儿童")
    DISABILITY = "disability", _("残疾")
    ILLNESS = "illness", _("疾病就医")
    HOUSING = "housing", _("住房")
    EMPLOYMENT = "employment", _("就业创业")
    EDUCATION = "education", _("上学")
    EMERGENCY = "emergency", _("突发困难")
    LEGAL = "legal", _("法律援助")
    OTHER = "other", _("其他")


class StandardKind(models.TextChoices):
    """Amounts the bureau sets and changes from a given month (DOMAIN.md)."""

    DIBAO = "dibao", _("最低生活保障标准")
    TEKUN_BASIC = "tekun_basic", _("特困人员基本生活标准")
    TEKUN_CARE_SELF = "tekun_care_self", _("特困照料护理标准（全自理）")
    TEKUN_CARE_PARTIAL = "tekun_care_partial", _("特困照料护理标准（半护理）")
    TEKUN_CARE_FULL = "tekun_care_full", _("特困照料护理标准（全护理）")
    ORPHAN = "orphan", _("孤儿基本生活费")
    UNSUPPORTED_CHILD = "unsupported_child", _("事实无人抚养儿童基本生活费")
    DIBAO_EDGE_RATIO = "dibao_edge_ratio", _("低保边缘倍数")
