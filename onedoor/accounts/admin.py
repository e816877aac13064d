from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from .models import ApiToken, Organisation, RoleAssignment, User


class RoleAssignmentInline(admin.TabularInline):
    model = RoleAssignment
    fk_name = "user"
    extra = 0
    raw_id_fields = ["area", "organisation"]
    exclude = ["granted_by"]


@admin.register(User)
class UserAdmin(DjangoUserAdmin, SimpleHistoryAdmin):
    list_display = ["username", "full_name", "organisation", "is_active", "last_login"]
    list_filter = ["is_active", "organisation__kind"]
    search_fields = ["username", "full_name", "phone"]
    fieldsets = [
        (None, {"fields": ["username", "password"]}),
        (_("个人信息"), {"fields": ["full_name", "phone", "email", "organisation"]}),
        (_("状态"), {"fields": ["is_active", "is_staff", "is_superuser", "last_login", "date_joined"]}),
    ]
    inlines = [RoleAssignmentInline]

    def save_formset(self, request, form, formset, change):
        for assignment in formset.save(commit=False):
            if assignment.granted_by_id is None:
                assignment.granted_by = request.user
            assignment.save()
        for deleted in formset.deleted_objects:
            deleted.delete()
        formset.save_m2m()


@admin.register(Organisation)
class OrganisationAdmin(SimpleHistoryAdmin):
    list_display = ["name", "short_name", "kind", "area", "is_active"]
    list_filter = ["kind", "is_active"]
    search_fields = ["name", "short_name"]
    raw_id_fields = ["area", "parent"]


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ["hint", "user", "created_at", "expires_at", "last_used_at", "revoked_at"]
    readonly_fields = ["user", "key_hash", "hint", "created_at", "expires_at", "last_used_at"]

    def has_add_permission(self, request):
        return False
