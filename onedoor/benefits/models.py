"""Benefits: how each policy's monthly amount is computed (BenefitRule), who receives it
(Enrollment, with its amounts over time), and the monthly payroll (PayrollRun → Payment).

Scope: an enrollment, a payment belong to the area of the person or household at enrollment;
finance and the dispatcher see their area subtree, a town clerk their town. Payroll runs are
district-wide records of the bureau: finance, leaders and the dispatcher see them.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from onedoor.core.audit import history
from onedoor.core.models import DomainEvent
from onedoor.core.money import money_field
from onedoor.core.scoping import ScopedManager, ScopedQuerySet, ScopeRule

from .choices import (
    LIVE_STATUSES,
    AmountMethod,
    BankFileKind,
    EnrollmentStatus,
    PaymentLine,
    PaymentStatus,
    ReviewKind,
    ReviewOutcome,
    Rounding,
    RunState,
)

BENEFIT_ROLES = frozenset({"finance", "dispatcher", "handler", "window_clerk", "leader"})
PAYROLL_ROLES = frozenset({"finance", "dispatcher", "leader"})


class BenefitRule(models.Model):
    """How the monthly amount of one monthly-cash policy is computed, as data the bureau edits."""

    policy = models.OneToOneField("policies.Policy", verbose_name=_("政策"), on_delete=models.PROTECT,
                                  related_name="benefit_rule")
    method = models.CharField(_("计算方法"), max_length=12, choices=AmountMethod.choices)
    standard_kind = models.CharField(_("依据标准"), max_length=24, blank=True,
                                     help_text=_("按标准发放时使用的标准类型"))
    fixed_amount = money_field(_("固定金额（元/月）"), null=True, blank=True)
    floor_per_person = money_field(_("每人最低发放额（元/月）"), default=Decimal("0.00"),
                                   help_text=_("补差结果低于该数时按该数发放"))
    rounding = models.CharField(_("取整"), max_length=4, choices=Rounding.choices, default=Rounding.YUAN)
    start_after_months = models.PositiveSmallIntegerField(_("起发月份"), default=1,
                                                          help_text=_("决定当月之后第几个月起发，1 = 次月"))
    fading_months = models.PositiveSmallIntegerField(_("渐退期（月）"), default=6)

    history = history()

    class Meta:
        verbose_name = _("待遇计算规则")
        verbose_name_plural = _("待遇计算规则")
        constraints = [
            models.CheckConstraint(condition=Q(floor_per_person__gte=0), name="rule_floor_not_negative"),
            models.CheckConstraint(condition=Q(fixed_amount__isnull=True) | Q(fixed_amount__gte=0),
                                   name="rule_fixed_not_negative"),
            models.CheckConstraint(condition=Q(fading_months__lte=6), name="rule_fading_at_most_six"),
        ]

    def __str__(self) -> str:
        return f"{self.policy} · {self.get_method_display()}"


class EnrollmentQuerySet(ScopedQuerySet):
    def live(self) -> EnrollmentQuerySet:
        return self.filter(status__in=LIVE_STATUSES)

    def payable_in(self, month: date) -> EnrollmentQuerySet:
        """Enrollments that pay for `month`: started, not past their last month, not suspended."""
        return self.filter(status__in=[EnrollmentStatus.ACTIVE, EnrollmentStatus.ENDING],
                           start_month__lte=month).filter(Q(last_month__isnull=True) | Q(last_month__gte=month))


class Enrollment(models.Model):
    """A person or household receiving a monthly benefit under one policy, from the decision that
    granted it. The amount over time is in EnrollmentAmount; every change is an EnrollmentEvent."""

    policy = models.ForeignKey("policies.Policy", verbose_name=_("政策"), on_delete=models.PROTECT,
                               related_name="enrollments")
    person = models.ForeignKey("registry.Person", verbose_name=_("保障对象"), on_delete=models.PROTECT,
                               related_name="enrollments", help_text=_("领取人（按户保障时为户主）"))
    household = models.ForeignKey("registry.Household", verbose_name=_("保障家庭"), on_delete=models.PROTECT,
                                  null=True, blank=True, related_name="enrollments")
    decision = models.OneToOneField("intake.Task", verbose_name=_("审批决定"), on_delete=models.PROTECT, null=True,
                                    blank=True, related_name="enrollment")
    area = models.ForeignKey("geo.Area", verbose_name=_("所属区划"), on_delete=models.PROTECT, related_name="+")
    monthly_amount = money_field(_("月发放金额（元）"))
    start_month = models.DateField(_("起发月份"))
    # Paid through this month (included); earlier than start_month when it ended before anything was due.
    last_month = models.DateField(_("末次发放月份"), null=True, blank=True)
    status = models.CharField(_("状态"), max_length=10, choices=EnrollmentStatus.choices,
                              default=EnrollmentStatus.ACTIVE)
    review_due = models.DateField(_("下次复核日期"), null=True, blank=True, db_index=True)
    created_at = models.DateTimeField(_("建档时间"), default=timezone.now)

    objects = EnrollmentQuerySet.as_manager()
    scope = ScopeRule(area="area", roles_by_action=(("view", BENEFIT_ROLES),
                                                    ("change", frozenset({"handler", "dispatcher"}))))
    history = history()

    class Meta:
        verbose_name = _("待遇享受")
        verbose_name_plural = _("待遇享受")
        ordering = ["-start_month", "pk"]
        indexes = [models.Index(fields=["status", "start_month"], name="enrollment_payable")]
        constraints = [
            models.UniqueConstraint(fields=["policy", "person"], condition=Q(status__in=LIVE_STATUSES),
                                    name="one_live_enrollment_per_person_policy"),
            models.CheckConstraint(condition=Q(monthly_amount__gte=0), name="enrollment_amount_not_negative"),
            models.CheckConstraint(condition=Q(start_month__day=1), name="enrollment_starts_on_first"),
            models.CheckConstraint(condition=Q(last_month__isnull=True) | Q(last_month__day=1),
                                   name="enrollment_last_month_on_first"),
        ]

    def __str__(self) -> str:
        return f"{self.policy} · {self.person}"


class EnrollmentAmount(models.Model):
    """The monthly amount of an enrollment from a month on, and how it was computed (its inputs)."""

    enrollment = models.ForeignKey(Enrollment, verbose_name=_("待遇"), on_delete=models.PROTECT,
                                   related_name="amounts")
    from_month = models.DateField(_("起始月份"))
    amount = money_field(_("月金额（元）"))
    basis = models.JSONField(_("计算依据"), default=dict)
    reason = models.CharField(_("原因"), max_length=200)
    created_at = models.DateTimeField(_("登记时间"), default=timezone.now)

    class Meta:
        verbose_name = _("待遇金额")
        verbose_name_plural = _("待遇金额")
        ordering = ["enrollment", "-from_month", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["enrollment", "from_month"], name="one_amount_per_enrollment_month"),
            models.CheckConstraint(condition=Q(amount__gte=0), name="enrollment_amount_row_not_negative"),
            models.CheckConstraint(condition=Q(from_month__day=1), name="amount_starts_on_first"),
        ]

    def __str__(self) -> str:
        return f"{self.enrollment} {self.from_month:%Y-%m} {self.amount}"


class EnrollmentEvent(DomainEvent):
    """One thing that happened to an enrollment: created, amount changed, suspended, fading, ended."""

    enrollment = models.ForeignKey(Enrollment, verbose_name=_("待遇"), on_delete=models.PROTECT,
                                   related_name="events")

    class Meta(DomainEvent.Meta):
        verbose_name = _("待遇变动")
        verbose_name_plural = _("待遇变动")


class PayrollRun(models.Model):
    """The payments of one month (for all monthly policies, or one): draft → computed → approved by a
    second person → exported to the bank → reconciled from its return file → closed."""

    month = models.DateField(_("发放月份"))
    policy = models.ForeignKey("policies.Policy", verbose_name=_("政策"), on_delete=models.PROTECT, null=True,
                               blank=True, related_name="payroll_runs", help_text=_("留空表示全部按月发放的政策"))
    # The area the run pays for (the district for the bureau's runs); scope follows it.
    area = models.ForeignKey("geo.Area", verbose_name=_("发放区域"), on_delete=models.PROTECT, related_name="+")
    state = models.CharField(_("状态"), max_length=12, choices=RunState.choices, default=RunState.DRAFT)
    prepared_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("编制人"), on_delete=models.PROTECT,
                                    related_name="+")
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("审核人"), on_delete=models.PROTECT,
                                    null=True, blank=True, related_name="+")
    payment_count = models.PositiveIntegerField(_("笔数"), default=0)
    total_amount = money_field(_("合计（元）"), default=Decimal("0.00"))
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now)
    computed_at = models.DateTimeField(_("计算时间"), null=True, blank=True)
    approved_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    exported_at = models.DateTimeField(_("导出时间"), null=True, blank=True)
    reconciled_at = models.DateTimeField(_("对账时间"), null=True, blank=True)

    objects = ScopedManager()
    scope = ScopeRule(area="area", roles_by_action=(("view", PAYROLL_ROLES),))
    history = history()

    class Meta:
        verbose_name = _("发放批次")
        verbose_name_plural = _("发放批次")
        ordering = ["-month", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(month__day=1), name="run_month_on_first"),
            models.CheckConstraint(condition=Q(approved_by__isnull=True) | ~Q(approved_by=F("prepared_by")),
                                   name="run_four_eyes"),
            models.UniqueConstraint(fields=["month", "policy"], name="one_run_per_month_policy",
                                    condition=Q(policy__isnull=False)),
            models.UniqueConstraint(fields=["month"], name="one_all_policy_run_per_month",
                                    condition=Q(policy__isnull=True)),
        ]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} {self.policy or _('全部政策')}"


class Payment(models.Model):
    """One line of a payroll run: what one enrollment is paid for one month (or a correction of an
    earlier month), with a snapshot of what it was computed from and a signature over its key fields."""

    run = models.ForeignKey(PayrollRun, verbose_name=_("发放批次"), on_delete=models.PROTECT, related_name="payments")
    enrollment = models.ForeignKey(Enrollment, verbose_name=_("待遇"), on_delete=models.PROTECT,
                                   related_name="payments")
    area = models.ForeignKey("geo.Area", verbose_name=_("所属区划"), on_delete=models.PROTECT, related_name="+")
    month = models.DateField(_("所属月份"))
    line = models.CharField(_("类型"), max_length=10, choices=PaymentLine.choices, default=PaymentLine.REGULAR)
    amount = money_field(_("金额（元）"), help_text=_("追回为负数"))
    payee_name = models.CharField(_("收款人"), max_length=60)
    bank_name = models.CharField(_("开户银行"), max_length=60, blank=True)
    bank_account = models.CharField(_("银行账号"), max_length=40, blank=True)
    basis = models.JSONField(_("计算依据"), default=dict)
    signature = models.CharField(_("签名"), max_length=64)
    status = models.CharField(_("状态"), max_length=10, choices=PaymentStatus.choices,
                              default=PaymentStatus.PENDING)
    failure_reason = models.CharField(_("失败原因"), max_length=200, blank=True)
    paid_on = models.DateField(_("到账日期"), null=True, blank=True)
    reissue_of = models.OneToOneField("self", verbose_name=_("重发自"), on_delete=models.PROTECT, null=True,
                                      blank=True, related_name="reissued_as")
    created_at = models.DateTimeField(_("生成时间"), default=timezone.now)

    objects = ScopedManager()
    scope = ScopeRule(area="area", roles_by_action=(("view", BENEFIT_ROLES),))

    class Meta:
        verbose_name = _("发放明细")
        verbose_name_plural = _("发放明细")
        ordering = ["run", "pk"]
        indexes = [models.Index(fields=["enrollment", "month"], name="payment_enrollment_month")]
        constraints = [
            # Computing twice, or again after a crash half-way, can never pay a month twice.
            models.UniqueConstraint(fields=["enrollment", "month"], name="one_regular_payment_per_month",
                                    condition=Q(line=PaymentLine.REGULAR) & ~Q(status=PaymentStatus.FAILED)),
            models.UniqueConstraint(fields=["run", "enrollment", "month", "line"], name="one_line_per_run"),
            models.CheckConstraint(condition=Q(line=PaymentLine.RECOVERY) | Q(amount__gte=0),
                                   name="payment_amount_not_negative"),
            models.CheckConstraint(condition=Q(month__day=1), name="payment_month_on_first"),
        ]

    def __str__(self) -> str:
        return f"{self.payee_name} {self.month:%Y-%m} {self.amount}"


class Review(models.Model):
    """A review (复核) of an enrollment: due by the policy's frequency, or within 3 months after a
    member's death; its outcome keeps, changes or ends the benefit (through benefits.actions)."""

    enrollment = models.ForeignKey(Enrollment, verbose_name=_("待遇"), on_delete=models.PROTECT,
                                   related_name="reviews")
    kind = models.CharField(_("复核类型"), max_length=12, choices=ReviewKind.choices)
    due_on = models.DateField(_("应复核日期"))
    reviewed_on = models.DateField(_("复核日期"), null=True, blank=True)
    outcome = models.CharField(_("复核结论"), max_length=12, choices=ReviewOutcome.choices, blank=True)
    note = models.TextField(_("复核情况"), blank=True)
    reviewer = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("复核人"), on_delete=models.PROTECT,
                                 null=True, blank=True, related_name="+")

    objects = ScopedManager()
    scope = ScopeRule(area="enrollment__area", roles_by_action=(("view", BENEFIT_ROLES),))
    history = history()

    class Meta:
        verbose_name = _("复核")
        verbose_name_plural = _("复核")
        ordering = ["due_on", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["enrollment", "kind", "due_on"], name="one_review_per_due_date"),
            models.CheckConstraint(condition=Q(reviewed_on__isnull=True) | ~Q(outcome=""),
                                   name="review_done_has_outcome"),
        ]

    def __str__(self) -> str:
        return f"{self.enrollment} {self.get_kind_display()} {self.due_on}"


class BankFile(models.Model):
    """A file exchanged with the bank for a payroll run: the export we sent, or a return file it sent back,
    with its row count and totals as read, so a reconciliation can always be shown again."""

    run = models.ForeignKey(PayrollRun, verbose_name=_("发放批次"), on_delete=models.PROTECT, related_name="bank_files")
    kind = models.CharField(_("类型"), max_length=8, choices=BankFileKind.choices)
    file = models.FileField(_("文件"), upload_to="bank/%Y/%m/")
    original_name = models.CharField(_("原文件名"), max_length=200, blank=True)
    rows = models.PositiveIntegerField(_("笔数"), default=0)
    total_amount = money_field(_("金额合计（元）"), default=Decimal("0.00"))
    summary = models.JSONField(_("处理结果"), default=dict, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("操作人"), on_delete=models.PROTECT,
                                   related_name="+")
    created_at = models.DateTimeField(_("时间"), default=timezone.now)

    class Meta:
        verbose_name = _("银行文件")
        verbose_name_plural = _("银行文件")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.run} {self.get_kind_display()}"
