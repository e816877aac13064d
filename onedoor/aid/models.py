"""One-off aid (临时救助) paid from reserve funds (备用金), and interest-subsidised small loans (小额贴息贷款).

Scope: a town's fund, a payment, a loan belong to their area (the town, or the district for the district's
fund); finance, the dispatcher and leaders see the district, a town clerk their town. Money leaves a fund
only through `aid.actions.disburse_payment`, which decrements the balance with one conditional UPDATE, so
the balance can never go below zero (and the database CHECK says so too).
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from onedoor.core.audit import history
from onedoor.core.money import money_field
from onedoor.core.scoping import ScopedQuerySet, ScopeRule

from .choices import AidPaymentStatus, LoanStatus, MovementKind, SubsidyStatus

AID_ROLES = frozenset({"finance", "dispatcher", "handler", "window_clerk", "leader"})
FINANCE_ROLES = frozenset({"finance"})
DISBURSE_ROLES = frozenset({"finance", "window_clerk"})


class ReserveFund(models.Model):
    """The reserve fund (备用金) of one town, or of the district: its balance now and its limit per payment."""

    name = models.CharField(_("名称"), max_length=100)
    organisation = models.ForeignKey("accounts.Organisation", verbose_name=_("管理机构"), on_delete=models.PROTECT,
                                      related_name="reserve_funds")
    area = models.OneToOneField("geo.Area", verbose_name=_("区划"), on_delete=models.PROTECT, related_name="+",
                                help_text=_("镇（街、场）或全区"))
    balance = money_field(_("余额（元）"), default=Decimal("0.00"))
    town_limit = money_field(_("单笔限额（元）"), null=True, blank=True,
                             help_text=_("本备用金单笔可发放的最高金额；超过的由区级备用金发放。空 = 不限"))
    is_active = models.BooleanField(_("在用"), default=True)

    objects = ScopedQuerySet.as_manager()
    scope = ScopeRule(area="area", roles_by_action=(("view", AID_ROLES), ("top_up", FINANCE_ROLES),
                                                    ("disburse", DISBURSE_ROLES)))
    history = history()

    class Meta:
        verbose_name = _("备用金")
        verbose_name_plural = _("备用金")
        ordering = ["area_id"]
        constraints = [
            models.CheckConstraint(condition=Q(balance__gte=0), name="reserve_fund_balance_not_negative"),
            models.CheckConstraint(condition=Q(town_limit__isnull=True) | Q(town_limit__gte=0),
                                   name="reserve_fund_limit_not_negative"),
        ]

    def __str__(self) -> str:
        return self.name


class FundMovement(models.Model):
    """One movement of a reserve fund: a top-up, a disbursement of one payment, or money returned; with the
    balance right after it (the fund's own ledger)."""

    fund = models.ForeignKey(ReserveFund, verbose_name=_("备用金"), on_delete=models.PROTECT, related_name="movements")
    kind = models.CharField(_("类型"), max_length=12, choices=MovementKind.choices)
    amount = money_field(_("金额（元）"))
    balance_after = money_field(_("变动后余额（元）"))
    payment = models.ForeignKey("AidPayment", verbose_name=_("救助发放"), on_delete=models.PROTECT, null=True,
                                blank=True, related_name="movements")
    reason = models.CharField(_("事由"), max_length=200, blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("经办人"), on_delete=models.PROTECT,
                              null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(_("时间"), default=timezone.now)

    objects = ScopedQuerySet.as_manager()
    scope = ScopeRule(area="fund__area", roles_by_action=(("view", AID_ROLES),))

    class Meta:
        verbose_name = _("备用金收支")
        verbose_name_plural = _("备用金收支")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="fund_movement_amount_positive"),
            models.CheckConstraint(condition=Q(balance_after__gte=0), name="fund_movement_balance_not_negative"),
            models.UniqueConstraint(fields=["payment", "kind"], condition=Q(payment__isnull=False),
                                    name="fund_movement_once_per_payment_kind"),
        ]

    def __str__(self) -> str:
        return f"{self.fund} · {self.get_kind_display()} {self.amount}"


