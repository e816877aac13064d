"""The catalogue in the admin: policies (with their responsibility lines inline), the responsibility
list and the standards. Policies are never deleted (tasks refer to them): untick 在用 instead. The
pages under /policies/ do the everyday edits through the actions; the admin is for corrections."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from .models import Policy, Responsibility, Standard


class ResponsibilityInline(admin.TabularInline):
    model = Responsibility
    extra = 0
    fields = ["area", "department", "handler", "valid_from", "valid_to", "note"]
    raw_id_fields = ["area", "handler"]
    show_change_link = True


@admin.register(Policy)
class PolicyAdmin(SimpleHistoryAdmin):
    list_display = ["code", "name", "department", "kind", "time_limit_days", "notice_required", "act_first_allowed",
                    "is_active"]
    list_filter = ["kind", "is_active", "notice_required", "act_first_allowed", "department"]
    search_fields = ["code", "name", "keywords"]
    filter_horizontal = ["eligible_categories"]
    list_select_related = ["department"]
    inlines = [ResponsibilityInline]
    fieldsets = [
        (None, {"fields": ["code", "name", "department", "kind", "subject", "is_active", "order"]}),
        (_("申请条件"), {"fields": ["eligible_categories", "min_age", "max_age", "requires_disability",
                                 "requires_local_hukou", "income_rule", "income_ratio"]}),
        (_("办理"), {"fields": ["required_documents", "time_limit_days", "time_limit_covers", "notice_required",
                             "notice_days", "act_first_allowed", "review_frequency", "amount_rule"]}),
        (_("办事指南"), {"fields": ["guide", "keywords", "life_situations"]}),
    ]

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Responsibility)
class ResponsibilityAdmin(SimpleHistoryAdmin):
    list_display = ["policy", "area", "department", "handler", "valid_from", "valid_to"]
    list_filter = ["department"]
    search_fields = ["policy__name", "policy__code", "area__name"]
    raw_id_fields = ["policy", "area", "handler"]
    filter_horizontal = ["pool"]
    list_select_related = ["policy", "area", "department", "handler"]


@admin.register(Standard)
class StandardAdmin(SimpleHistoryAdmin):
    list_display = ["kind", "hukou_type", "amount", "effective_from", "basis", "created_by"]
    list_filter = ["kind", "hukou_type"]
    raw_id_fields = ["created_by"]
    list_select_related = ["created_by"]
