from django.db import models
from django.utils.translation import gettext_lazy as _


class AreaLevel(models.TextChoices):
    PROVINCE = "province", _("省")
    CITY = "city", _("市")
    DISTRICT = "district", _("区县")
    SUBDISTRICT = "subdistrict", _("街道")
    TOWN = "town", _("镇")
    FARM = "farm", _("农场")
    COMMUNITY = "community", _("社区")
    VILLAGE = "village", _("村")


TOWN_LEVELS = (AreaLevel.SUBDISTRICT, AreaLevel.TOWN, AreaLevel.FARM)
VILLAGE_LEVELS = (AreaLevel.COMMUNITY, AreaLevel.VILLAGE)
