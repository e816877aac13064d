"""The storekeeper's home-page card: low stock and food about to expire (two queries)."""

from __future__ import annotations

from . import selectors

SHOWN = 5


def stock_alerts_panel(request) -> dict | None:
    low = list(selectors.low_stock(request.user)[:SHOWN + 1])
    # Expired batches too: they are still on the books until counted out.
    soon = list(selectors.balances(request.user, expiring_within=selectors.EXPIRY_WARNING_DAYS)
                .order_by("expiry", "store_id")[:SHOWN + 1])
    return {"low": low[:SHOWN], "more_low": len(low) > SHOWN, "expiring": soon[:SHOWN],
            "more_expiring": len(soon) > SHOWN}
