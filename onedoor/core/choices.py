from django.db import models


class AccessAction(models.TextChoices):
    UNMASK = "unmask", "查看完整证件号"
    EXPORT = "export", "导出个人信息"
    DOWNLOAD = "download", "下载文件"


class JobStatus(models.TextChoices):
    QUEUED = "queued", "排队中"
    RUNNING = "running", "进行中"
    SUCCEEDED = "succeeded", "已完成"
    FAILED = "failed", "失败"


class DayKind(models.TextChoices):
    HOLIDAY = "holiday", "法定节假日（休息）"
    WORKDAY = "workday", "调休上班日"
