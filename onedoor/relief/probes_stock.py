"""Out-of-scope probes of relief stock: the 莲花镇 clerk (who holds no stock role) against 五显镇's store
(named 五显镇物资点, so an "absent" probe spots a leak), its stock, moves and a call-off to it.

Pages and API about it answer 404; lists and exports leave it out; the forms that change stock are
closed (403) to a user who manages no store. The write probes also sign in as a 莲花镇 storekeeper
(`lianhua_storekeeper`) and check that naming 五显镇's store changes nothing."""

from __future__ import annotations

import io
import json
from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from onedoor.core.probes import FOREIGN_MARKER, Probe

FOREIGN_STORE = "五显镇物资点"


def probe_item(code: str = "probe-quilt", perishable: bool = False):
    from .models import Item

    return Item.objects.get_or_create(code=code, defaults={
        "name": "探针面条" if perishable else "探针棉被", "unit": "袋" if perishable else "床",
        "perishable": perishable})[0]


def foreign_store(world):
    """五显镇's store with quilts, a food batch expiring soon, a minimum level above what it holds."""
    from .actions import receive_stock, set_minimum_level
    from .models import Store

    store = Store.objects.filter(name=FOREIGN_STORE).first()
    if store is not None:
        return store
    store = Store.objects.create(name=FOREIGN_STORE, kind="town", organisation=world.org("五显镇"),
                                 area=world.wuxian, address="五显镇政府院内")
    keeper = world.user("storekeeper")
    receive_stock(actor=keeper, store=store, item=probe_item(), quantity=5, note="五显入库")
    receive_stock(actor=keeper, store=store, item=probe_item("probe-noodle", True), quantity=3,
                  expiry=timezone.localdate() + timedelta(days=3), note="五显入库")
    set_minimum_level(actor=keeper, store=store, item=probe_item(), minimum=50)
    return store


def foreign_supplier(world):
    from .models import Agreement, AgreementLine, Store

    store = Store.objects.filter(name="五显供销探针储备").first()
    if store is None:
        store = Store.objects.create(name="五显供销探针储备", kind="supplier", organisation=world.org("古龙"),
                                     area=world.wuxian)
        today = timezone.localdate()
        agreement = Agreement.objects.create(store=store, number="PROBE-WX-1", valid_from=today,
                                             valid_to=today + timedelta(days=365), lead_time_days=2)
        AgreementLine.objects.create(agreement=agreement, item=probe_item(), reserved_quantity=100)
        from .actions import receive_stock

        receive_stock(actor=world.user("storekeeper"), store=store, item=probe_item(), quantity=100)
    return store


def foreign_call_off(world):
    from .actions import place_call_off
    from .models import CallOffOrder

    order = CallOffOrder.objects.filter(destination__name=FOREIGN_STORE).first()
    return order or place_call_off(actor=world.user("storekeeper"), supplier=foreign_supplier(world),
                                   destination=foreign_store(world), quantities={probe_item(): 10}, note="五显调运")


def lianhua_storekeeper(world):
    """A storekeeper of 莲花镇 only (created once), with 莲花镇's own store."""
    from onedoor.accounts.actions import assign_role, create_staff
    from onedoor.accounts.models import User

    from .models import Store

    user = User.objects.filter(username="storekeeper.lianhua").first()
    if user is None:
        user = create_staff(actor=None, username="storekeeper.lianhua", full_name="莲花保管",
                            organisation=world.org("莲花镇"), password="onedoor-demo")
        assign_role(actor=None, user=user, role="storekeeper", area=world.lianhua, organisation=None)
    Store.objects.get_or_create(name="莲花镇物资点", defaults={
        "kind": "town", "organisation": world.org("莲花镇"), "area": world.lianhua})
    return user


def _ledger() -> tuple:
    from .models import CallOffOrder, StockBalance, StockMove

    return (StockMove.objects.count(), list(StockBalance.objects.order_by("pk").values_list("pk", "quantity")),
            list(CallOffOrder.objects.order_by("pk").values_list("pk", "status")))


def _as_storekeeper(client, world):
    client.force_login(lianhua_storekeeper(world), backend="django.contrib.auth.backends.ModelBackend")


def form_refused(route: str, data):
    """A stock form: closed to the clerk (403); a 莲花镇 storekeeper naming 五显镇's store changes nothing."""

    def check(client, world) -> None:
        store = foreign_store(world)
        before = _ledger()
        response = client.get(reverse(route))
        assert response.status_code == 403, f"{route} answered {response.status_code} to the clerk"
        _as_storekeeper(client, world)
        response = client.get(reverse(route))
        assert response.status_code == 200 and FOREIGN_MARKER not in response.content.decode(), route
        response = client.post(reverse(route), data(world, store))
        assert response.status_code == 200, f"{route} answered {response.status_code}"
        assert FOREIGN_MARKER not in response.content.decode()
        assert _ledger() == before, f"{route} changed stock"

    return check


def _order_post_refused(route: str, data: dict):
    def check(client, world) -> None:
        order = foreign_call_off(world)
        before = _ledger()
        for user in (None, "storekeeper"):
            if user:
                _as_storekeeper(client, world)
            response = client.post(reverse(route, kwargs={"pk": order.pk}), data)
            assert response.status_code == 404, f"{route} answered {response.status_code}"
        assert _ledger() == before

    return check