class AidPayment(models.Model):
    """One one-off aid payment (临时救助) decided by an approved task, paid from a reserve fund."""

    task = models.OneToOneField("intake.Task", verbose_name=_("审批事项"), on_delete=models.PROTECT,
                                related_name="aid_payment")
    person = models.ForeignKey("registry.Person", verbose_name=_("受助人"), on_delete=models.PROTECT,
                               related_name="aid_payments")
    household = models.ForeignKey("registry.Household", verbose_name=_("家庭"), on_delete=models.PROTECT, null=True,
                                  blank=True, related_name="aid_payments")
    area = models.ForeignKey("geo.Area", verbose_name=_("所属区划"), on_delete=models.PROTECT, related_name="+")
    policy = models.ForeignKey("policies.Policy", verbose_name=_("政策"), on_delete=models.PROTECT,
                               related_name="aid_payments")
    department = models.ForeignKey("accounts.Organisation", verbose_name=_("决定部门"), on_delete=models.PROTECT,
                                   related_name="aid_payments")
    amount = money_field(_("金额（元）"))
    act_first = models.BooleanField(_("先行救助（急难型）"), default=False)
    status = models.CharField(_("状态"), max_length=10, choices=AidPaymentStatus.choices,
                              default=AidPaymentStatus.PENDING)
    fund = models.ForeignKey(ReserveFund, verbose_name=_("支出备用金"), on_delete=models.PROTECT, null=True, blank=True,
                             related_name="payments")
    disbursed_on = models.DateField(_("发放日期"), null=True, blank=True)
    disbursed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("发放人"), on_delete=models.PROTECT,
                                     null=True, blank=True, related_name="+")
    note = models.CharField(_("说明"), max_length=200, blank=True,
                            help_text=_("未能当即发放的原因，或退回的原因"))
    created_at = models.DateTimeField(_("登记时间"), default=timezone.now)

    objects = ScopedQuerySet.as_manager()
    scope = ScopeRule(area="area", roles_by_action=(("view", AID_ROLES), ("disburse", DISBURSE_ROLES),
                                                    ("return", FINANCE_ROLES)))
    history = history()

    class Meta:
        verbose_name = _("临时救助发放")
        verbose_name_plural = _("临时救助发放")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["status", "area"], name="aid_payment_queue")]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="aid_payment_amount_positive"),
            models.CheckConstraint(
                condition=Q(status=AidPaymentStatus.PENDING) | (Q(fund__isnull=False) & Q(disbursed_on__isnull=False)),
                name="aid_payment_disbursed_has_fund"),
        ]

    def __str__(self) -> str:
        return f"{self.person} · {self.policy} · {self.amount}"

    @property
    def completion_pending(self) -> bool:
        """先行救助 whose investigation and signatures are still to be completed (read from the task)."""
        return self.task.completion_pending


class Loan(models.Model):
    """One interest-subsidised small loan (小额贴息贷款) of one borrower at one bank.

    Schedule: 等额本金 (equal principal) monthly instalments, interest on the outstanding principal
    (see aid.loans). A loan decided through intake starts `pending` until finance records the bank's
    contract terms; finance may also register a loan directly with its terms."""

    borrower = models.ForeignKey("registry.Person", verbose_name=_("借款人"), on_delete=models.PROTECT,
                                 related_name="loans")
    household = models.ForeignKey("registry.Household", verbose_name=_("家庭"), on_delete=models.PROTECT, null=True,
                                  blank=True, related_name="loans")
    area = models.ForeignKey("geo.Area", verbose_name=_("所属区划"), on_delete=models.PROTECT, related_name="+")
    task = models.OneToOneField("intake.Task", verbose_name=_("审批事项"), on_delete=models.PROTECT, null=True,
                                blank=True, related_name="loan")
    policy = models.ForeignKey("policies.Policy", verbose_name=_("政策"), on_delete=models.PROTECT, null=True,
                               blank=True, related_name="loans")
    department = models.ForeignKey("accounts.Organisation", verbose_name=_("贴息部门"), on_delete=models.PROTECT,
                                   related_name="subsidised_loans")
    bank = models.ForeignKey("accounts.Organisation", verbose_name=_("贷款银行"), on_delete=models.PROTECT, null=True,
                             blank=True, related_name="loans", limit_choices_to={"kind": "bank"})
    contract_no = models.CharField(_("借款合同号"), max_length=60, blank=True)
    principal = money_field(_("贷款本金（元）"))
    annual_rate = models.DecimalField(_("年利率（%）"), max_digits=6, decimal_places=3, null=True, blank=True)
    term_months = models.PositiveSmallIntegerField(_("期限（月）"), null=True, blank=True)
    subsidy_share = models.DecimalField(_("贴息比例（%）"), max_digits=5, decimal_places=2,
                                        default=Decimal("100.00"))
    start_date = models.DateField(_("放款日期"), null=True, blank=True)
    status = models.CharField(_("状态"), max_length=10, choices=LoanStatus.choices, default=LoanStatus.PENDING)
    settled_on = models.DateField(_("结清日期"), null=True, blank=True)
    created_at = models.DateTimeField(_("登记时间"), default=timezone.now)

    objects = ScopedQuerySet.as_manager()
    scope = ScopeRule(area="area", roles_by_action=(("view", AID_ROLES), ("change", FINANCE_ROLES)))
    history = history()

    class Meta:
        verbose_name = _("贴息贷款")
        verbose_name_plural = _("贴息贷款")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(principal__gt=0), name="loan_principal_positive"),
            models.CheckConstraint(condition=Q(subsidy_share__gte=0) & Q(subsidy_share__lte=100),
                                   name="loan_share_is_a_percentage"),
            models.CheckConstraint(condition=Q(annual_rate__isnull=True) | Q(annual_rate__gte=0),
                                   name="loan_rate_not_negative"),
            models.CheckConstraint(
                condition=Q(status=LoanStatus.PENDING) | (
                    Q(bank__isnull=False) & Q(annual_rate__isnull=False) & Q(term_months__gt=0)
                    & Q(start_date__isnull=False)),
                name="loan_registered_has_terms"),
        ]

    def __str__(self) -> str:
        return f"{self.borrower} · {self.principal}"


