"""Administrative areas keyed by the 12-digit statistical code; a subtree is a code range."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from onedoor.core.audit import history
from onedoor.core.scoping import ScopedQuerySet, ScopeRule, in_subtree, subtree_prefix

from .choices import AreaLevel


class AreaQuerySet(ScopedQuerySet):
    def current(self, on=None) -> AreaQuerySet:
        """Areas in force on a date (default today); ended areas stay for old records."""
        on = on or timezone.localdate()
        return self.filter(Q(valid_from__isnull=True) | Q(valid_from__lte=on)).filter(
            Q(valid_to__isnull=True) | Q(valid_to__gt=on)
        )

    def subtree(self, code: str) -> AreaQuerySet:
        return self.filter(in_subtree("code", code))

    def search(self, query: str) -> AreaQuerySet:
        """By name (simplified or traditional), pinyin, initials or code digits."""
        from onedoor.core.text import looks_like_pinyin, normalize_name

        query = query.strip()
        if not query:
            return self
        if query.isdigit():
            return self.filter(code__startswith=query)
        if looks_like_pinyin(query):
            lowered = query.lower()
            return self.filter(Q(name_initials__startswith=lowered) | Q(name_pinyin__startswith=lowered))
        return self.filter(name__contains=normalize_name(query))


class Area(models.Model):
    """One administrative area: the district, a 街道/镇/农场, or a 社区/村."""

    code = models.CharField(_("统计用区划代码"), max_length=12, primary_key=True)
    name = models.CharField(_("名称"), max_length=60)
    level = models.CharField(_("级别"), max_length=20, choices=AreaLevel.choices)
    parent = models.ForeignKey(
        "self", verbose_name=_("上级"), on_delete=models.PROTECT, null=True, blank=True, related_name="children"
    )
    is_local = models.BooleanField(
        _("本地代码"), default=False, help_text=_("统计部门未公布代码，由本系统分配；不是官方代码。")
    )
    source = models.CharField(_("来源"), max_length=40, blank=True)
    valid_from = models.DateField(_("启用日期"), null=True, blank=True)
    valid_to = models.DateField(_("停用日期"), null=True, blank=True, help_text=_("撤并后保留，旧记录仍可查到。"))
    successor = models.ForeignKey(
        "self", verbose_name=_("撤并后归属"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    name_pinyin = models.CharField(_("拼音"), max_length=200, blank=True, db_index=True)
    name_initials = models.CharField(_("拼音首字母"), max_length=30, blank=True, db_index=True)

    objects = AreaQuerySet.as_manager()
    scope = ScopeRule(area="code")
    history = history()

    class Meta:
        verbose_name = _("行政区划")
        verbose_name_plural = verbose_name
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(condition=Q(valid_to__isnull=True) | Q(valid_from__isnull=True)
                                   | Q(valid_to__gt=models.F("valid_from")), name="area_valid_period"),
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        from onedoor.core.text import pinyin_full, pinyin_initials

        self.name_pinyin = pinyin_full(self.name)
        self.name_initials = pinyin_initials(self.name)
        super().save(*args, **kwargs)

    @property
    def prefix(self) -> str:
        return subtree_prefix(self.code)

    @property
    def is_current(self) -> bool:
        return self.valid_to is None or self.valid_to > timezone.localdate()

    def contains(self, other: Area | str) -> bool:
        code = other.code if isinstance(other, Area) else other
        return code.startswith(self.prefix)

    def ancestors(self) -> list[Area]:
        """From the top down, excluding self (a handful of rows: one query)."""
        prefixes = {self.code[:keep].ljust(12, "0") for keep in (2, 4, 6, 9)} - {self.code}
        return list(Area.objects.filter(code__in=prefixes).order_by("code"))

    @property
    def full_name(self) -> str:
        return "".join(a.name for a in self.ancestors() if a.level not in ("province", "city")) + self.name
