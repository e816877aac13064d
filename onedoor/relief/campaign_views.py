"""Campaign pages at the desk (送温暖活动): the list and the create form, a campaign's page with its
coverage dashboard, the items and team forms, roster generation and the summary export (both jobs),
the roster with its filters, late additions and outcomes, the village remaining list and sign-off sheet.

Every campaign is looked up through `Campaign.objects.visible_to` (404 outside it); the roster and the
coverage come from `relief.selectors`, which scope each entry by its village, so a town team sees the
district's campaign but only its own towns and people. Changing a campaign needs the "manage" scope
(403 otherwise); each form calls one action in relief/campaigns.py and shows its Chinese message."""

from __future__ import annotations

import re
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from onedoor.core.exceptions import DomainError
from onedoor.core.paging import paginate, querystring_without_page
from onedoor.core.pdf import render_pdf
from onedoor.core.scoping import get_visible_or_404
from onedoor.geo.models import Area
from onedoor.registry.models import Person

from . import campaign_exports, selectors, tasks
from .campaign_forms import (
    AddToRosterForm,
    CampaignForm,
    CloseForm,
    EntryStatusForm,
    ItemsForm,
    RosterFilterForm,
    TeamForm,
    managed_areas,
    viewed_towns_q,
)
from .campaigns import (
    TeamSpec,
    add_to_roster,
    close_campaign,
    create_campaign,
    set_entry_status,
    set_items,
    set_team,
)
from .choices import CampaignStatus, EntryStatus
from .models import STOCK_VIEWERS, Campaign, CampaignEvent, CampaignTeam, RosterEntry
from .selectors import CoverageRow

AREA_CODE = re.compile(r"^\d{12}$")
EVENTS_SHOWN = 50
SEARCH_SHOWN = 20
EVENT_LABELS = {
    "created": gettext_lazy("创建活动"), "items_changed": gettext_lazy("修改发放物资"),
    "team_set": gettext_lazy("设置发放队伍"), "roster_generated": gettext_lazy("生成名单"),
    "entry_added": gettext_lazy("补充对象"), "status_changed": gettext_lazy("更改状态"),
    "closed": gettext_lazy("结束活动"),
}


def _campaigns():
    return Campaign.objects.select_related("area", "organisation", "store", "created_by")


def _campaign(request, pk: int) -> Campaign:
    return get_visible_or_404(request.user, _campaigns(), pk=pk)


def _can_manage(user: Any, campaign: Campaign) -> bool:
    return Campaign.objects.visible_to(user, "manage").filter(pk=campaign.pk).exists()


def _managed(request, pk: int) -> Campaign:
    """A campaign the user may change: 404 if they cannot see it, 403 if they only see it."""
    campaign = _campaign(request, pk)
    if not _can_manage(request.user, campaign):
        raise PermissionDenied
    return campaign


def _errors_onto(form, exc: DomainError) -> None:
    details = exc.details if isinstance(exc.details, dict) else {}
    field = details.get("field")
    form.add_error(field if field in form.fields else None, exc.message)


def _area_code(value: str | None) -> str:
    value = (value or "").strip()
    return value if AREA_CODE.match(value) else ""


def _visible_area(request, code: str) -> Area:
    """A village (or town) the user may see, named in the URL."""
    return get_visible_or_404(request.user, Area, code=code)


# --- the list and the create form -------------------------------------------------------------------

def _with_figures(user: Any, campaigns: list[Campaign]) -> None:
    """Each campaign's targets and delivered share as the user sees them: one grouped query."""
    counts: dict[int, CoverageRow] = {c.pk: CoverageRow(str(c.pk), c.name) for c in campaigns}
    rows = (RosterEntry.objects.visible_to(user).filter(campaign__in=list(counts)).order_by()
            .values_list("campaign_id", "status").annotate(n=Count("pk")))
    for campaign_id, status, n in rows:
        counts[campaign_id].counts[status] = n
    for campaign in campaigns:
        campaign.figures = counts[campaign.pk]


