from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AidConfig(AppConfig):
    name = "onedoor.aid"
    label = "aid"
    verbose_name = _("临时救助与贴息贷款")
