from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import Area


@admin.register(Area)
class AreaAdmin(SimpleHistoryAdmin):
    list_display = ["code", "name", "level", "parent", "is_local", "valid_to"]
    list_filter = ["level", "is_local"]
    search_fields = ["code", "name", "name_pinyin", "name_initials"]
    readonly_fields = ["name_pinyin", "name_initials"]
    raw_id_fields = ["parent", "successor"]
