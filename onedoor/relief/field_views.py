"""The phone pages a town team uses in the field (入户发放): its active campaigns, the villages it may
deliver in with what is pending and delivered, a village's list ordered by address, and one target's
page with the delivery form (quantities, signature on the screen or a photo of the signed sheet) and the
buttons for the other outcomes (refused, unreachable, moved away, deceased).

Every read is `RosterEntry.objects.visible_to(user, "deliver")` (or the roster selector with
action="deliver"), so a team sees and opens only the entries it may deliver; anything else is 404.

A delivery carries the idempotency key generated when the form was rendered. field.js submits it with
fetch and retries after a network failure with the same key; `campaigns.deliver` returns the first
delivery for a key it has seen, so a double tap or a retry after a lost answer issues once, and this
view answers a retry with the same success. Without JavaScript the form posts normally."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.db.models import Count
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from onedoor.core.exceptions import DomainError
from onedoor.core.scoping import get_visible_or_404
from onedoor.geo.models import Area

from . import campaigns, selectors
from .campaigns import MAX_IMAGE_BYTES
from .choices import CampaignStatus, EntryStatus
from .field_forms import FIELD_OUTCOMES, DeliveryForm, OutcomeForm
from .models import Campaign, Delivery, RosterEntry

# Rows on one village page or one search; a village rarely has more than a few dozen targets.
LIST_LIMIT = 300
OPEN = (EntryStatus.PENDING, EntryStatus.UNREACHABLE)


def _wants_json(request) -> bool:
    return request.headers.get("Accept", "").startswith("application/json")


def _campaign_or_404(user: Any, pk: int) -> Campaign:
    """A campaign the user may see whose roster is frozen (a draft has nothing to deliver)."""
    return get_visible_or_404(user, Campaign.objects.exclude(status=CampaignStatus.DRAFT), pk=pk)


def _deliverable(user: Any):
    return RosterEntry.objects.visible_to(user, "deliver")


def _entry_or_404(user: Any, pk: int) -> RosterEntry:
    queryset = (RosterEntry.objects.exclude(campaign__status=CampaignStatus.DRAFT)
                .select_related("campaign", "person", "area", "town", "category", "status_by"))
    return get_visible_or_404(user, queryset, "deliver", pk=pk)


def _tally(rows) -> dict[str, dict[str, int]]:
    """(key, status, n) rows → {key: {"pending": …, "delivered": …, "other": …, "total": …}}."""
    counts: dict[str, dict[str, int]] = {}
    for key, status, n in rows:
        row = counts.setdefault(key, {"open": 0, "delivered": 0, "other": 0, "total": 0})
        bucket = "open" if status in OPEN else "delivered" if status == EntryStatus.DELIVERED else "other"
        row[bucket] += n
        row["total"] += n
    return counts


# --- lists -------------------------------------------------------------------------------------

@login_required
def home(request):
    """The user's active campaigns with how many of their targets are still open (two queries)."""
    active = list(selectors.campaigns(request.user, status=CampaignStatus.ACTIVE).order_by("-starts_on", "-pk"))
    counts = _tally(_deliverable(request.user).filter(campaign__in=[c.pk for c in active]).order_by()
                    .values_list("campaign_id", "status").annotate(n=Count("pk")))
    rows = [{"campaign": c, "counts": counts.get(c.pk)} for c in active]
    return render(request, "relief/field/home.html", {"rows": rows})


def _search(campaign: Campaign, user: Any, q: str) -> list[RosterEntry]:
    return list(selectors.roster(campaign, user, q=q, action="deliver")[:LIST_LIMIT])


@login_required
def campaign_villages(request, campaign: int):
    """The villages of a campaign the user may deliver in, each with open / delivered counts; a search
    by name or ID digits across all of them."""
    campaign = _campaign_or_404(request.user, campaign)
    counts = _tally(_deliverable(request.user).filter(campaign=campaign).order_by()
                    .values_list("area_id", "status").annotate(n=Count("pk")))
    areas = Area.objects.filter(code__in=counts).select_related("parent").order_by("code")
    villages = [{"area": area, "counts": counts[area.code]} for area in areas]
    q = request.GET.get("q", "").strip()[:30]
    return render(request, "relief/field/campaign.html", {
        "campaign": campaign, "villages": villages, "q": q,
        "results": _search(campaign, request.user, q) if q else None,
        "towns": len({v["area"].parent_id for v in villages}) > 1,
    })


@login_required
def village(request, campaign: int, area: str):
    """One village's targets in address order, for walking from door to door (four queries)."""
    campaign = _campaign_or_404(request.user, campaign)
    if not _deliverable(request.user).filter(campaign=campaign, area_id=area).exists():
        raise Http404(_("没有找到，或者您无权查看。"))
    place = Area.objects.select_related("parent").get(code=area)
    q = request.GET.get("q", "").strip()[:30]
    show = request.GET.get("show", "")
    entries = selectors.roster(campaign, request.user, area=area, q=q, action="deliver").filter(area_id=area)
    if show == "open":
        entries = entries.filter(status__in=OPEN)
    return render(request, "relief/field/village.html", {
        "campaign": campaign, "village": place, "entries": list(entries[:LIST_LIMIT]), "q": q, "show": show,
        "limit": LIST_LIMIT,
    })


# --- one target ----------------------------------------------------------------------------------

