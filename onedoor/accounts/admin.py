from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from .actions import assign_role, end_role
from .models import ApiToken, Organisation, RoleAssignment, User


class RoleAssignmentInline(admin.TabularInline):
    """Roles are granted here (through accounts.actions.assign_role) and ended with the
    “结束所选授权” action on the role list; an existing grant is never edited in place."""

    model = RoleAssignment
    fk_name = "user"
    extra = 0
    raw_id_fields = ["area", "organisation"]
    fields = ["role", "area", "organisation", "valid_until", "note"]
    can_delete = False

    def has_change_permission(self, request, obj=None):
        return False


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
    # The admin-site flags follow the admin role (accounts.actions), never the other way round.
    readonly_fields = ["is_staff", "is_superuser", "last_login", "date_joined"]
    inlines = [RoleAssignmentInline]

    def save_formset(self, request, form, formset, change):
        for assignment in formset.save(commit=False):
            assign_role(actor=request.user, user=form.instance, role=assignment.role, area=assignment.area,
                        organisation=assignment.organisation, valid_until=assignment.valid_until,
                        note=assignment.note)


@admin.register(Organisation)
class OrganisationAdmin(SimpleHistoryAdmin):
    list_display = ["name", "short_name", "kind", "area", "is_active"]
    list_filter = ["kind", "is_active"]
    search_fields = ["name", "short_name"]
    raw_id_fields = ["area", "parent"]


@admin.register(RoleAssignment)
class RoleAssignmentAdmin(SimpleHistoryAdmin):
    list_display = ["user", "role", "area", "organisation", "valid_until", "granted_by", "granted_at"]
    list_filter = ["role"]
    search_fields = ["user__username", "user__full_name"]
    actions = ["end_selected"]

    def has_add_permission(self, request):
        return False  # grant on the user's page, through assign_role

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description=_("结束所选授权"))
    def end_selected(self, request, queryset):
        for assignment in queryset.active():
            end_role(actor=request.user, assignment=assignment)


@admin.register(ApiToken)
class ApiTokenAdmin(SimpleHistoryAdmin):
    list_display = ["hint", "user", "created_at", "expires_at", "last_used_at", "revoked_at"]
    readonly_fields = ["user", "key_hash", "hint", "created_at", "expires_at", "last_used_at", "revoked_at"]

    def has_add_permission(self, request):
        return False