@login_required
def campaign_list(request):
    status = request.GET.get("status", "")
    status = status if status in CampaignStatus.values else ""
    page = paginate(request, selectors.campaigns(request.user, status=status or None))
    _with_figures(request.user, list(page.object_list))
    return render(request, "relief/campaigns/list.html", {
        "page": page, "querystring": querystring_without_page(request), "status": status,
        "statuses": CampaignStatus.choices,
        "can_create": managed_areas(request.user, ("district", "town", "subdistrict", "farm")).exists(),
        "stock_tabs": request.user.has_role(*STOCK_VIEWERS, "admin"),
    })


@login_required
def campaign_create(request):
    form = CampaignForm(request.POST or None, user=request.user)
    if not form.fields["area"].queryset.exists():
        raise PermissionDenied
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            campaign = create_campaign(
                actor=request.user, name=data["name"], organisation=data["organisation"], area=data["area"],
                starts_on=data["starts_on"], ends_on=data["ends_on"], categories=data["categories"],
                items=data["items"], store=data["store"], target=data["target"], note=data["note"],
                teams=[TeamSpec(town=t["town"], store=t["store"], leader=t["leader"], phone=t["phone"])
                       for t in data["teams"]])
        except DomainError as exc:
            _errors_onto(form, exc)
        else:
            messages.success(request, _("已创建活动“%(name)s”。核对物资和队伍后即可生成名单。") % {"name": campaign})
            return redirect("relief:campaign_detail", pk=campaign.pk)
    return render(request, "relief/campaigns/form.html", {"form": form})


# --- a campaign's page ---------------------------------------------------------------------------

def _visible_teams(user: Any, campaign: Campaign) -> list[CampaignTeam]:
    condition = viewed_towns_q(user)
    if condition is None:
        return []
    return list(campaign.teams.filter(condition).select_related("town", "store", "organisation").order_by("town_id"))


def _events(user: Any, campaign: Campaign) -> list[CampaignEvent]:
    """The newest events the user may see: about the campaign, or about an entry they may see; a team
    of a town outside their scope is left out."""
    visible_entries = RosterEntry.objects.visible_to(user).filter(campaign=campaign).values("pk")
    events = list(campaign.events.filter(Q(entry__isnull=True) | Q(entry__in=visible_entries))
                  .select_related("actor", "entry__person").order_by("-occurred_at", "-pk")[:EVENTS_SHOWN])
    towns = {str(e.data.get("town")) for e in events if e.code == "team_set" and isinstance(e.data, dict)}
    condition = viewed_towns_q(user, "code")
    seen = dict(Area.objects.filter(condition, code__in=towns).values_list("code", "name")) \
        if towns and condition is not None else {}
    shown = []
    for event in events:
        if event.code == "team_set":
            town = str((event.data or {}).get("town"))
            if town not in seen:
                continue
            event.town_name = seen[town]
        event.label = EVENT_LABELS.get(event.code, event.code)
        event.from_label = EntryStatus(event.from_status).label if event.from_status in EntryStatus.values else ""
        event.to_label = EntryStatus(event.to_status).label if event.to_status in EntryStatus.values else ""
        shown.append(event)
    return shown


def chart_spec(coverage: Any, title: str) -> dict:
    """Delivered vs remaining (and closed otherwise) per row, for the stacked bar."""
    return {
        "title": title,
        "categories": [row.name for row in coverage.rows],
        "series": [
            {"name": _("已送达"), "data": [row.delivered for row in coverage.rows]},
            {"name": _("未送达"), "data": [row.remaining for row in coverage.rows]},
            {"name": _("拒收、已故、迁出"), "data": [row.closed_otherwise for row in coverage.rows]},
        ],
        "statement": coverage.statement,
        "total": {"targets": coverage.total.targets, "delivered": coverage.total.delivered,
                  "remaining": coverage.total.remaining, "percent": coverage.total.percent},
    }


