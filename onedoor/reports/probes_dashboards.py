"""Out-of-scope probes of the dashboards (see probes.py): the 莲花镇 window clerk against a 五显镇
application taken today, 五显镇 ledger records and 五显镇's store.

The entry sends the clerk to the window dashboard; its page and JSON show only the clerk's own window;
every other dashboard is refused (403) whatever exists. The checks also sign in as staff of 莲花镇 only —
a leader (the district dashboard seen from one town) and a storekeeper — whose figures must hold nothing of
五显镇."""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from onedoor.core.probes import FOREIGN_MARKER, Probe

OTHER_DASHBOARDS = ("leader", "dispatcher", "storekeeper", "finance")


def foreign_things(world: Any):
    """A 五显镇 application taken today, cash help to a 五显镇 resident, 五显镇's store with stock."""
    from onedoor.intake.probes import foreign_application
    from onedoor.ledger.probes import foreign_records
    from onedoor.relief.probes_stock import foreign_store

    foreign_records(world)
    foreign_store(world)
    return foreign_application(world)


def town_staff(world: Any, role: str):
    """A 莲花镇-only account holding `role` (created once)."""
    from onedoor.accounts.actions import assign_role, create_staff
    from onedoor.accounts.models import User

    username = f"probe.{role}.lianhua"
    user = User.objects.filter(username=username).first()
    if user is None:
        user = create_staff(actor=None, username=username, full_name="莲花探针", organisation=world.org("莲花镇"),
                            password="x")
        assign_role(actor=None, user=user, role=role, area=world.lianhua)
    return user


def _clean(response, application) -> str:
    assert response.status_code == 200, response.status_code
    body = response.content.decode()
    assert FOREIGN_MARKER not in body
    assert application.receipt_no not in body
    return body


def _entry_sends_clerk_to_own_window(client, world) -> None:
    response = client.get(reverse("reports:dashboard"))
    assert response.status_code == 302, response.status_code
    assert response["Location"] == reverse("reports:dashboard_page", kwargs={"name": "window"})


def _pages(client, world) -> None:
    application = foreign_things(world)
    _clean(client.get(reverse("reports:dashboard_page", kwargs={"name": "window"})), application)
    for name in OTHER_DASHBOARDS:
        response = client.get(reverse("reports:dashboard_page", kwargs={"name": name}))
        assert response.status_code == 403, f"{name} answered {response.status_code}"
        assert FOREIGN_MARKER not in response.content.decode()


def _data(client, world) -> None:
    application = foreign_things(world)
    response = client.get(reverse("reports:dashboard_data", kwargs={"name": "window"}))
    _clean(response, application)
    assert response.json()["figures"]["count"] == 0  # the other window's application is not counted either
    for name in OTHER_DASHBOARDS:
        response = client.get(reverse("reports:dashboard_data", kwargs={"name": name}))
        assert response.status_code == 403, f"{name} answered {response.status_code}"
    # The district dashboard seen by a leader of 莲花镇 only, and stock seen by its storekeeper.
    for role, name in (("leader", "leader"), ("storekeeper", "storekeeper")):
        client.force_login(town_staff(world, role), backend="django.contrib.auth.backends.ModelBackend")
        response = client.get(reverse("reports:dashboard_data", kwargs={"name": name}))
        _clean(response, application)
        if name == "leader":  # neither the application nor the cash help of 五显镇 is counted
            figures = response.json()["figures"]
            assert figures["applications"]["this_year"] == 0 and figures["subsidy"]["this_year"]["times"] == 0


PROBES = [
    Probe("reports:dashboard", expect="check", check=_entry_sends_clerk_to_own_window),
    Probe("reports:dashboard_page", expect="check", check=_pages),
    Probe("reports:dashboard_data", expect="check", check=_data),
]
