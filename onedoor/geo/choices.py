from django.db import models


class AreaLevel(models.TextChoices):
    PROVINCE = "province", "省"
    CITY = "city", "市"
    DISTRICT = "district", "区县"
    SUBDISTRICT = "subdistrict", "街道"
    TOWN = "town", "镇"
    FARM = "farm", "农场"
    COMMUNITY = "community", "社区"
    VILLAGE = "village", "村"


TOWN_LEVELS = (AreaLevel.SUBDISTRICT, AreaLevel.TOWN, AreaLevel.FARM)
VILLAGE_LEVELS = (AreaLevel.COMMUNITY, AreaLevel.VILLAGE)
