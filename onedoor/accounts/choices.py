from django.db import models
from django.utils.translation import gettext_lazy as _


class OrganisationKind(models.TextChoices):
    BUREAU = "bureau", _("区民政局")
    TOWN_OFFICE = "town_office", _("镇（街、场）受理窗口")
    DEPARTMENT = "department", _("职能部门")
    SOCIAL_WORK = "social_work", _("社工机构")
    SUPPLIER = "supplier", _("协议供应商")
    CHARITY = "charity", _("慈善组织")
    RESCUE_STATION = "rescue_station", _("救助站")
    BANK = "bank", _("银行")


class Role(models.TextChoices):
    WINDOW_CLERK = "window_clerk", _("窗口受理员")
    DISPATCHER = "dispatcher", _("区民政调度")
    HANDLER = "handler", _("部门经办人")
    SOCIAL_WORKER = "social_worker", _("社工")
    STOREKEEPER = "storekeeper", _("物资管理员")
    PATROL = "patrol", _("巡查救助员")
    FINANCE = "finance", _("财务")
    LEADER = "leader", _("领导")
    ADMIN = "admin", _("系统管理员")
