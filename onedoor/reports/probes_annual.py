"""Out-of-scope probes of the annual report and monthly statistics (see probes.py).

The 莲花镇 clerk against a one-off payment disbursed to a 五显镇 resident (五显测试人, 818.18 yuan, so a figure
that leaked would show that amount): the pages, files and JSON computed for the clerk hold neither the name
nor the amount, and asking for 五显镇's area answers 404 (never the other town's name or figures)."""

from __future__ import annotations

import io
from typing import Any

from django.urls import reverse

from onedoor.core.probes import FOREIGN_MARKER, Probe

FOREIGN_AMOUNT = "818.18"


def foreign_ledger_row(world: Any):
    """A disbursed one-off payment of 五显镇 (and so a cash ledger row in 五显镇), made once."""
    from onedoor.aid.actions import disburse_payment
    from onedoor.aid.models import AidPayment
    from onedoor.aid.probes import _approved, foreign_fund

    payment = AidPayment.objects.filter(area__code__startswith="350212110", amount=FOREIGN_AMOUNT,
                                        status="disbursed").first()
    if payment is None:
        foreign_fund(world)
        payment = _approved(world, "one_off_cash", FOREIGN_AMOUNT).aid_payment
        if payment.status != "disbursed":
            payment = disburse_payment(payment, actor=world.user("finance"))
    return payment


def xlsx_sheets(content: bytes) -> dict[str, list[list[Any]]]:
    """Every sheet of an xlsx file as rows of cell values (read back with calamine)."""
    from python_calamine import CalamineWorkbook

    book = CalamineWorkbook.from_filelike(io.BytesIO(content))
    return {name: book.get_sheet_by_name(name).to_python() for name in book.sheet_names}


def _text_of(response) -> str:
    content_type = response.get("Content-Type", "")
    if "spreadsheet" in content_type:
        return "\n".join(str(cell) for rows in xlsx_sheets(response.content).values() for row in rows
                         for cell in row)
    if "pdf" in content_type:
        from pypdf import PdfReader

        return "\n".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(response.content)).pages)
    return response.content.decode()


def _closed_and_clean(route: str, query: dict | None = None, foreign_query: dict | None = None):
    """The clerk's own figures hold nothing of 五显镇; naming 五显镇's area answers 404."""

    def check(client, world) -> None:
        foreign_ledger_row(world)
        url = reverse(route)
        response = client.get(url, query or {})
        assert response.status_code == 200, f"{route} answered {response.status_code}"
        text = _text_of(response)
        assert FOREIGN_MARKER not in text and FOREIGN_AMOUNT not in text, f"{route} shows 五显镇's figures"
        response = client.get(url, {**(query or {}), **(foreign_query or {"area": world.wuxian.code})})
        assert response.status_code == 404, f"{route} answered {response.status_code} for 五显镇's area"

    return check


def _drill_check(client, world) -> None:
    payment = foreign_ledger_row(world)
    year = str(payment.disbursed_on.year)
    url = reverse("reports:drill")
    for figure in ("subsidies", "applications", "tasks", "decided"):
        response = client.get(url, {"figure": figure, "year": year})
        assert response.status_code == 200, f"drill {figure} answered {response.status_code}"
        body = response.content.decode()
        assert FOREIGN_MARKER not in body and FOREIGN_AMOUNT not in body, f"drill {figure} shows 五显镇's records"
        response = client.get(url, {"figure": figure, "year": year, "area": world.wuxian.code})
        assert response.status_code == 404
    response = client.get(url, {"figure": "subsidies", "year": year, "policy": str(payment.policy_id)})
    assert response.status_code == 200 and FOREIGN_MARKER not in response.content.decode()


PROBES: list = [
    Probe("reports:index", expect="absent", given=foreign_ledger_row),
    Probe("reports:annual", expect="check", check=_closed_and_clean("reports:annual")),
    Probe("reports:annual_xlsx", expect="check", check=_closed_and_clean("reports:annual_xlsx")),
    Probe("reports:annual_pdf", expect="check", check=_closed_and_clean("reports:annual_pdf")),
    Probe("reports:drill", expect="check", check=_drill_check),
    Probe("reports:monthly", expect="check", check=_closed_and_clean("reports:monthly")),
    Probe("reports:monthly_xlsx", expect="check", check=_closed_and_clean("reports:monthly_xlsx")),
    Probe("api:annual_report", expect="check", check=_closed_and_clean("api:annual_report")),
    Probe("api:monthly_statistics", expect="check", check=_closed_and_clean("api:monthly_statistics")),
]
