"""The printed documents of intake, as PDF bytes: the 受理回执 an applicant takes home, the 补正告知书
listing everything missing, the 公示 notice of a proposed decision and the list of all notices running in
a village. Rendered from templates under `intake/print/` by `core.pdf.render_pdf` (A4, CJK font).

Nothing printed carries a full ID number: the receipt and the 补正 notice show it masked, a 公示 never
shows one (and masks any that a notice's stored content should ever hold).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from onedoor.accounts.choices import OrganisationKind
from onedoor.accounts.models import Organisation
from onedoor.core.idnumber import mask_id_number
from onedoor.core.pdf import render_pdf
from onedoor.geo.choices import VILLAGE_LEVELS
from onedoor.geo.models import Area

from .choices import Channel, TaskState
from .models import Application, PublicNotice, SupplementNotice

# An 18-character ID number anywhere in free text (stored notice content, notes).
ID_NUMBER_IN_TEXT = re.compile(r"(?<![0-9A-Za-z])[0-9]{17}[0-9Xx](?![0-9A-Za-z])")

__all__ = ["notice_pdf", "receipt_pdf", "scrub_id_numbers", "supplement_pdf", "village_notices_pdf"]


def scrub_id_numbers(text: Any) -> str:
    """The text with every ID number in it masked (350212********1234)."""
    return ID_NUMBER_IN_TEXT.sub(lambda match: mask_id_number(match.group(0)), str(text or ""))


def _masked_id(person) -> str:
    return mask_id_number(person.id_number) if person.id_number else "—"


def _bureau() -> Organisation | None:
    return Organisation.objects.filter(kind=OrganisationKind.BUREAU, is_active=True).order_by("pk").first()


def _printed_at() -> str:
    return f"{timezone.localtime():%Y-%m-%d %H:%M}"


def _area_label(area: Area) -> str:
    if area.level in VILLAGE_LEVELS and area.parent is not None:  # a village: name its town too
        return f"{area.parent.name}{area.name}"
    return area.name


def _open_supplements(application: Application) -> list[dict]:
    rows = []
    for notice in application.supplement_notices.filter(resolved_on__isnull=True).order_by("issued_on", "pk"):
        rows.extend(notice.missing)
    return rows


def receipt_context(application: Application, *, status_url: str) -> dict[str, Any]:
    tasks = list(application.tasks.select_related("policy", "department").order_by("pk"))
    return {
        "title": "受理回执",
        "subtitle": f"受理编号：{application.receipt_no}",
        "application": application,
        "submitted_on": timezone.localtime(application.submitted_at).date(),
        "channel_label": Channel(application.channel).label,
        "is_online": application.channel == Channel.ONLINE,
        "applicant_name": application.applicant.name,
        "masked_id": _masked_id(application.applicant),
        "tasks": tasks,
        "returned_state": TaskState.RETURNED,
        "documents": list(application.documents.order_by("received_at", "pk")),
        "supplements": _open_supplements(application),
        "window": application.window,
        "clerk_name": (application.clerk.get_full_name() or str(application.clerk)) if application.clerk else "",
        "status_url": status_url,
        "printed_at": _printed_at(),
    }


def receipt_pdf(application: Application, *, status_url: str) -> bytes:
    """The 受理回执: what was asked, who handles it by when, what was handed in, how to follow it."""
    return render_pdf("intake/print/receipt.html", receipt_context(application, status_url=status_url))


def supplement_context(notice: SupplementNotice, *, status_url: str) -> dict[str, Any]:
    application = notice.application
    return {
        "title": "补正材料告知书",
        "subtitle": f"受理编号：{application.receipt_no}",
        "notice": notice,
        "application": application,
        "submitted_on": timezone.localtime(application.submitted_at).date(),
        "applicant_name": application.applicant.name,
        "masked_id": _masked_id(application.applicant),
        "missing": notice.missing,
        "note": scrub_id_numbers(notice.note),
        "window": application.window,
        "status_url": status_url,
        "printed_at": _printed_at(),
    }


def supplement_pdf(notice: SupplementNotice, *, status_url: str) -> bytes:
    """The 补正告知书: everything missing, per policy, at once; the time limit waits meanwhile."""
    return render_pdf("intake/print/supplement.html", supplement_context(notice, status_url=status_url))


def notice_row(notice: PublicNotice) -> dict[str, str]:
    """What one line of a 公示 shows: name, household size, amount or goods — never an ID number."""
    content = notice.content or {}
    amount = scrub_id_numbers(content.get("amount", ""))
    goods = scrub_id_numbers(content.get("goods", ""))
    return {
        "name": scrub_id_numbers(content.get("name", "")),
        "household_size": scrub_id_numbers(content.get("household_size", "")),
        "amount": amount,
        "goods": goods,
        "policy": scrub_id_numbers(content.get("policy", "") or notice.task.policy.name),
    }


def _objection_office(notices: Iterable[PublicNotice]) -> Organisation | None:
    for notice in notices:
        return notice.task.application.window
    return None


def notice_context(notice: PublicNotice) -> dict[str, Any]:
    row = notice_row(notice)
    return {
        "title": f"{row['policy']}公示",
        "notice": notice,
        "policy": notice.task.policy,
        "rows": [row],
        "place_label": _area_label(notice.place),
        "office": notice.task.application.window,
        "bureau": _bureau(),
        "printed_at": _printed_at(),
    }


def notice_pdf(notice: PublicNotice) -> bytes:
    """The 公示 of one proposed decision, to be posted in the applicant's village or community."""
    return render_pdf("intake/print/notice.html", notice_context(notice))


def village_notices_context(place: Area, notices: QuerySet[PublicNotice] | list[PublicNotice]) -> dict[str, Any]:
    notices = list(notices)
    rows = [{**notice_row(notice), "starts_on": notice.starts_on, "ends_on": notice.ends_on} for notice in notices]
    return {
        "title": f"{_area_label(place)}社会救助公示",
        "place_label": _area_label(place),
        "rows": rows,
        "office": _objection_office(notices),
        "bureau": _bureau(),
        "printed_at": _printed_at(),
    }


def village_notices_pdf(place: Area, notices: QuerySet[PublicNotice] | list[PublicNotice]) -> bytes:
    """Every running 公示 of a village on one sheet (what the village notice board shows)."""
    return render_pdf("intake/print/village_notices.html", village_notices_context(place, notices))
