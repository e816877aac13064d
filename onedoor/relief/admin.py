from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import (
    Agreement,
    AgreementLine,
    CallOffLine,
    CallOffOrder,
    Campaign,
    CampaignEvent,
    Delivery,
    Item,
    MinimumLevel,
    RosterEntry,
    StockBalance,
    StockMove,
    Store,
)


@admin.register(Item)
class ItemAdmin(SimpleHistoryAdmin):
    list_display = ["code", "name", "unit", "perishable", "is_active"]
    search_fields = ["code", "name"]


@admin.register(Store)
class StoreAdmin(SimpleHistoryAdmin):
    list_display = ["name", "kind", "organisation", "area", "is_active"]
    list_filter = ["kind", "is_active"]
    raw_id_fields = ["organisation", "area"]


class AgreementLineInline(admin.TabularInline):
    model = AgreementLine
    extra = 0


@admin.register(Agreement)
class AgreementAdmin(SimpleHistoryAdmin):
    list_display = ["number", "store", "valid_from", "valid_to", "lead_time_days"]
    inlines = [AgreementLineInline]


@admin.register(MinimumLevel)
class MinimumLevelAdmin(SimpleHistoryAdmin):
    list_display = ["store", "item", "minimum"]


class ReadOnlyAdmin(admin.ModelAdmin):
    """Ledger rows and balances change only through relief.actions."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(StockMove)
class StockMoveAdmin(ReadOnlyAdmin):
    list_display = ["occurred_at", "kind", "purpose", "item", "quantity", "from_store", "to_store", "expiry", "actor"]
    list_filter = ["kind", "purpose"]


@admin.register(StockBalance)
class StockBalanceAdmin(ReadOnlyAdmin):
    list_display = ["store", "item", "expiry", "quantity", "updated_at"]


class CallOffLineInline(admin.TabularInline):
    model = CallOffLine
    extra = 0
    can_delete = False

    def has_change_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(CallOffOrder)
class CallOffOrderAdmin(ReadOnlyAdmin):
    list_display = ["number", "supplier", "destination", "status", "ordered_at", "due_on"]
    inlines = [CallOffLineInline]


# Campaigns change only through relief.campaigns (the roster is frozen, deliveries move stock and write
# the ledger): the admin shows them read-only.

@admin.register(Campaign)
class CampaignAdmin(ReadOnlyAdmin):
    list_display = ["name", "area", "starts_on", "ends_on", "target", "status", "roster_size"]
    list_filter = ["status", "target"]


@admin.register(RosterEntry)
class RosterEntryAdmin(ReadOnlyAdmin):
    list_display = ["campaign", "person", "category", "area", "status", "status_at"]
    list_filter = ["status", "campaign"]
    raw_id_fields = ["person", "household", "area", "town"]


@admin.register(Delivery)
class DeliveryAdmin(ReadOnlyAdmin):
    list_display = ["entry", "delivered_on", "store", "actor", "idempotency_key"]


@admin.register(CampaignEvent)
class CampaignEventAdmin(ReadOnlyAdmin):
    list_display = ["occurred_at", "campaign", "code", "from_status", "to_status", "actor"]
