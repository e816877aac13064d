"""Field deliveries racing each other (PostgreSQL, real threads): a double tap or a retry that overtakes
the original issues once; two team members delivering to the same person cannot both succeed."""

from __future__ import annotations

import threading
from datetime import date

import pytest
from django.db import connection, connections

from onedoor.core.exceptions import Conflict

pytestmark = pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks under concurrency: PostgreSQL")


def _race(workers: int, work) -> tuple[list, list]:
    barrier = threading.Barrier(workers)
    done, refused = [], []

    def run(index: int) -> None:
        try:
            barrier.wait(timeout=10)
            done.append(work(index))
        except Conflict as exc:
            refused.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return done, refused


def _ready(make_campaign):
    from onedoor.relief.campaigns import generate_roster
    from onedoor.relief.models import RosterEntry

    cw = make_campaign()
    generate_roster(cw.campaign, actor=cw.stock.keeper, on=date(2026, 11, 20))
    return cw, RosterEntry.objects.get(campaign=cw.campaign, person=cw.yang)


@pytest.mark.django_db(transaction=True)
def test_the_same_submission_four_times_at_once_delivers_once(make_campaign, world, signature_png):
    from onedoor.ledger.models import AssistanceRecord
    from onedoor.relief.actions import on_hand, verify_balances
    from onedoor.relief.campaigns import deliver, image_file
    from onedoor.relief.models import Delivery

    cw, entry = _ready(make_campaign)
    clerk = world.user("clerk.wuxian")
    done, refused = _race(4, lambda i: deliver(
        entry, actor=clerk, idempotency_key="tap-tap-tap",
        signature=image_file(signature_png, content_type="image/png", field="signature", name="sig")))
    assert refused == []
    assert len({delivery.pk for delivery, _created in done}) == 1
    assert sorted(created for _delivery, created in done) == [False, False, False, True]
    assert Delivery.objects.count() == 1
    assert AssistanceRecord.objects.filter(person=cw.yang).count() == 1
    assert on_hand(cw.stock.wuxian, cw.stock.quilt) == 19
    assert verify_balances() == []


@pytest.mark.django_db(transaction=True)
def test_two_team_members_delivering_to_the_same_person_cannot_both_succeed(make_campaign, world, signature_png):
    from onedoor.relief.actions import on_hand
    from onedoor.relief.campaigns import AlreadyDelivered, deliver, image_file

    cw, entry = _ready(make_campaign)
    clerk = world.user("clerk.wuxian")
    done, refused = _race(3, lambda i: deliver(
        entry, actor=clerk, idempotency_key=f"member-{i}",
        signature=image_file(signature_png, content_type="image/png", field="signature", name="sig")))
    assert len(done) == 1 and len(refused) == 2
    assert all(isinstance(exc, AlreadyDelivered) for exc in refused)
    assert on_hand(cw.stock.wuxian, cw.stock.quilt) == 19
