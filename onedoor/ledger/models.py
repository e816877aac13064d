"""The assistance ledger (救助台账): one row per help actually delivered to a person.

Every subsystem that delivers help writes here through `ledger.actions.record_assistance`, once
per source object (a paid payment, a disbursed one-off aid payment, a paid loan subsidy, a
delivered parcel or service). It is the 一人一档 history and the basis of the duplicate-aid check.

Append-only: a row is never edited. A delivery later recovered or failed gets a *reversal row*
(`reverses` → the original, same source, amount and quantity negated), so sums over any period
stay right and the original stays visible. Rows carry their own actor and time, so they have no
row history.

Scope: by the area of the person at the time of the help; every role that serves people
(window clerks, dispatcher, handlers, social workers, patrol, finance, leaders) sees its area
subtree. Not by department: the ledger exists so that one department sees what the others gave.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from onedoor.core.money import money_field
from onedoor.core.scoping import ScopedQuerySet, ScopeRule

from .choices import AssistanceKind

LEDGER_ROLES = frozenset({"window_clerk", "dispatcher", "handler", "social_worker", "patrol", "finance", "leader"})


class AssistanceRecordQuerySet(ScopedQuerySet):
    def originals(self) -> AssistanceRecordQuerySet:
        return self.filter(reverses__isnull=True)

    def effective(self) -> AssistanceRecordQuerySet:
        """Original rows that have not been reversed (the help that stands)."""
        return self.filter(reverses__isnull=True, reversal__isnull=True)

    def in_period(self, start, end) -> AssistanceRecordQuerySet:
        qs = self
        if start:
            qs = qs.filter(delivered_on__gte=start)
        if end:
            qs = qs.filter(delivered_on__lte=end)
        return qs


class AssistanceRecord(models.Model):
    """One help actually delivered to one person (or a reversal of one)."""

    person = models.ForeignKey("registry.Person", verbose_name=_("受助人"), on_delete=models.PROTECT,
                               related_name="assistance_records")
    household = models.ForeignKey("registry.Household", verbose_name=_("家庭"), on_delete=models.PROTECT,
                                  null=True, blank=True, related_name="assistance_records")
    area = models.ForeignKey("geo.Area", verbose_name=_("所属区划"), on_delete=models.PROTECT, related_name="+",
                             help_text=_("救助时受助人所在区划"))
    delivered_on = models.DateField(_("救助日期"))
    policy = models.ForeignKey("policies.Policy", verbose_name=_("政策"), on_delete=models.PROTECT, null=True,
                               blank=True, related_name="assistance_records")
    programme = models.CharField(_("项目"), max_length=100, blank=True,
                                 help_text=_("不依据政策的救助（如专项活动）的项目名称"))
    department = models.ForeignKey("accounts.Organisation", verbose_name=_("实施部门"), on_delete=models.PROTECT,
                                   related_name="assistance_records")
    kind = models.CharField(_("救助方式"), max_length=12, choices=AssistanceKind.choices)
    amount = money_field(_("金额（元）"), null=True, blank=True)
    quantity = models.DecimalField(_("数量"), max_digits=12, decimal_places=2, null=True, blank=True)
    unit = models.CharField(_("单位"), max_length=20, blank=True)
    source_type = models.ForeignKey(ContentType, verbose_name=_("来源类型"), on_delete=models.PROTECT,
                                    related_name="+")
    source_id = models.PositiveBigIntegerField(_("来源编号"))
    source = GenericForeignKey("source_type", "source_id")
    reverses = models.OneToOneField("self", verbose_name=_("冲销的记录"), on_delete=models.PROTECT, null=True,
                                    blank=True, related_name="reversal")
    reason = models.CharField(_("冲销原因"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("登记时间"), default=timezone.now)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("登记人"), on_delete=models.PROTECT,
                              null=True, blank=True, related_name="+")

    objects = AssistanceRecordQuerySet.as_manager()
    scope = ScopeRule(area="area", roles_by_action=(("view", LEDGER_ROLES),))

    class Meta:
        verbose_name = _("救助记录")
        verbose_name_plural = _("救助记录")
        ordering = ["-delivered_on", "-pk"]
        indexes = [
            models.Index(fields=["person", "delivered_on"], name="ledger_person_history"),
            models.Index(fields=["area", "delivered_on"], name="ledger_area_period"),
            models.Index(fields=["kind", "delivered_on", "person"], name="ledger_kind_period"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["source_type", "source_id"], condition=Q(reverses__isnull=True),
                                    name="ledger_once_per_source"),
            models.CheckConstraint(
                condition=(Q(reverses__isnull=True) & (Q(amount__isnull=True) | Q(amount__gte=0))
                           & (Q(quantity__isnull=True) | Q(quantity__gte=0)))
                | (Q(reverses__isnull=False) & (Q(amount__isnull=True) | Q(amount__lte=0))
                   & (Q(quantity__isnull=True) | Q(quantity__lte=0))),
                name="ledger_sign_by_row_kind"),
            models.CheckConstraint(condition=Q(policy__isnull=False) | ~Q(programme=""),
                                   name="ledger_policy_or_programme"),
        ]

    def __str__(self) -> str:
        return f"{self.person} · {self.get_kind_display()} · {self.delivered_on}"

    @property
    def is_reversal(self) -> bool:
        return self.reverses_id is not None

    @property
    def what(self) -> str:
        return str(self.policy) if self.policy_id else self.programme
