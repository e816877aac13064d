from __future__ import annotations

import io

from onedoor.core.probes import FOREIGN_MARKER, Probe


def _area(world) -> dict:
    return {"code": world.wuxian_village.code}


def _print_has_no_foreign_area(client, world) -> None:
    from pypdf import PdfReader

    response = client.get("/areas/print.pdf")
    assert response.status_code == 200
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    assert "莲花镇" in text and FOREIGN_MARKER not in text


def _export_has_no_foreign_area(client, world) -> None:
    from django.test import TestCase

    from onedoor.core.models import Job
    from onedoor.core.tabular import read_rows

    with TestCase.captureOnCommitCallbacks(execute=True):
        response = client.post("/areas/export/")
    assert response.status_code == 302
    job = Job.objects.filter(kind="geo.export_areas").latest("pk")
    with job.result_file.open("rb") as handle:
        names = [row["名称"] for _, row in read_rows(handle, filename="areas.xlsx")]
    assert "莲花镇" in names and not any(FOREIGN_MARKER in name for name in names)


PROBES = [
    Probe("geo:area_list", expect="absent", query={"q": "wx"}),
    Probe("geo:area_list", expect="absent"),
    Probe("geo:area_detail", kwargs=_area),
    Probe("geo:area_print", expect="check", check=_print_has_no_foreign_area),
    Probe("geo:area_export", expect="check", check=_export_has_no_foreign_area),
    Probe("api:list_areas", expect="absent", query={"q": "wx"}),
    Probe("api:get_area", kwargs=_area),
    Probe("api:area_children", kwargs=lambda w: {"code": w.wuxian.code}),
]
