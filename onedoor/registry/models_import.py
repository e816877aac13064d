"""Staging tables of the bulk import (see docs/subsystems/registry-import.md).

An upload becomes an `ImportBatch`; validation turns every data row of the file into one `ImportRow`
(its cells as read, its normalised values, its outcome and errors). Committing writes the registry
from the staged rows in small transactions, each marking its rows, so an interrupted commit can be
resumed (only unmarked rows are written again) or rolled back.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from onedoor.core.scoping import ScopedQuerySet, ScopeRule

__all__ = ["ImportBatch", "ImportRow", "ImportStatus", "RowOutcome", "RowStage", "IMPORT_ROLES"]

# Roles that may upload and commit imports (those that register people at the window or the bureau).
IMPORT_ROLES = frozenset({"window_clerk", "dispatcher", "admin"})


class ImportKind(models.TextChoices):
    PERSONS = "persons", _("救助对象")
    CATEGORIES = "categories", _("人员类别")


class ImportStatus(models.TextChoices):
    UPLOADED = "uploaded", _("已上传")
    VALIDATING = "validating", _("校验中")
    VALIDATED = "validated", _("已校验，待导入")
    COMMITTING = "committing", _("导入中")
    COMMITTED = "committed", _("已导入")
    ROLLED_BACK = "rolled_back", _("已回滚")
    FAILED = "failed", _("失败")


class RowOutcome(models.TextChoices):
    NEW = "new", _("新增")
    UPDATE = "update", _("更新")
    UNCHANGED = "unchanged", _("无变化")
    DUPLICATE = "duplicate", _("疑似重复")
    ERROR = "error", _("错误")


class RowStage(models.IntegerChoices):
    STAGED = 0, _("待导入")
    PERSON_WRITTEN = 1, _("人员已写入")
    COMMITTED = 2, _("已导入")


class ImportBatch(models.Model):
    """One uploaded file of people to import: where it may put people, its mode, status and counts."""

    kind = models.CharField(_("导入内容"), max_length=20, choices=ImportKind.choices, default=ImportKind.PERSONS)
    file = models.FileField(_("文件"), upload_to="imports/%Y/%m/")
    filename = models.CharField(_("原文件名"), max_length=200)
    # Rows may only place people in this area's subtree; a 村(社区) name is looked up under it.
    # Empty only for command-line imports by an operator (the whole registry).
    area = models.ForeignKey("geo.Area", verbose_name=_("导入范围"), on_delete=models.PROTECT, null=True,
                             blank=True, related_name="+")
    strict = models.BooleanField(_("严格模式"), default=False,
                                 help_text=_("任何一行有错误时，整个文件都不导入。"))
    status = models.CharField(_("状态"), max_length=20, choices=ImportStatus.choices,
                              default=ImportStatus.UPLOADED)
    counts = models.JSONField(_("统计"), default=dict, blank=True)
    columns = models.JSONField(_("识别的列"), default=dict, blank=True)
    ignored_columns = models.JSONField(_("忽略的列"), default=list, blank=True)
    message = models.CharField(_("说明"), max_length=500, blank=True)
    validate_job = models.ForeignKey("core.Job", verbose_name=_("校验任务"), on_delete=models.SET_NULL, null=True,
                                     blank=True, related_name="+")
    commit_job = models.ForeignKey("core.Job", verbose_name=_("导入任务"), on_delete=models.SET_NULL, null=True,
                                   blank=True, related_name="+")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("上传人"), on_delete=models.PROTECT,
                                   null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(_("上传时间"), default=timezone.now)
    validated_at = models.DateTimeField(_("校验时间"), null=True, blank=True)
    committed_at = models.DateTimeField(_("导入时间"), null=True, blank=True)
    rolled_back_at = models.DateTimeField(_("回滚时间"), null=True, blank=True)

    objects = ScopedQuerySet.as_manager()
    scope = ScopeRule(area="area", owner="created_by",
                      roles_by_action=(("commit", IMPORT_ROLES),))

    class Meta:
        verbose_name = _("导入批次")
        verbose_name_plural = _("导入批次")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.filename}（{self.get_status_display()}）"

    def count(self, key: str) -> int:
        return int(self.counts.get(key, 0))

    @property
    def busy(self) -> bool:
        return self.status in (ImportStatus.UPLOADED, ImportStatus.VALIDATING, ImportStatus.COMMITTING)


class ImportRow(models.Model):
    """One data row of an import file: the cells as read, the normalised values, what committing it
    does (new / update / unchanged / duplicate / error) and, once committed, the person it wrote."""

    batch = models.ForeignKey(ImportBatch, verbose_name=_("导入批次"), on_delete=models.CASCADE,
                              related_name="rows")
    row_number = models.PositiveIntegerField(_("行号"), help_text=_("与 Excel 中的行号一致"))
    raw = models.JSONField(_("原始内容"), default=dict)
    values = models.JSONField(_("规范化后的值"), default=dict)
    # Copies of values used by set-based checks (duplicates in the file, household heads). NULL, not "",
    # for a row without a number, as on Person: the partial indexes and the GROUP BY then skip it.
    id_number = models.CharField(_("身份证号码"), max_length=18, null=True, blank=True)  # noqa: DJ001
    head_id_number = models.CharField(_("户主身份证号码"), max_length=18, null=True, blank=True)  # noqa: DJ001
    match_key = models.CharField(_("查重键"), max_length=120, blank=True)
    outcome = models.CharField(_("结果"), max_length=10, choices=RowOutcome.choices)
    errors = models.JSONField(_("错误"), default=list, blank=True)
    note = models.CharField(_("说明"), max_length=200, blank=True)
    changes = models.JSONField(_("将修改的字段"), default=dict, blank=True)
    before = models.JSONField(_("修改前的值"), default=dict, blank=True)
    person = models.ForeignKey("registry.Person", verbose_name=_("人员"), on_delete=models.SET_NULL, null=True,
                               blank=True, related_name="+")
    duplicate_of = models.ForeignKey("registry.Person", verbose_name=_("疑似重复于"), on_delete=models.SET_NULL,
                                     null=True, blank=True, related_name="+")
    duplicate_of_row = models.PositiveIntegerField(_("疑似重复于第几行"), null=True, blank=True)
    decision = models.CharField(_("处理决定"), max_length=10, blank=True,
                                choices=[("new", _("作为新人员登记")), ("skip", _("不导入"))])
    needs_links = models.BooleanField(_("需建立家庭或类别"), default=False)
    stage = models.PositiveSmallIntegerField(_("导入进度"), choices=RowStage.choices, default=RowStage.STAGED)
    # What committing created besides the person, so a rollback can remove exactly that.
    created = models.JSONField(_("导入时新建的记录"), default=dict, blank=True)

    objects = ScopedQuerySet.as_manager()
    scope = ScopeRule(area="batch__area", owner="batch__created_by")

    class Meta:
        verbose_name = _("导入行")
        verbose_name_plural = _("导入行")
        ordering = ["batch", "row_number"]
        constraints = [
            models.UniqueConstraint(fields=["batch", "row_number"], name="import_row_once"),
        ]
        indexes = [
            models.Index(fields=["batch", "id_number"], name="import_row_id",
                         condition=Q(id_number__isnull=False)),
            models.Index(fields=["batch", "head_id_number"], name="import_row_head",
                         condition=Q(head_id_number__isnull=False)),
            models.Index(fields=["batch", "match_key"], name="import_row_match"),
            models.Index(fields=["batch", "outcome", "row_number"], name="import_row_outcome"),
        ]

    def __str__(self) -> str:
        return f"第 {self.row_number} 行（{self.get_outcome_display()}）"

    @property
    def committed(self) -> bool:
        return self.stage == RowStage.COMMITTED

    def first_error(self) -> str:
        if not self.errors:
            return ""
        error = self.errors[0]
        return f"{error.get('column', '')}：{error['message']}" if error.get("column") else error["message"]
