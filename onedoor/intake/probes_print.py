"""Out-of-scope probes of the printed documents (aggregated into intake/probes.py): the 莲花镇 clerk
asking for a 五显镇 application's receipt, its 补正 notice, a 公示 of one of its tasks or the notice list
of a 五显镇 village gets 404 — the same answer as for a document that does not exist."""

from __future__ import annotations

import itertools
from datetime import date, timedelta
from decimal import Decimal

from onedoor.core.idnumber import make_id_number
from onedoor.core.probes import Probe

_serial = itertools.count()


def _wuxian_application(world, *, documents_missing: bool = False):
    from onedoor.intake.actions import ReceivedDocument, submit_application
    from onedoor.policies.models import Policy
    from onedoor.registry.actions import register_person

    policy, _ = Policy.objects.get_or_create(code="probe-print-dibao", defaults={
        "name": "探针低保", "department": world.org("区民政局"), "kind": "monthly_cash",
        "notice_required": True, "required_documents": ["探针材料"]})
    n = next(_serial)
    person = register_person(actor=world.user("clerk.wuxian"), data={
        "name": "五显打印人", "id_number": make_id_number("350212", date(1955, 1, 1) + timedelta(days=n), 501 + 2 * n),
        "residence_area": world.wuxian_village})
    received = [] if documents_missing else [ReceivedDocument("探针材料")]
    return submit_application(actor=world.user("clerk.wuxian"), applicant=person, policies=[policy],
                              window=world.org("五显镇"), documents=received)


def _wuxian_notice(world):
    from onedoor.intake import actions

    task = _wuxian_application(world).tasks.get()
    handler = world.user("handler.mz")
    actions.accept_task(task, actor=handler)
    actions.start_investigation(task, actor=handler)
    actions.propose_decision(task, actor=handler, note="五显探针", amount=Decimal("100.00"))
    return actions.publish_notice(task, actor=handler)


PROBES = [
    Probe("intake_print:receipt", kwargs=lambda w: {"receipt_no": _wuxian_application(w).receipt_no}),
    Probe("intake_print:supplement",
          kwargs=lambda w: {"pk": _wuxian_application(w, documents_missing=True).supplement_notices.get().pk}),
    Probe("intake_print:notice", kwargs=lambda w: {"pk": _wuxian_notice(w).pk}),
    Probe("intake_print:village_notices", kwargs=lambda w: {"code": _wuxian_notice(w).place_id}),
]
