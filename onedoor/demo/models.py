from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class LoadedStep(models.Model):
    """One demo step already loaded into this database (so `onedoor demo --once` skips it)."""

    name = models.CharField(_("步骤"), max_length=100, unique=True)
    loaded_at = models.DateTimeField(_("载入时间"), default=timezone.now)
    summary = models.CharField(_("结果"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("已载入的演示数据")
        verbose_name_plural = verbose_name

    def __str__(self) -> str:
        return self.name
