"""Intake in the admin: for looking things up and correcting reference data only. Applications and
tasks are read-only here — every move of a task goes through intake.actions, so that it is checked
against the transition map and leaves a TaskEvent."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import Application, HomeVisit, Objection, PublicNotice, SupplementNotice, Task, TaskEvent


class ReadOnlyAdmin(SimpleHistoryAdmin):
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class TaskInline(admin.TabularInline):
    model = Task
    extra = 0
    fields = ["policy", "department", "handler", "state", "received_on", "due_date"]
    readonly_fields = fields
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Application)
class ApplicationAdmin(ReadOnlyAdmin):
    list_display = ["receipt_no", "window", "channel", "submitted_at"]
    list_filter = ["channel", "window"]
    search_fields = ["receipt_no"]
    raw_id_fields = ["applicant", "household", "area", "clerk"]
    inlines = [TaskInline]


class TaskEventInline(admin.TabularInline):
    model = TaskEvent
    extra = 0
    fields = ["occurred_at", "actor", "code", "from_state", "to_state", "note"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Task)
class TaskAdmin(ReadOnlyAdmin):
    list_display = ["application", "policy", "department", "handler", "state", "due_date"]
    list_filter = ["state", "department"]
    search_fields = ["application__receipt_no"]
    inlines = [TaskEventInline]


for model in (SupplementNotice, HomeVisit, PublicNotice, Objection):
    admin.site.register(model, ReadOnlyAdmin)
