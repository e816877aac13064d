"""Out-of-scope probes of the import and export routes: a batch that the 五显镇 clerk uploaded for
五显镇 must be invisible to the 莲花镇 clerk (404 on every route about it, absent from lists), and
the export and the template must hold nothing of 五显镇."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.urls import reverse

from onedoor.core.probes import FOREIGN_MARKER, Probe


def foreign_batch(world: Any):
    """A validated batch of the 五显镇 clerk: one good row and one possible duplicate, both in 五显镇."""
    from django.core.files.base import ContentFile

    from onedoor.core.idnumber import make_id_number

    from . import actions

    clerk = world.user("clerk.wuxian")
    village = world.wuxian_village
    number = make_id_number("350212", date(1950, 1, 2), 991)
    text = ("姓名,身份证号,性别,出生日期,区划代码,住址\n"
            f"吴五显,{number},,,{village.code},五显镇某路\n"
            f"吴五显,,男,1950-01-02,{village.code},五显镇某路\n")
    batch = actions.create_import_batch(actor=clerk, file=ContentFile(text.encode()), filename="五显镇台账.csv",
                                         area=world.wuxian)
    return actions.validate_import_batch(actor=clerk, batch=batch)


def _batch(world: Any) -> dict:
    return {"batch_id": foreign_batch(world).pk}


def _registry_counts() -> tuple:
    from onedoor.core.models import Job

    from .models import Person, RegistryEvent

    return Person.objects.count(), RegistryEvent.objects.count(), Job.objects.count()


def _refused(route: str, *, data: dict | None = None, row: bool = False):
    """POST to the route about the foreign batch: 404, and nothing changes (no job, no person)."""

    def check(client, world) -> None:
        batch = foreign_batch(world)
        kwargs = {"batch_id": batch.pk, **({"row_number": 3} if row else {})}
        before = _registry_counts()
        response = client.post(reverse(route, kwargs=kwargs), data or {})
        assert response.status_code == 404, f"{route} answered {response.status_code}"
        assert _registry_counts() == before, f"{route} changed something"
        batch.refresh_from_db()
        assert batch.status == "validated" and not batch.rows.filter(decision__gt="").exists()

    return check


def _template_has_no_foreign_village(client, world) -> None:
    import io

    from onedoor.core.tabular import read_rows

    response = client.get(reverse("registry_import:template"))
    assert response.status_code == 200
    content = b"".join(response) if response.streaming else response.content
    names = [row["名称"] for _, row in read_rows(io.BytesIO(content), filename="t.xlsx", sheet="村(社区)代码")]
    assert names and not any(FOREIGN_MARKER in name for name in names)


def _export_has_no_foreign_person(client, world) -> None:
    from django.test import TestCase

    from onedoor.core.idnumber import make_id_number
    from onedoor.core.models import Job
    from onedoor.core.tabular import read_rows

    from .actions import register_person

    register_person(actor=None, data={"name": "吴五显", "id_number": make_id_number("350212", date(1950, 1, 2), 993),
                                      "residence_area": world.wuxian_village})
    register_person(actor=None, data={"name": "黄莲花", "id_number": make_id_number("350212", date(1951, 1, 2), 995),
                                      "residence_area": world.lianhua_village})
    page = client.get(reverse("registry_import:export"))
    assert page.status_code == 200 and FOREIGN_MARKER not in page.content.decode()
    with TestCase.captureOnCommitCallbacks(execute=True):
        response = client.post(reverse("registry_import:export"), {})
    assert response.status_code == 302
    job = Job.objects.filter(kind="registry.export_persons").latest("pk")
    with job.result_file.open("rb") as handle:
        rows = [values for _, values in read_rows(handle, filename="export.xlsx")]
    assert "黄莲花" in [row["姓名"] for row in rows]
    assert not any(FOREIGN_MARKER in cell for row in rows for cell in row.values())


PROBES = [
    Probe("registry_import:batch_list", expect="absent", given=foreign_batch),
    Probe("registry_import:batch_new", expect="absent"),
    Probe("registry_import:template", expect="check", check=_template_has_no_foreign_village),
    Probe("registry_import:export", expect="check", check=_export_has_no_foreign_person),
    Probe("registry_import:batch_detail", kwargs=_batch),
    Probe("registry_import:batch_state", kwargs=_batch),
    Probe("registry_import:batch_report", kwargs=_batch),
    Probe("registry_import:batch_commit", expect="check", check=_refused("registry_import:batch_commit")),
    Probe("registry_import:batch_rollback", expect="check", check=_refused("registry_import:batch_rollback")),
    Probe("registry_import:row_decide", expect="check",
          check=_refused("registry_import:row_decide", data={"decision": "new"}, row=True)),
]
