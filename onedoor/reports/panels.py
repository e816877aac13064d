"""Home-page card of the dashboards: the ones the user's roles open, with what each shows. No query
(the roles are already read for the menu), so it never weighs on the home page."""

from __future__ import annotations

from .dashboards import dashboards_for


def dashboards_panel(request) -> dict | None:
    found = dashboards_for(request.user)
    return {"dashboards": found} if found else None
