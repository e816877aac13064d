from django.db import models


class OrganisationKind(models.TextChoices):
    BUREAU = "bureau", "区民政局"
    TOWN_OFFICE = "town_office", "镇（街、场）受理窗口"
    DEPARTMENT = "department", "职能部门"
    SOCIAL_WORK = "social_work", "社工机构"
    SUPPLIER = "supplier", "协议供应商"
    CHARITY = "charity", "慈善组织"
    RESCUE_STATION = "rescue_station", "救助站"
    BANK = "bank", "银行"


class Role(models.TextChoices):
    WINDOW_CLERK = "window_clerk", "窗口受理员"
    DISPATCHER = "dispatcher", "区民政调度"
    HANDLER = "handler", "部门经办人"
    SOCIAL_WORKER = "social_worker", "社工"
    STOREKEEPER = "storekeeper", "物资管理员"
    PATROL = "patrol", "巡查救助员"
    FINANCE = "finance", "财务"
    LEADER = "leader", "领导"
    ADMIN = "admin", "系统管理员"
