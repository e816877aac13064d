"""The person page's section 救助记录（一人一档）: every help the person received, from the ledger."""

from __future__ import annotations

from django.core.paginator import Paginator

from onedoor.core.scoping import is_admin

from .models import LEDGER_ROLES
from .selectors import person_history, totals

SECTION_ROWS = 20


def assistance_for_person(request, person) -> dict | None:
    user = request.user
    if not (is_admin(user) or user.has_role(*LEDGER_ROLES)):
        return None
    history = person_history(user, person)
    page = Paginator(history, SECTION_ROWS).get_page(request.GET.get("ledger_page"))
    params = request.GET.copy()
    params.pop("ledger_page", None)
    return {"page": page, "totals": totals(history), "querystring": params.urlencode()}
