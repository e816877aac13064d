"""Menus and home-page panels that apps register, so the shell shows each role what it needs
without the shell knowing every app. Apps call these from `AppConfig.ready()`."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.urls import reverse
from django.utils.functional import Promise


@dataclass(frozen=True)
class NavItem:
    label: str | Promise  # usually gettext_lazy, translated when the menu is rendered
    url_name: str
    roles: frozenset[str] | None = None  # None: every signed-in user
    order: int = 100

    def visible_for(self, roles: set[str]) -> bool:
        return self.roles is None or bool(self.roles & roles) or "admin" in roles


@dataclass(frozen=True)
class HomePanel:
    """A card on the home page: `context(request)` returns the template context, or None to hide it."""

    template: str
    context: Callable[[Any], dict | None]
    roles: frozenset[str] | None = None
    order: int = 100


_nav: list[NavItem] = []
_panels: list[HomePanel] = []


def register_nav(label: str | Promise, url_name: str, *, roles: set[str] | None = None, order: int = 100) -> None:
    _nav.append(NavItem(label, url_name, frozenset(roles) if roles else None, order))


def register_home_panel(template: str, context: Callable[[Any], dict | None], *,
                        roles: set[str] | None = None, order: int = 100) -> None:
    _panels.append(HomePanel(template, context, frozenset(roles) if roles else None, order))


def menu_for(user: Any, current_path: str = "") -> list[dict]:
    roles = set(user.roles) if getattr(user, "is_authenticated", False) else set()
    items = []
    for item in sorted(_nav, key=lambda i: (i.order, i.label)):
        if not item.visible_for(roles):
            continue
        url = reverse(item.url_name)
        active = url != "/" and current_path.startswith(url) or current_path == url
        items.append({"label": item.label, "url": url, "active": active})
    return items


def panels_for(request: Any) -> list[dict]:
    roles = set(request.user.roles)
    shown = []
    for panel in sorted(_panels, key=lambda p: p.order):
        # Panels follow the roles held; the admin role (IT: users, scopes, catalogue) does not collect
        # every role's panels, or its home page would grow with every app.
        if panel.roles is not None and not (panel.roles & roles):
            continue
        context = panel.context(request)
        if context is not None:
            shown.append({"template": panel.template, "context": context})
    return shown