def _coverage(request, campaign: Campaign) -> tuple[Any, Area | None]:
    town_code = _area_code(request.GET.get("town"))
    if not town_code:
        return selectors.coverage(campaign, request.user, by="town"), None
    town = Area.objects.filter(code=town_code).first()
    return selectors.coverage(campaign, request.user, by="village", within=town_code), town


@login_required
def campaign_detail(request, pk: int):
    campaign = _campaign(request, pk)
    coverage, town = _coverage(request, campaign)
    # A town outside the user's scope has no rows: say nothing about it, not even its name.
    if town is not None and not coverage.rows:
        town = Area(code=town.code, name=_("所选镇"))
    title = _("%(town)s各村送达情况") % {"town": town.name} if town else _("各镇送达情况")
    can_manage = _can_manage(request.user, campaign)
    return render(request, "relief/campaigns/detail.html", {
        "campaign": campaign, "coverage": coverage, "town": town,
        "overall": selectors.coverage(campaign, request.user, by="town") if town else coverage,
        "items": list(campaign.items.select_related("item")),
        "categories": list(campaign.categories.order_by("order", "pk")),
        "teams": _visible_teams(request.user, campaign), "events": _events(request.user, campaign),
        "chart": chart_spec(coverage, title), "chart_url": reverse("relief:campaign_coverage_json", args=[pk])
        + (f"?town={town.code}" if town else ""),
        "can_manage": can_manage, "job": tasks.latest_job(request.user, campaign),
        "close_form": CloseForm(),
    })


@never_cache
@login_required
def campaign_coverage_json(request, pk: int):
    """What the dashboard's chart polls every 30 s: the same figures as the page, for the same scope."""
    campaign = _campaign(request, pk)
    coverage, town = _coverage(request, campaign)
    title = _("各村送达情况") if town else _("各镇送达情况")
    return JsonResponse(chart_spec(coverage, title), json_dumps_params={"ensure_ascii": False})


@login_required
def campaign_items(request, pk: int):
    campaign = _managed(request, pk)
    form = ItemsForm(request.POST or None, campaign=campaign)
    if request.method == "POST" and campaign.roster_frozen:
        form.is_valid()
        form.add_error(None, _("名单已生成，不能再修改发放物资。"))
    elif request.method == "POST" and form.is_valid():
        try:
            set_items(campaign, form.cleaned_data["items"], actor=request.user)
        except DomainError as exc:
            _errors_onto(form, exc)
        else:
            messages.success(request, _("发放物资已更新。"))
            return redirect("relief:campaign_detail", pk=campaign.pk)
    return render(request, "relief/campaigns/items_form.html", {"campaign": campaign, "form": form})


@login_required
def campaign_team(request, pk: int):
    campaign = _managed(request, pk)
    initial = {}
    town = _area_code(request.GET.get("town"))
    if town:
        team = campaign.teams.filter(town_id=town).first()
        initial = {"town": town, **({"store": team.store_id, "leader": team.leader, "phone": team.phone,
                                     "organisation": team.organisation_id} if team else {})}
    form = TeamForm(request.POST or None, user=request.user, campaign=campaign, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            set_team(campaign, TeamSpec(town=data["town"], store=data["store"], organisation=data["organisation"],
                                        leader=data["leader"].strip(), phone=data["phone"].strip()),
                     actor=request.user)
        except DomainError as exc:
            _errors_onto(form, exc)
        else:
            messages.success(request, _("%(town)s的发放队伍已保存。") % {"town": data["town"].name})
            return redirect("relief:campaign_detail", pk=campaign.pk)
    return render(request, "relief/campaigns/team_form.html", {"campaign": campaign, "form": form})


@require_POST
@login_required
def campaign_generate(request, pk: int):
    campaign = _managed(request, pk)
    if campaign.roster_frozen:
        messages.error(request, _("名单已生成，不能重新生成；新增对象请用“补充对象”并写明原因。"))
        return redirect("relief:campaign_detail", pk=campaign.pk)
    job = tasks.start_generate(actor=request.user, campaign=campaign)
    return redirect("core:job_detail", job_id=job.pk)


@require_POST
@login_required
def campaign_close(request, pk: int):
    campaign = _managed(request, pk)
    form = CloseForm(request.POST)
    form.is_valid()
    try:
        close_campaign(campaign, actor=request.user, note=form.cleaned_data.get("note", ""))
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("活动已结束。"))
    return redirect("relief:campaign_detail", pk=campaign.pk)


