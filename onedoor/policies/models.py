"""The policy catalogue (政策目录), the responsibility list (责任清单) that routes each policy to a
department and handler by area, and the effective-dated standards (保障标准) amounts are computed from.

The catalogue and the standards are public knowledge, not personal data: they carry no scope rule and
every signed-in user (and the public portal) may read them; only the admin and dispatcher edit them.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from onedoor.core.audit import history
from onedoor.core.scoping import subtree_bounds

from .choices import IncomeRule, PolicyKind, PolicySubject, ReviewFrequency, StandardKind


class Policy(models.Model):
    """One assistance policy a person can apply for at any window: who gives it, to whom, how fast."""

    code = models.SlugField(_("政策代码"), max_length=40, unique=True)
    name = models.CharField(_("政策名称"), max_length=100)
    department = models.ForeignKey(
        "accounts.Organisation", verbose_name=_("主管部门"), on_delete=models.PROTECT, related_name="policies",
        help_text=_("责任清单没有对应条目时，事项交给这个部门"),
    )
    kind = models.CharField(_("救助方式"), max_length=20, choices=PolicyKind.choices)
    subject = models.CharField(_("救助对象"), max_length=10, choices=PolicySubject.choices,
                               default=PolicySubject.PERSON)
    # Who may apply. Each rule left empty means "no condition"; the eligibility check explains each.
    eligible_categories = models.ManyToManyField(
        "registry.Category", verbose_name=_("适用人员类别"), blank=True, related_name="policies",
        help_text=_("属于其中任一类别即符合；不选表示不限类别"),
    )
    min_age = models.PositiveSmallIntegerField(_("最低年龄"), null=True, blank=True)
    max_age = models.PositiveSmallIntegerField(_("最高年龄"), null=True, blank=True,
                                               help_text=_("未满该年龄（周岁）"))
    requires_disability = models.BooleanField(_("须持残疾证"), default=False)
    requires_local_hukou = models.BooleanField(_("须本区户籍"), default=False)
    income_rule = models.CharField(_("收入条件"), max_length=10, choices=IncomeRule.choices, default=IncomeRule.NONE)
    income_ratio = models.DecimalField(_("收入倍数"), max_digits=4, decimal_places=2, default=Decimal("1.00"),
                                       validators=[MinValueValidator(Decimal("0.01"))],
                                       help_text=_("家庭人均收入须低于 低保标准 × 该倍数"))
    required_documents = models.JSONField(_("申请材料"), default=list, blank=True)
    time_limit_days = models.PositiveSmallIntegerField(_("办理时限（工作日）"), default=30)
    # Data, not UI text: a lazy translation here would store whichever language was active.
    time_limit_covers = models.CharField(_("时限涵盖环节"), max_length=100, default="受理至作出决定")
    notice_required = models.BooleanField(_("须公示"), default=False)
    notice_days = models.PositiveSmallIntegerField(_("公示天数"), default=7)
    act_first_allowed = models.BooleanField(_("可先行救助"), default=False,
                                            help_text=_("情况紧急时可先作决定、先救助，事后补齐调查和手续"))
    review_frequency = models.CharField(_("复核周期"), max_length=12, choices=ReviewFrequency.choices,
                                        default=ReviewFrequency.NONE)
    amount_rule = models.CharField(_("标准/金额"), max_length=200, blank=True)
    guide = models.TextField(_("办事指南"), blank=True)
    keywords = models.CharField(_("关键词"), max_length=200, blank=True)
    life_situations = models.JSONField(_("生活情形"), default=list, blank=True)
    is_active = models.BooleanField(_("在用"), default=True)
    order = models.PositiveSmallIntegerField(_("排序"), default=100)

    history = history()

    class Meta:
        verbose_name = _("政策")
        verbose_name_plural = _("政策目录")
        ordering = ["order", "code"]
        constraints = [
            models.CheckConstraint(condition=Q(time_limit_days__gt=0), name="policy_time_limit_positive"),
            models.CheckConstraint(condition=Q(income_ratio__gt=0), name="policy_income_ratio_positive"),
            models.CheckConstraint(
                condition=Q(min_age__isnull=True) | Q(max_age__isnull=True) | Q(min_age__lt=models.F("max_age")),
                name="policy_age_range_valid",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class ResponsibilityQuerySet(models.QuerySet):
    def in_force(self, on: date) -> ResponsibilityQuerySet:
        return self.filter(Q(valid_to__isnull=True) | Q(valid_to__gt=on), valid_from__lte=on)


class Responsibility(models.Model):
    """One line of the responsibility list: applications for `policy` from `area` (and below) go to
    `department`, to `handler` or else the least-loaded member of `pool`. The most specific area wins.
    Lines are effective-dated; a change applies to tasks created afterwards only."""

    policy = models.ForeignKey(Policy, verbose_name=_("政策"), on_delete=models.PROTECT,
                               related_name="responsibilities")
    area = models.ForeignKey("geo.Area", verbose_name=_("适用区域"), on_delete=models.PROTECT, related_name="+")
    department = models.ForeignKey("accounts.Organisation", verbose_name=_("承办部门"), on_delete=models.PROTECT,
                                   related_name="responsibilities")
    handler = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("责任人"), on_delete=models.PROTECT,
                                null=True, blank=True, related_name="+")
    pool = models.ManyToManyField(settings.AUTH_USER_MODEL, verbose_name=_("经办人轮派"), blank=True,
                                  related_name="+", help_text=_("未指定责任人时，派给其中在办事项最少的人"))
    valid_from = models.DateField(_("生效日期"))
    valid_to = models.DateField(_("失效日期"), null=True, blank=True, help_text=_("当天起不再适用"))
    note = models.CharField(_("备注"), max_length=200, blank=True)

    objects = ResponsibilityQuerySet.as_manager()
    history = history()

    class Meta:
        verbose_name = _("责任清单条目")
        verbose_name_plural = _("责任清单")
        ordering = ["policy", "area", "-valid_from"]
        indexes = [models.Index(fields=["policy", "valid_from"], name="responsibility_policy_from")]
        constraints = [
            models.CheckConstraint(condition=Q(valid_to__isnull=True) | Q(valid_to__gt=models.F("valid_from")),
                                   name="responsibility_period_valid"),
            models.UniqueConstraint(fields=["policy", "area", "valid_from"], name="one_responsibility_per_start"),
        ]

    def __str__(self) -> str:
        return f"{self.policy} · {self.area} → {self.department}"

    def covers(self, area_code: str) -> bool:
        low, high = subtree_bounds(self.area_id)
        return low <= area_code <= high


class StandardQuerySet(models.QuerySet):
    def in_force(self, kind: str, on: date, hukou_type: str = "") -> Standard | None:
        """The standard of `kind` for an urban/rural household in force on a day ('' = one for both)."""
        rows = self.filter(kind=kind, effective_from__lte=on, hukou_type__in=[hukou_type, ""])
        return rows.order_by("-effective_from", "-hukou_type").first()


class Standard(models.Model):
    """An amount the bureau sets (低保标准, 特困 basic and care tiers, 孤儿 allowance …), in force from a
    month until the next row of the same kind. Changing a standard is a new row; history is the table."""

    kind = models.CharField(_("标准类型"), max_length=24, choices=StandardKind.choices)
    hukou_type = models.CharField(_("城乡"), max_length=10, blank=True,
                                  choices=[("urban", _("城镇")), ("rural", _("农村"))],
                                  help_text=_("留空表示城乡统一"))
    amount = models.DecimalField(_("金额（元/人·月）或倍数"), max_digits=10, decimal_places=2)
    effective_from = models.DateField(_("执行月份"), help_text=_("从该月1日起执行"))
    basis = models.CharField(_("依据文件"), max_length=200, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("登记人"), on_delete=models.PROTECT,
                                   null=True, blank=True, related_name="+")

    objects = StandardQuerySet.as_manager()
    history = history()

    class Meta:
        verbose_name = _("保障标准")
        verbose_name_plural = _("保障标准")
        ordering = ["kind", "hukou_type", "-effective_from"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "hukou_type", "effective_from"], name="one_standard_per_month"),
            models.CheckConstraint(condition=Q(amount__gte=0), name="standard_amount_not_negative"),
            models.CheckConstraint(condition=Q(effective_from__day=1), name="standard_starts_on_first"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.amount}（{self.effective_from:%Y-%m} 起）"
