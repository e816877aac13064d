from django.db import models
from django.utils.translation import gettext_lazy as _


class AssistanceKind(models.TextChoices):
    CASH = "cash", _("现金救助")
    IN_KIND = "in_kind", _("实物救助")
    SERVICE = "service", _("服务")
    LOAN_SUBSIDY = "loan_subsidy", _("贷款贴息")
    GRANT = "grant", _("补助金")
    SHELTER = "shelter", _("临时住宿")