def _render_entry(request, entry: RosterEntry, *, form: DeliveryForm | None = None,
                  outcome_form: OutcomeForm | None = None, status: int = 200) -> HttpResponse:
    campaign = entry.campaign
    lines = list(campaign.items.select_related("item").order_by("item__name"))
    delivery = None
    if entry.status == EntryStatus.DELIVERED:
        delivery = (Delivery.objects.select_related("actor", "store").prefetch_related("lines__item")
                    .filter(entry=entry).first())
    can_act = campaign.status == CampaignStatus.ACTIVE and entry.status not in (EntryStatus.DELIVERED,
                                                                                 EntryStatus.DECEASED)
    may_deliver = can_act and entry.status in (EntryStatus.PENDING, EntryStatus.UNREACHABLE, EntryStatus.REFUSED)
    # Messages shown on top: the form's own, those about hidden fields (the signature, the key), and
    # all of them when the form is no longer offered (a death found at the door, delivered meanwhile).
    errors: list[str] = []
    for shown, bound in ((may_deliver, form), (can_act, outcome_form)):
        if bound is not None and bound.errors:
            errors += [str(m) for name, messages in bound.errors.items() for m in messages
                       if not shown or name == "__all__" or bound.fields[name].widget.is_hidden]
    return render(request, "relief/field/entry.html", {
        "entry": entry, "campaign": campaign, "lines": lines, "delivery": delivery, "errors": errors,
        "store": campaigns.store_for(entry) if may_deliver else None,
        "form": (form or DeliveryForm(lines=lines)) if may_deliver else None,
        "outcome_form": (outcome_form or OutcomeForm()) if can_act else None,
        "outcomes": [(s.value, s.label) for s in FIELD_OUTCOMES if s != entry.status] if can_act else [],
        "may_reopen": can_act and entry.status in (EntryStatus.REFUSED, EntryStatus.MOVED, EntryStatus.UNREACHABLE),
        "done": request.GET.get("done") == "1",
        "village_url": reverse("relief:field_village", args=[campaign.pk, entry.area_id]) + f"#entry-{entry.pk}",
    }, status=status)


def _uploaded_image(upload, *, field: str, name: str):
    if upload is None:
        return None
    if upload.size > MAX_IMAGE_BYTES:
        raise DomainError(_("图片过大（不超过 2 MB），请重新拍照或压缩后上传。"), code="image_too_large",
                          details={"field": field})
    return campaigns.image_file(upload.read(), content_type=upload.content_type or "", field=field, name=name)


def _refused(form, exc: DomainError) -> None:
    details = exc.details if isinstance(exc.details, dict) else {}
    field = details.get("field")
    form.add_error(field if field in form.fields else None, exc.message)


def _form_errors(form) -> list[str]:
    return [str(message) for messages in form.errors.values() for message in messages]


@never_cache
@login_required
def entry_page(request, pk: int):
    """GET: the target and the delivery form. POST: deliver (once per idempotency key)."""
    entry = _entry_or_404(request.user, pk)
    if request.method != "POST":
        return _render_entry(request, entry)
    lines = list(entry.campaign.items.select_related("item").order_by("item__name"))
    form = DeliveryForm(request.POST, request.FILES, lines=lines)
    status = 422
    if form.is_valid():
        data = form.cleaned_data
        try:
            signature = (campaigns.image_from_data_url(data["signature"], field="signature", name="signature")
                         if data["signature"] else None)
            delivery, created = campaigns.deliver(
                entry, actor=request.user, quantities=form.quantities(), signature=signature,
                signed_sheet=_uploaded_image(data["signed_sheet"], field="signed_sheet", name="sheet"),
                photo=_uploaded_image(data["photo"], field="photo", name="photo"),
                recipient_name=data["recipient_name"], note=data["note"], idempotency_key=data["idempotency_key"])
        except DomainError as exc:
            _refused(form, exc)
            status = exc.status if exc.status in (403, 409) else 422
        else:
            done = reverse("relief:field_entry", args=[delivery.entry_id]) + "?done=1"
            if _wants_json(request):
                return JsonResponse({"ok": True, "created": created, "delivery": delivery.pk, "redirect": done})
            return redirect(done)
    if _wants_json(request):
        return JsonResponse({"ok": False, "message": "；".join(_form_errors(form)),
                             "errors": form.errors.get_json_data()}, status=status)
    entry.refresh_from_db()  # a refusal may have changed it (a death found at the door marks it deceased)
    return _render_entry(request, entry, form=form, status=status)


@never_cache
@login_required
@require_POST
def entry_outcome(request, pk: int):
    """Refused / unreachable / moved away / deceased with what the team found; or back to pending."""
    entry = _entry_or_404(request.user, pk)
    form = OutcomeForm(request.POST)
    if form.is_valid():
        status = form.cleaned_data["status"]
        try:
            if entry.status != status:  # a retry of an outcome already recorded is the same success
                campaigns.set_entry_status(entry, status, actor=request.user, note=form.cleaned_data["note"])
        except DomainError as exc:
            _refused(form, exc)
            entry.refresh_from_db()
            return _render_entry(request, entry, outcome_form=form, status=exc.status if exc.status in (403, 409)
                                 else 422)
        return redirect(reverse("relief:field_entry", args=[entry.pk]) + "?done=1")
    return _render_entry(request, entry, outcome_form=form, status=422)