def _count_refused(client, world) -> None:
    store = foreign_store(world)
    before = _ledger()
    url = reverse("relief:stock_count", kwargs={"pk": store.pk})
    for user in (None, "storekeeper"):
        if user:
            _as_storekeeper(client, world)
        assert client.get(url).status_code == 404
        response = client.post(url, {f"c_{probe_item().pk}": "0", "reason": "越权盘点"})
        assert response.status_code == 404, response.status_code
    assert _ledger() == before


def _call_off_create_refused(client, world) -> None:
    supplier, store = foreign_supplier(world), foreign_store(world)
    foreign_call_off(world)
    before = _ledger()
    url = reverse("relief:call_off_create")
    assert client.get(url).status_code == 403
    _as_storekeeper(client, world)
    response = client.get(url)
    assert response.status_code == 200 and FOREIGN_MARKER not in response.content.decode()
    response = client.post(url, {"supplier": supplier.pk, "destination": store.pk, f"q_{probe_item().pk}": "1"})
    assert response.status_code == 200 and FOREIGN_MARKER not in response.content.decode()
    assert _ledger() == before


def _xlsx_leaves_it_out(route: str):
    def check(client, world) -> None:
        from onedoor.core.tabular import read_rows

        foreign_call_off(world)
        for user in (None, "storekeeper"):
            if user:
                _as_storekeeper(client, world)
            response = client.get(reverse(route))
            assert response.status_code == 200
            for sheet in (0, 1) if route.endswith("stock") else (0,):
                with read_rows(io.BytesIO(response.content), filename="x.xlsx", sheet=sheet) as rows:
                    assert FOREIGN_MARKER not in json.dumps([r.values for r in rows] + [rows.headers],
                                                            ensure_ascii=False)

    return check


def _api_post_refused(client, world) -> None:
    store = foreign_store(world)
    before = _ledger()
    bodies = [{"kind": "issue", "store": store.pk, "item": "probe-quilt", "quantity": 1, "purpose": "one_off_aid"},
              {"kind": "receipt", "store": store.pk, "item": "probe-quilt", "quantity": 1, "purpose": "purchase"},
              {"kind": "adjustment", "store": store.pk, "item": "probe-quilt", "counted": 0, "note": "越权"}]
    for user in (None, "storekeeper"):
        if user:
            _as_storekeeper(client, world)
        for body in bodies:
            response = client.post("/api/v1/stock-moves", json.dumps(body), content_type="application/json")
            assert response.status_code == 422, response.status_code
            assert FOREIGN_MARKER not in response.content.decode()
    assert _ledger() == before


def _move_data(world, store) -> dict:
    return {"store": store.pk, "purpose": "one_off_aid", "item": probe_item().pk, "quantity": 1}


PROBES = [
    Probe("relief:stock", expect="absent", given=foreign_supplier),
    Probe("relief:stock", expect="absent", given=foreign_store, query={"kind": "town"}),
    Probe("relief:store_detail", kwargs=lambda w: {"pk": foreign_store(w).pk}),
    Probe("relief:store_detail", kwargs=lambda w: {"pk": foreign_supplier(w).pk}),
    Probe("relief:stock_count", expect="check", check=_count_refused),
    Probe("relief:move_list", expect="absent", given=foreign_call_off),
    Probe("relief:move_list", expect="absent", given=foreign_store, query={"store": "1", "kind": "receipt"}),
    Probe("relief:receive", expect="check", check=form_refused("relief:receive", lambda w, s: {
        "store": s.pk, "purpose": "purchase", "item": probe_item().pk, "quantity": 1})),
    Probe("relief:transfer", expect="check", check=form_refused("relief:transfer", lambda w, s: {
        "from_store": s.pk, "to_store": s.pk, "item": probe_item().pk, "quantity": 1})),
    Probe("relief:issue", expect="check", check=form_refused("relief:issue", _move_data)),
    Probe("relief:return_goods", expect="check", check=form_refused("relief:return_goods", lambda w, s: {
        "store": s.pk, "item": probe_item().pk, "quantity": 1})),
    Probe("relief:adjust", expect="check", check=form_refused("relief:adjust", lambda w, s: {
        "store": s.pk, "item": probe_item().pk, "counted": 0, "reason": "越权"})),
    Probe("relief:alerts", expect="absent", given=foreign_store),
    Probe("relief:alerts", expect="absent", given=foreign_store, query={"days": "365"}),
    Probe("relief:call_off_list", expect="absent", given=foreign_call_off),
    Probe("relief:call_off_create", expect="check", check=_call_off_create_refused),
    Probe("relief:call_off_detail", kwargs=lambda w: {"pk": foreign_call_off(w).pk}),
    Probe("relief:call_off_deliver", expect="check", check=_order_post_refused("relief:call_off_deliver", {})),
    Probe("relief:call_off_cancel", expect="check", check=_order_post_refused("relief:call_off_cancel",
                                                                              {"reason": "越权"})),
    Probe("relief:export_stock", expect="check", check=_xlsx_leaves_it_out("relief:export_stock")),
    Probe("relief:export_moves", expect="check", check=_xlsx_leaves_it_out("relief:export_moves")),
    Probe("api:list_stock", expect="absent", given=foreign_call_off),
    Probe("api:list_stock", expect="absent", given=foreign_store, query={"expiring_within": "30"}),
    Probe("api:list_stock_moves", expect="absent", given=foreign_call_off),
    Probe("api:create_stock_move", expect="check", check=_api_post_refused),
]
