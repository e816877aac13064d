"""Benefits in the admin. Amount rules (BenefitRule) are data the bureau edits here; a changed rule
applies to amounts computed from then on (use 重新核定金额 on an enrollment to apply it to one
already paid). Enrollments, payroll runs, payments, reviews and bank files are read-only: each
change goes through benefits.actions / benefits.reviews / benefits.payroll, which check it, write
its event and keep the payments' signatures valid."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import (
    BankFile,
    BenefitRule,
    Enrollment,
    EnrollmentAmount,
    EnrollmentEvent,
    Payment,
    PayrollRun,
    Review,
)


class ReadOnlyAdmin(SimpleHistoryAdmin):
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(BenefitRule)
class BenefitRuleAdmin(SimpleHistoryAdmin):
    list_display = ["policy", "method", "standard_kind", "fixed_amount", "floor_per_person", "rounding",
                    "start_after_months", "fading_months"]
    list_filter = ["method", "rounding"]
    search_fields = ["policy__code", "policy__name"]
    raw_id_fields = ["policy"]


class AmountInline(ReadOnlyInline):
    model = EnrollmentAmount
    fields = ["from_month", "amount", "reason", "basis", "created_at"]
    readonly_fields = fields


class EventInline(ReadOnlyInline):
    model = EnrollmentEvent
    fields = ["occurred_at", "actor", "code", "note"]
    readonly_fields = fields


class ReviewInline(ReadOnlyInline):
    model = Review
    fields = ["kind", "due_on", "reviewed_on", "outcome", "reviewer", "note"]
    readonly_fields = fields


@admin.register(Enrollment)
class EnrollmentAdmin(ReadOnlyAdmin):
    list_display = ["person", "policy", "area", "monthly_amount", "start_month", "last_month", "status",
                    "review_due"]
    list_filter = ["status", "policy"]
    search_fields = ["person__name"]
    raw_id_fields = ["person", "household", "decision", "area", "policy"]
    inlines = [AmountInline, ReviewInline, EventInline]


@admin.register(PayrollRun)
class PayrollRunAdmin(ReadOnlyAdmin):
    list_display = ["month", "policy", "state", "payment_count", "total_amount", "prepared_by", "approved_by"]
    list_filter = ["state"]


@admin.register(Payment)
class PaymentAdmin(admin.ModelAdmin):
    list_display = ["run", "payee_name", "month", "line", "amount", "status"]
    list_filter = ["status", "line"]
    search_fields = ["payee_name"]
    raw_id_fields = ["run", "enrollment", "area", "reissue_of"]

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Review)
class ReviewAdmin(ReadOnlyAdmin):
    list_display = ["enrollment", "kind", "due_on", "reviewed_on", "outcome", "reviewer"]
    list_filter = ["kind", "outcome"]
    raw_id_fields = ["enrollment", "reviewer"]


@admin.register(BankFile)
class BankFileAdmin(admin.ModelAdmin):
    list_display = ["run", "kind", "original_name", "rows", "total_amount", "created_by", "created_at"]
    list_filter = ["kind"]

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
