from django.db import models
from django.utils.translation import gettext_lazy as _


class AccessAction(models.TextChoices):
    UNMASK = "unmask", _("查看完整证件号")
    EXPORT = "export", _("导出个人信息")
    DOWNLOAD = "download", _("下载文件")


class JobStatus(models.TextChoices):
    QUEUED = "queued", _("排队中")
    RUNNING = "running", _("进行中")
    SUCCEEDED = "succeeded", _("已完成")
    FAILED = "failed", _("失败")


class DayKind(models.TextChoices):
    HOLIDAY = "holiday", _("法定节假日（休息）")
    WORKDAY = "workday", _("调休上班日")
