from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import AccessLog, CalendarDay, Job


def _admin_role_only(request) -> bool:
    """The admin site is for the admin role only (is_superuser alone is not enough)."""
    user = request.user
    return user.is_active and user.is_staff and getattr(user, "is_onedoor_admin", False)


admin.site.has_permission = _admin_role_only


@admin.register(CalendarDay)
class CalendarDayAdmin(SimpleHistoryAdmin):
    list_display = ["date", "kind", "name", "note"]
    list_filter = ["kind"]
    date_hierarchy = "date"


@admin.register(AccessLog)
class AccessLogAdmin(admin.ModelAdmin):
    list_display = ["at", "actor", "action", "target_label", "reason", "request_id"]
    list_filter = ["action"]
    search_fields = ["target_label", "reason", "request_id", "actor__username"]
    readonly_fields = [f.name for f in AccessLog._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Job)
class JobAdmin(admin.ModelAdmin):
    list_display = ["title", "kind", "status", "done", "total", "created_by", "created_at", "finished_at"]
    list_filter = ["status", "kind"]
    readonly_fields = [f.name for f in Job._meta.fields]

    def has_add_permission(self, request):
        return False
