"""One-window intake (一门受理): applications, the task each requested policy becomes, what happens
to a task (TaskEvent), the documents received, 补正 notices, home visits, public notices (公示) and
objections. State changes live in intake/actions.py; the allowed moves in intake/transitions.py.

Scope: an application belongs to the area of its applicant and to the window that took it; a task
belongs to the same area and to the department handling it. A clerk sees the applications of their
own window (and their tasks); a handler sees the tasks of their department (and the applications
those tasks belong to); the dispatcher and leaders see everything in their area subtree.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from onedoor.core.audit import history
from onedoor.core.models import DomainEvent
from onedoor.core.scoping import ScopedQuerySet, ScopeRule, grants_of, is_admin

from .choices import FINISHED_STATES, OPEN_STATES, Channel, NoticeState, ObjectionOutcome, TaskState

# Roles that work with applications at all; a social worker's area grant must not open them.
INTAKE_ROLES = frozenset({"window_clerk", "dispatcher", "handler", "leader", "finance"})
TASK_WORKERS = frozenset({"handler", "dispatcher"})


def _holds_organisation_grant(user: Any, role: str) -> bool:
    """Whether the user holds `role` tied to an organisation — the only grants for which the
    cross-opening between applications and tasks (ADR 0009) can show anything more."""
    return any(grant.role == role and grant.organisation_id for grant in grants_of(user))


class ApplicationQuerySet(ScopedQuerySet):
    def visible_to(self, user: Any, action: str = "view") -> ApplicationQuerySet:
        """By the rule (own window / area), plus the applications a visible task belongs to."""
        by_rule = super().visible_to(user, action)
        if is_admin(user) or action != "view" or not _holds_organisation_grant(user, "handler"):
            # Area-only grants (dispatcher, leader) open the same area on both models already; skipping
            # the OR keeps their lists on the area index.
            return by_rule
        via_tasks = Task.objects.by_rule(user).values("application_id")
        return self.filter(Q(pk__in=by_rule.values("pk")) | Q(pk__in=via_tasks))


class Application(models.Model):
    """One visit (or online form, call, referral) in which a person asks for one or more policies."""

    receipt_no = models.CharField(_("受理编号"), max_length=24, unique=True)
    applicant = models.ForeignKey("registry.Person", verbose_name=_("申请人"), on_delete=models.PROTECT,
                                  related_name="applications")
    household = models.ForeignKey("registry.Household", verbose_name=_("家庭"), on_delete=models.PROTECT,
                                  null=True, blank=True, related_name="applications")
    # Where the applicant lives (or the window's area): fixed at submission, so counts by town stay true.
    area = models.ForeignKey("geo.Area", verbose_name=_("所属区划"), on_delete=models.PROTECT, related_name="+")
    window = models.ForeignKey("accounts.Organisation", verbose_name=_("受理窗口"), on_delete=models.PROTECT,
                               related_name="applications")
    clerk = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("受理人"), on_delete=models.PROTECT,
                              null=True, blank=True, related_name="+")
    channel = models.CharField(_("申请渠道"), max_length=12, choices=Channel.choices, default=Channel.WINDOW)
    statement = models.TextField(_("申请事由"), blank=True)
    consent_to_checks = models.BooleanField(_("同意核对家庭经济状况"), default=False)
    related_to_staff = models.BooleanField(
        _("近亲属为经办人员"), default=False,
        help_text=_("申请人或其家庭成员与经办人员有近亲属关系：单独登记备案，决定前须入户调查"),
    )
    related_staff_note = models.CharField(_("备案说明"), max_length=200, blank=True)
    contact_phone = models.CharField(_("联系电话"), max_length=20, blank=True)
    submitted_at = models.DateTimeField(_("受理时间"), default=timezone.now, db_index=True)

    objects = ApplicationQuerySet.as_manager()
    scope = ScopeRule(area="area", organisation="window", roles_by_action=(("view", INTAKE_ROLES),))
    history = history()

    class Meta:
        verbose_name = _("申请")
        verbose_name_plural = _("申请")
        ordering = ["-submitted_at", "-pk"]
        indexes = [models.Index(fields=["area", "submitted_at"], name="application_area_time")]

    def __str__(self) -> str:
        return self.receipt_no


class ReceiptSequence(models.Model):
    """The last receipt number a window gave on a day; incremented atomically so numbers never repeat."""

    prefix = models.CharField(max_length=12)
    day = models.DateField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["prefix", "day"], name="one_receipt_sequence_per_day")]

    def __str__(self) -> str:
        return f"{self.prefix} {self.day} #{self.last}"


class TaskQuerySet(ScopedQuerySet):
    def by_rule(self, user: Any, action: str = "view") -> TaskQuerySet:
        return super().visible_to(user, action)

    def visible_to(self, user: Any, action: str = "view") -> TaskQuerySet:
        """By the rule (department × area), plus for viewing: the tasks of applications the user's
        window took (a clerk follows what they received)."""
        by_rule = self.by_rule(user, action)
        if is_admin(user) or action != "view" or not _holds_organisation_grant(user, "window_clerk"):
            return by_rule
        own_window = Application.objects.filter(
            pk__in=ScopedQuerySet.visible_to(Application.objects.all(), user, action).values("pk")
        ).values("pk")
        return self.filter(Q(pk__in=by_rule.values("pk")) | Q(application_id__in=own_window))

    def open(self) -> TaskQuerySet:
        return self.filter(state__in=OPEN_STATES)

    def overdue(self, today: date | None = None) -> TaskQuerySet:
        return self.open().filter(due_date__lt=today or timezone.localdate()).exclude(state=TaskState.RETURNED)

    def due_by(self, day: date) -> TaskQuerySet:
        return self.open().filter(due_date__lte=day).exclude(state=TaskState.RETURNED)


class Task(models.Model):
    """One requested policy of an application, handled by one department to a decision."""

    application = models.ForeignKey(Application, verbose_name=_("申请"), on_delete=models.PROTECT,
                                    related_name="tasks")
    policy = models.ForeignKey("policies.Policy", verbose_name=_("政策"), on_delete=models.PROTECT,
                               related_name="tasks")
    department = models.ForeignKey("accounts.Organisation", verbose_name=_("承办部门"), on_delete=models.PROTECT,
                                   related_name="tasks")
    handler = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("经办人"), on_delete=models.PROTECT,
                                null=True, blank=True, related_name="intake_tasks")
    responsibility = models.ForeignKey("policies.Responsibility", verbose_name=_("依据责任清单"),
                                       on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    area = models.ForeignKey("geo.Area", verbose_name=_("所属区划"), on_delete=models.PROTECT, related_name="+")
    state = models.CharField(_("状态"), max_length=16, choices=TaskState.choices, default=TaskState.RECEIVED)
    returned_from = models.CharField(_("退回前状态"), max_length=16, choices=TaskState.choices, blank=True)
    received_on = models.DateField(_("受理日期"))
    due_date = models.DateField(_("办理期限"))
    due_estimated = models.BooleanField(_("期限为估算"), default=False,
                                        help_text=_("期限落在尚未公布节假日安排的年份，按周一至周五计算"))
    paused_on = models.DateField(_("计时暂停日"), null=True, blank=True)
    act_first = models.BooleanField(_("先行救助"), default=False)
    completion_pending = models.BooleanField(_("待补齐手续"), default=False)
    decided_at = models.DateTimeField(_("决定时间"), null=True, blank=True)
    decision_reason = models.TextField(_("决定理由"), blank=True)
    decided_amount = models.DecimalField(_("决定金额（元）"), max_digits=12, decimal_places=2, null=True,
                                         blank=True)
    decided_goods = models.CharField(_("决定给予的物资或服务"), max_length=200, blank=True)
    escalated_on = models.DateField(_("最近督办日"), null=True, blank=True)
    closed_at = models.DateTimeField(_("办结时间"), null=True, blank=True)
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now)

    objects = TaskQuerySet.as_manager()
    scope = ScopeRule(area="area", organisation="department", roles_by_action=(
        ("view", INTAKE_ROLES), ("handle", TASK_WORKERS), ("dispatch", frozenset({"dispatcher"})),
    ))
    history = history()

    class Meta:
        verbose_name = _("办理事项")
        verbose_name_plural = _("办理事项")
        ordering = ["due_date", "pk"]
        indexes = [
            models.Index(fields=["department", "state", "due_date"], name="task_department_queue"),
            models.Index(fields=["handler", "state", "due_date"], name="task_handler_queue"),
            models.Index(fields=["area", "state", "due_date"], name="task_area_queue"),
            # A queue filtered by nothing selective (a dispatcher's whole district) is read in due-date order
            # from this index and stops after a page, instead of joining and sorting every task in scope.
            models.Index(fields=["due_date", "id"], name="task_due_order"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["application", "policy"], condition=~Q(state__in=FINISHED_STATES),
                                    name="one_open_task_per_application_policy"),
            models.CheckConstraint(condition=Q(decided_amount__isnull=True) | Q(decided_amount__gte=0),
                                   name="task_amount_not_negative"),
            models.CheckConstraint(condition=Q(due_date__gte=models.F("received_on")), name="task_due_after_receipt"),
        ]

    def __str__(self) -> str:
        return f"{self.application.receipt_no} · {self.policy}"

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_STATES

    @property
    def is_overdue(self) -> bool:
        return self.is_open and self.state != TaskState.RETURNED and self.due_date < timezone.localdate()


class TaskEvent(DomainEvent):
    """One move of a task (or a thing recorded on it): who, when, from which state to which, why."""

    task = models.ForeignKey(Task, verbose_name=_("办理事项"), on_delete=models.PROTECT, related_name="events")
    from_state = models.CharField(_("原状态"), max_length=16, choices=TaskState.choices, blank=True)
    to_state = models.CharField(_("新状态"), max_length=16, choices=TaskState.choices, blank=True)

    class Meta(DomainEvent.Meta):
        verbose_name = _("办理记录")
        verbose_name_plural = _("办理记录")
        indexes = [models.Index(fields=["task", "occurred_at"], name="task_event_task_time")]


class ApplicationDocument(models.Model):
    """One document received for an application: checked at the window on paper and/or a stored scan."""

    application = models.ForeignKey(Application, verbose_name=_("申请"), on_delete=models.PROTECT,
                                    related_name="documents")
    event = models.ForeignKey(TaskEvent, verbose_name=_("随办理记录提交"), on_delete=models.PROTECT, null=True,
                              blank=True, related_name="documents")
    name = models.CharField(_("材料名称"), max_length=60)
    file = models.FileField(_("扫描件"), upload_to="intake/%Y/%m/", blank=True)
    original_name = models.CharField(_("原文件名"), max_length=200, blank=True)
    received_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("收件人"), on_delete=models.PROTECT,
                                    null=True, blank=True, related_name="+")
    received_at = models.DateTimeField(_("收件时间"), default=timezone.now)

    history = history()

    class Meta:
        verbose_name = _("申请材料")
        verbose_name_plural = _("申请材料")
        ordering = ["received_at", "pk"]

    def __str__(self) -> str:
        return self.name


class SupplementNotice(models.Model):
    """A 补正 notice: everything missing for an application, told to the applicant at once. The clock of
    the tasks it names stops from `issued_on` until the documents are handed in."""

    application = models.ForeignKey(Application, verbose_name=_("申请"), on_delete=models.PROTECT,
                                    related_name="supplement_notices")
    tasks = models.ManyToManyField(Task, verbose_name=_("涉及事项"), related_name="supplement_notices")
    missing = models.JSONField(_("需补正材料"), default=list)
    note = models.TextField(_("说明"), blank=True)
    issued_on = models.DateField(_("告知日期"), default=timezone.localdate)
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("告知人"), on_delete=models.PROTECT,
                                  null=True, blank=True, related_name="+")
    resolved_on = models.DateField(_("补齐日期"), null=True, blank=True)

    history = history()

    class Meta:
        verbose_name = _("补正告知")
        verbose_name_plural = _("补正告知")
        ordering = ["-issued_on", "-pk"]

    def __str__(self) -> str:
        return f"{self.application} {self.issued_on}"


class HomeVisit(models.Model):
    """An investigation visit to the applicant's home by at least two staff (入户调查)."""

    task = models.ForeignKey(Task, verbose_name=_("办理事项"), on_delete=models.PROTECT, related_name="home_visits")
    visited_on = models.DateField(_("调查日期"))
    staff = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("调查人"), on_delete=models.PROTECT,
                              related_name="+")
    second_staff = models.CharField(_("第二调查人"), max_length=60)
    family_present = models.CharField(_("在场家庭成员"), max_length=100, blank=True)
    findings = models.TextField(_("调查情况"))
    signed_by_family = models.BooleanField(_("家庭成员已签字"), default=False)
    recorded_at = models.DateTimeField(_("登记时间"), default=timezone.now)

    history = history()

    class Meta:
        verbose_name = _("入户调查")
        verbose_name_plural = _("入户调查")
        ordering = ["-visited_on", "-pk"]
        constraints = [models.CheckConstraint(condition=~Q(second_staff=""), name="home_visit_two_staff")]

    def __str__(self) -> str:
        return f"{self.task} {self.visited_on}"