@require_POST
@login_required
def campaign_summary(request, pk: int):
    """The summary workbook holds every visible target's name: written by a job, access-logged."""
    campaign = _campaign(request, pk)
    job = tasks.start_summary(actor=request.user, campaign=campaign)
    return redirect("core:job_detail", job_id=job.pk)


# --- the roster ------------------------------------------------------------------------------------

def _roster_areas(user: Any, campaign: Campaign) -> list[Area]:
    """Towns and villages on the roster the user may see (for the filter): two queries."""
    pairs = (RosterEntry.objects.visible_to(user).filter(campaign=campaign).order_by()
             .values_list("town_id", "area_id").distinct())
    codes: dict[str, set[str]] = {}
    for town, village in pairs:
        codes.setdefault(town, set()).add(village)
    names = dict(Area.objects.filter(code__in=set(codes) | {v for vs in codes.values() for v in vs})
                 .values_list("code", "name"))
    areas = []
    for town in sorted(codes):
        areas.append(Area(code=town, name=names.get(town, town), level="town"))
        areas.extend(Area(code=v, name=names.get(v, v), level="village") for v in sorted(codes[town]) if v != town)
    return areas


@login_required
def campaign_roster(request, pk: int):
    campaign = _campaign(request, pk)
    form = RosterFilterForm(request.GET or None, areas=_roster_areas(request.user, campaign))
    values = form.values()
    status = values.get("status") or None
    entries = selectors.roster(campaign, request.user, status=status if status in EntryStatus.values else None,
                               area=_area_code(values.get("area")) or None, q=values.get("q") or "")
    can_deliver = (campaign.status == CampaignStatus.ACTIVE
                   and RosterEntry.objects.visible_to(request.user, "deliver").filter(campaign=campaign).exists())
    return render(request, "relief/campaigns/roster.html", {
        "campaign": campaign, "form": form, "page": paginate(request, entries),
        "querystring": querystring_without_page(request), "village": _area_code(values.get("area")),
        "can_manage": _can_manage(request.user, campaign), "can_deliver": can_deliver,
        "final": (EntryStatus.DELIVERED, EntryStatus.DECEASED),
    })


@login_required
def campaign_roster_add(request, pk: int):
    """Find someone in the registry (within the user's scope and the campaign's area) and add them
    to the frozen roster with the reason."""
    campaign = _managed(request, pk)
    query = (request.GET.get("q") or "").strip()[:40]
    found: list[Person] = []
    if query:
        from onedoor.registry.selectors import search_persons

        found = list(search_persons(request.user, query, area=campaign.area_id)[:SEARCH_SHOWN])
        listed = set(RosterEntry.objects.filter(campaign=campaign, person__in=[p.pk for p in found])
                     .values_list("person_id", flat=True))
        for person in found:
            person.on_roster = person.pk in listed
    form = AddToRosterForm(request.POST or None, initial={"person": request.GET.get("person")})
    chosen = None
    if request.method == "POST" and form.is_valid():
        chosen = get_visible_or_404(request.user, Person.objects.select_related("residence_area"),
                                    pk=form.cleaned_data["person"])
        try:
            entry = add_to_roster(campaign, person=chosen, reason=form.cleaned_data["reason"], actor=request.user)
        except DomainError as exc:
            _errors_onto(form, exc)
        else:
            messages.success(request, _("已将%(name)s补充进名单。") % {"name": entry.person.name})
            return redirect(f"{reverse('relief:campaign_roster', args=[campaign.pk])}?q={entry.person.name}")
    return render(request, "relief/campaigns/roster_add.html", {
        "campaign": campaign, "form": form, "query": query, "found": found, "chosen": chosen,
        "searched": bool(query),
    })


