from django.db import models
from django.utils import timezone


class LoadedStep(models.Model):
    """One demo step already loaded into this database (so `onedoor demo --once` skips it)."""

    name = models.CharField("步骤", max_length=100, unique=True)
    loaded_at = models.DateTimeField("载入时间", default=timezone.now)
    summary = models.CharField("结果", max_length=300, blank=True)

    class Meta:
        verbose_name = "已载入的演示数据"
        verbose_name_plural = verbose_name

    def __str__(self) -> str:
        return self.name
