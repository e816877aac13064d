"""Shared tables: the access log, background job records, the working-day calendar, and the
abstract base for domain event tables."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .audit import history
from .choices import AccessAction, DayKind, JobStatus
from .middleware import current_request_id
from .scoping import ScopedManager, ScopeRule


class DomainEvent(models.Model):
    """Base of every domain event table (TaskEvent, StockMove, PaymentEvent …): one row = one thing
    that happened, with who, when, a code and the values before/after. Reports and timelines read these."""

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("操作人"), on_delete=models.PROTECT, null=True, blank=True,
        related_name="+",
    )
    occurred_at = models.DateTimeField(_("发生时间"), default=timezone.now, db_index=True)
    code = models.CharField(_("事件"), max_length=40)
    note = models.TextField(_("说明"), blank=True)
    data = models.JSONField(_("数据"), default=dict, blank=True)
    request_id = models.CharField(_("请求编号"), max_length=64, blank=True)

    class Meta:
        abstract = True
        ordering = ["occurred_at", "pk"]

    def save(self, *args, **kwargs):
        if not self.request_id:
            self.request_id = current_request_id()
        super().save(*args, **kwargs)


class AccessLog(models.Model):
    """One sensitive read: who saw an unmasked ID number, who exported personal data, and why."""

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("操作人"), on_delete=models.PROTECT, null=True, related_name="+"
    )
    at = models.DateTimeField(_("时间"), default=timezone.now, db_index=True)
    action = models.CharField(_("操作"), max_length=20, choices=AccessAction.choices)
    target_type = models.CharField(_("对象类型"), max_length=100, blank=True)
    target_id = models.CharField(_("对象编号"), max_length=64, blank=True)
    target_label = models.CharField(_("对象"), max_length=200, blank=True)
    reason = models.CharField(_("理由"), max_length=200, blank=True)
    details = models.JSONField(_("详情"), default=dict, blank=True)
    request_id = models.CharField(_("请求编号"), max_length=64, blank=True)

    objects = ScopedManager()
    scope = ScopeRule(owner="actor")

    class Meta:
        verbose_name = _("敏感信息访问记录")
        verbose_name_plural = verbose_name
        ordering = ["-at"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.get_action_display()} {self.target_label}"


class Job(models.Model):
    """One long piece of work (import, export, payroll, roster) run by the task worker:
    its progress, counts, errors and result file, so a page can show a progress bar."""

    kind = models.CharField(_("任务类型"), max_length=60)
    title = models.CharField(_("名称"), max_length=200)
    status = models.CharField(_("状态"), max_length=20, choices=JobStatus.choices, default=JobStatus.QUEUED)
    params = models.JSONField(_("参数"), default=dict, blank=True)
    done = models.PositiveIntegerField(_("已处理"), default=0)
    total = models.PositiveIntegerField(_("总数"), null=True, blank=True)
    counts = models.JSONField(_("统计"), default=dict, blank=True)
    errors = models.JSONField(_("错误"), default=list, blank=True)
    message = models.CharField(_("结果说明"), max_length=500, blank=True)
    result_file = models.FileField(_("结果文件"), upload_to="jobs/%Y/%m/", blank=True)
    task_id = models.CharField(_("队列任务编号"), max_length=64, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("发起人"), on_delete=models.PROTECT, null=True, related_name="jobs"
    )
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now)
    started_at = models.DateTimeField(_("开始时间"), null=True, blank=True)
    finished_at = models.DateTimeField(_("结束时间"), null=True, blank=True)

    objects = ScopedManager()
    scope = ScopeRule(owner="created_by")

    class Meta:
        verbose_name = _("后台任务")
        verbose_name_plural = verbose_name
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(total__isnull=True) | Q(done__lte=F("total")), name="job_done_within_total"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def finished(self) -> bool:
        return self.status in (JobStatus.SUCCEEDED, JobStatus.FAILED)

    @property
    def percent(self) -> int | None:
        if not self.total:
            return 100 if self.status == JobStatus.SUCCEEDED else None
        return min(100, int(self.done * 100 / self.total))


class CalendarDay(models.Model):
    """One day whose working status differs from the plain week: a holiday on a weekday or a
    调休 working weekend. Extends or corrects the `chinesecalendar` package each November when the
    State Council publishes the next year's arrangement."""

    date = models.DateField(_("日期"), unique=True)
    kind = models.CharField(_("类型"), max_length=10, choices=DayKind.choices)
    name = models.CharField(_("名称"), max_length=50, blank=True)
    note = models.CharField(_("依据"), max_length=200, blank=True, help_text=_("例如：国务院办公厅通知文号"))

    history = history()

    class Meta:
        verbose_name = _("节假日调整")
        verbose_name_plural = _("节假日调整（工作日历）")
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date} {self.get_kind_display()} {self.name}"


class Notification(models.Model):
    """One message to one staff member in OneDoor (我的消息): a task routed to them, transferred, returned,
    overdue… Created by `core.notify.notify`, which also hands it to the configured message sender (SMS
    later). The user sees only their own."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("接收人"), on_delete=models.CASCADE,
                             related_name="notifications")
    created_at = models.DateTimeField(_("时间"), default=timezone.now)
    kind = models.CharField(_("类型"), max_length=40)
    title = models.CharField(_("标题"), max_length=200)
    body = models.TextField(_("内容"), blank=True)
    link = models.CharField(_("链接"), max_length=300, blank=True)
    read_at = models.DateTimeField(_("已读时间"), null=True, blank=True)

    objects = ScopedManager()
    scope = ScopeRule(owner="user")

    class Meta:
        verbose_name = _("消息")
        verbose_name_plural = _("消息")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["user", "read_at", "created_at"], name="notification_inbox")]

    def __str__(self) -> str:
        return self.title
