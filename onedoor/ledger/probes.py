"""Out-of-scope probes of the ledger's routes: the 莲花镇 clerk against the records of a 五显镇 resident
(named 五显测试人) who received cash from two departments — a planted duplicate that the 莲花镇 clerk's
list, duplicate check and exports must not show."""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal
from typing import Any

from django.urls import reverse

from onedoor.core.probes import FOREIGN_MARKER, Probe


def foreign_records(world: Any) -> list:
    from onedoor.registry.probes_pages import foreign_person

    from .actions import record_assistance

    person = foreign_person(world)
    common = {"person": person, "area": person.residence_area_id, "on": date(2026, 3, 5), "kind": "cash",
              "amount": Decimal("300.00"), "actor": world.user("finance")}
    return [
        record_assistance(department=world.org("区民政局"), source=person, programme="五显镇春节慰问", **common),
        record_assistance(department=world.org("五显镇"), source=world.org("五显镇"), programme="五显镇困难补助",
                          **common),
    ]


def export_is_clean(route: str):
    """POST the export, run its job, and read the xlsx: nothing of 五显镇, and the job is the clerk's own."""

    def check(client, world) -> None:
        from django.test import TestCase

        from onedoor.core.models import Job
        from onedoor.core.tabular import read_rows

        foreign_records(world)
        with TestCase.captureOnCommitCallbacks(execute=True):
            response = client.post(reverse(route), {})
        assert response.status_code == 302, f"{route} answered {response.status_code}"
        job = Job.objects.filter(created_by=world.user("clerk.lianhua")).latest("pk")
        assert job.status == "succeeded", job.message
        with job.result_file.open("rb") as handle:
            content = handle.read()
        cells = [str(v) for _, row in read_rows(io.BytesIO(content), filename="x.xlsx") for v in row.values()]
        assert not any(FOREIGN_MARKER in cell for cell in cells), f"{route} exported 五显镇 rows"

    return check


PROBES = [
    Probe("ledger:record_list", expect="absent", given=foreign_records),
    Probe("ledger:record_list", expect="absent", given=foreign_records, query={"area": "350212110000"}),
    Probe("ledger:duplicate_list", expect="absent", given=foreign_records),
    Probe("ledger:record_export", expect="check", check=export_is_clean("ledger:record_export")),
    Probe("ledger:duplicate_export", expect="check", check=export_is_clean("ledger:duplicate_export")),
]