class LoanInstallment(models.Model):
    """One scheduled repayment of a loan: principal and interest due on a date, and when it was paid."""

    loan = models.ForeignKey(Loan, verbose_name=_("贷款"), on_delete=models.PROTECT, related_name="installments")
    number = models.PositiveSmallIntegerField(_("期数"))
    due_date = models.DateField(_("应还日期"))
    principal_due = money_field(_("应还本金（元）"))
    interest_due = money_field(_("应还利息（元）"))
    outstanding_before = money_field(_("期初本金余额（元）"))
    paid_on = models.DateField(_("还款日期"), null=True, blank=True)
    paid_amount = money_field(_("实还金额（元）"), null=True, blank=True)

    objects = ScopedQuerySet.as_manager()
    scope = ScopeRule(area="loan__area", roles_by_action=(("view", AID_ROLES),))

    class Meta:
        verbose_name = _("还款计划")
        verbose_name_plural = _("还款计划")
        ordering = ["loan", "number"]
        indexes = [models.Index(fields=["due_date"], name="loan_installment_due",
                                condition=Q(paid_on__isnull=True))]
        constraints = [
            models.UniqueConstraint(fields=["loan", "number"], name="loan_installment_once"),
            models.CheckConstraint(condition=Q(principal_due__gte=0) & Q(interest_due__gte=0),
                                   name="loan_installment_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.loan} · 第{self.number}期"

    @property
    def total_due(self) -> Decimal:
        return self.principal_due + self.interest_due


class LoanSubsidy(models.Model):
    """The interest subsidy (贴息) of one loan for one calendar quarter: the interest of the instalments due
    in the quarter × the subsidy share. Paying it writes the assistance ledger (kind loan_subsidy)."""

    loan = models.ForeignKey(Loan, verbose_name=_("贷款"), on_delete=models.PROTECT, related_name="subsidies")
    quarter = models.DateField(_("季度"), help_text=_("季度第一天"))
    interest = money_field(_("当季利息（元）"))
    share = models.DecimalField(_("贴息比例（%）"), max_digits=5, decimal_places=2)
    amount = money_field(_("贴息金额（元）"))
    status = models.CharField(_("状态"), max_length=8, choices=SubsidyStatus.choices, default=SubsidyStatus.PENDING)
    paid_on = models.DateField(_("支付日期"), null=True, blank=True)
    paid_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("支付人"), on_delete=models.PROTECT,
                                null=True, blank=True, related_name="+")

    objects = ScopedQuerySet.as_manager()
    scope = ScopeRule(area="loan__area", roles_by_action=(("view", AID_ROLES), ("pay", FINANCE_ROLES)))
    history = history()

    class Meta:
        verbose_name = _("贷款贴息")
        verbose_name_plural = _("贷款贴息")
        ordering = ["loan", "quarter"]
        constraints = [
            models.UniqueConstraint(fields=["loan", "quarter"], name="loan_subsidy_once_per_quarter"),
            models.CheckConstraint(condition=Q(amount__gte=0) & Q(interest__gte=0), name="loan_subsidy_not_negative"),
            models.CheckConstraint(condition=Q(amount__lte=F("interest")), name="loan_subsidy_at_most_interest"),
            models.CheckConstraint(condition=Q(quarter__day=1) & Q(quarter__month__in=[1, 4, 7, 10]),
                                   name="loan_subsidy_quarter_start"),
        ]

    def __str__(self) -> str:
        return f"{self.loan} · {self.quarter_label}"

    @property
    def quarter_label(self) -> str:
        return f"{self.quarter.year}年第{(self.quarter.month - 1) // 3 + 1}季度"