class PublicNotice(models.Model):
    """A 公示 of a proposed decision in the applicant's village or community, for `days` days."""

    task = models.ForeignKey(Task, verbose_name=_("办理事项"), on_delete=models.PROTECT, related_name="notices")
    place = models.ForeignKey("geo.Area", verbose_name=_("公示地点"), on_delete=models.PROTECT, related_name="+")
    starts_on = models.DateField(_("公示开始"))
    ends_on = models.DateField(_("公示结束"), help_text=_("含当天"))
    state = models.CharField(_("状态"), max_length=10, choices=NoticeState.choices, default=NoticeState.RUNNING)
    # What the notice shows, fixed when it is published: name, household size, amount (no ID number).
    content = models.JSONField(_("公示内容"), default=dict)
    published_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("发布人"), on_delete=models.PROTECT,
                                     null=True, blank=True, related_name="+")

    history = history()

    class Meta:
        verbose_name = _("公示")
        verbose_name_plural = _("公示")
        ordering = ["-starts_on", "-pk"]
        constraints = [models.CheckConstraint(condition=Q(ends_on__gte=models.F("starts_on")),
                                              name="notice_period_valid")]

    def __str__(self) -> str:
        return f"{self.task} {self.starts_on}–{self.ends_on}"


class Objection(models.Model):
    """An objection raised against a public notice, and what came of it."""

    notice = models.ForeignKey(PublicNotice, verbose_name=_("公示"), on_delete=models.PROTECT,
                               related_name="objections")
    received_on = models.DateField(_("收到日期"), default=timezone.localdate)
    raised_by = models.CharField(_("异议人"), max_length=60, blank=True, help_text=_("可匿名"))
    content = models.TextField(_("异议内容"))
    outcome = models.CharField(_("处理结果"), max_length=14, choices=ObjectionOutcome.choices,
                               default=ObjectionOutcome.PENDING)
    outcome_note = models.TextField(_("处理说明"), blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("登记人"), on_delete=models.PROTECT,
                                    null=True, blank=True, related_name="+")

    history = history()

    class Meta:
        verbose_name = _("公示异议")
        verbose_name_plural = _("公示异议")
        ordering = ["-received_on", "-pk"]

    def __str__(self) -> str:
        return f"{self.notice} {self.received_on}"