@login_required
def campaign_entry_status(request, pk: int, entry_id: int):
    campaign = _campaign(request, pk)
    entry = get_visible_or_404(request.user, RosterEntry.objects.filter(campaign=campaign).select_related(
        "person", "area", "town", "category", "status_by"), pk=entry_id)
    if not RosterEntry.objects.visible_to(request.user, "deliver").filter(pk=entry.pk).exists():
        raise PermissionDenied
    form = EntryStatusForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            set_entry_status(entry, form.cleaned_data["status"], actor=request.user, note=form.cleaned_data["note"])
        except DomainError as exc:
            _errors_onto(form, exc)
        else:
            messages.success(request, _("%(name)s已改为“%(status)s”。") % {
                "name": entry.person.name, "status": EntryStatus(form.cleaned_data["status"]).label})
            return redirect(f"{reverse('relief:campaign_roster', args=[campaign.pk])}?area={entry.area_id}")
    return render(request, "relief/campaigns/entry_status.html", {"campaign": campaign, "entry": entry,
                                                                   "form": form})


PROOF_KINDS = {"signature": "signature", "sheet": "signed_sheet", "photo": "photo"}


@never_cache
@login_required
def campaign_delivery_proof(request, pk: int, entry_id: int, kind: str):
    """The proof of a delivery — the signature drawn on the phone, the photo of the signed sheet, or the
    photo taken at the door — to whoever may see the entry; each view is written to the access log."""
    from django.http import FileResponse, Http404

    from onedoor.core.audit import log_access
    from onedoor.core.choices import AccessAction

    from .models import Delivery

    campaign = _campaign(request, pk)
    entry = get_visible_or_404(request.user, RosterEntry.objects.filter(campaign=campaign), pk=entry_id)
    delivery = Delivery.objects.filter(entry=entry).first()
    if delivery is None:
        stored = None
    elif kind == "proof":  # whichever the team captured: the signature, else the signed sheet
        stored = delivery.signature or delivery.signed_sheet
    else:
        stored = getattr(delivery, PROOF_KINDS.get(kind, ""), None)
    if not stored:
        raise Http404(_("没有这项签收凭证。"))
    log_access(actor=request.user, action=AccessAction.DOWNLOAD, target=delivery,
               target_label=f"{campaign} · {entry.person.name}", reason=str(_("查看签收凭证")))
    return FileResponse(stored.open("rb"), content_type="image/jpeg" if stored.name.endswith(".jpg") else "image/png")


# --- printed lists ------------------------------------------------------------------------------------

@never_cache
@login_required
def campaign_remaining(request, pk: int, code: str):
    """未送达名单 of a village, to print from the browser and take on the next round."""
    campaign = _campaign(request, pk)
    village = _visible_area(request, code)
    return render(request, "relief/campaigns/print/remaining.html",
                  campaign_exports.remaining_context(campaign, village, request.user))


@never_cache
@login_required
def campaign_signoff(request, pk: int, code: str):
    """签收表 of a village (PDF): one village is small enough to render in the request."""
    campaign = _campaign(request, pk)
    village = _visible_area(request, code)
    pdf = render_pdf("relief/campaigns/print/signoff.html",
                     campaign_exports.signoff_context(campaign, village, request.user))
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="signoff-{campaign.pk}-{village.code}.pdf"'
    return response

