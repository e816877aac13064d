"""Every page and API route, walked with the 莲花镇 window clerk against 五显镇's things."""

import json

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from onedoor.core.probes import FOREIGN_MARKER, Probe, all_probes


def route_names(resolver=None, namespace="") -> set[str]:
    """Every route as "namespace:name"; an unnamed route appears as "?pattern" so it cannot hide."""
    names = set()
    for pattern in (resolver or get_resolver()).url_patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            names |= route_names(pattern, inner)
        elif isinstance(pattern, URLPattern):
            names.add(f"{namespace}{pattern.name}" if pattern.name else f"{namespace}?{pattern.pattern}")
    return names


def covered(name: str, entries) -> bool:
    return any(e.route == name or (e.route.endswith(":*") and name.startswith(e.route[:-1])) for e in entries)


def test_every_route_has_a_probe_or_a_reason():
    entries = all_probes()
    missing = sorted(name for name in route_names() if not covered(name, entries))
    assert not missing, f"routes without an out-of-scope probe: {missing}"


def test_no_probe_names_a_route_that_does_not_exist():
    names = route_names()
    stale = [e.route for e in all_probes() if not e.route.endswith(":*") and e.route not in names]
    assert not stale


PROBES = [p for p in all_probes() if isinstance(p, Probe)]


@pytest.mark.parametrize("probe", PROBES, ids=[p.route for p in PROBES])
def test_other_towns_things_stay_hidden(probe, login, world):
    client = login("clerk.lianhua")
    if probe.given:
        probe.given(world)
    if probe.expect == "check":
        probe.check(client, world)
        return
    url = reverse(probe.route, kwargs=probe.kwargs(world) if probe.kwargs else None)
    data = probe.data(world) if probe.data else None
    if probe.method == "GET":
        response = client.get(url, probe.query)
    else:
        response = client.generic(probe.method, url, json.dumps(data or {}), content_type="application/json")
    if probe.expect == "404":
        assert response.status_code == 404, f"{probe.route} answered {response.status_code}"
        return
    assert probe.expect == "absent"
    assert response.status_code == 200
    body = response.content.decode()
    assert FOREIGN_MARKER not in body
    if probe.absent_text:
        assert probe.absent_text(world) not in body


def test_admin_site_is_closed_to_everyone_but_the_admin_role(login):
    for username in ("clerk.lianhua", "dispatcher", "leader"):
        response = login(username).get("/admin/")
        assert response.status_code == 302 and "/admin/login/" in response["Location"]
    assert login("admin").get("/admin/").status_code == 200


def test_probes_cover_routes_of_every_app_with_urls():
    probed_namespaces = {e.route.split(":")[0] for e in all_probes() if ":" in e.route}
    assert {"core", "geo", "accounts", "api"} <= probed_namespaces
