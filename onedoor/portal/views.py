"""The public portal (公众服务), open without signing in: the policy guide, the self-check, the online
application and the status lookup. Pages work without JavaScript and on a phone.

What the public reads here is public (the catalogue, the windows) or is answered only to someone who
holds a receipt number and the applicant's ID suffix — and then without any personal detail. The
online application shows back only what the applicant typed, never the registry's record."""

from __future__ import annotations

from collections import Counter

from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from onedoor.core.exceptions import DomainError
from onedoor.core.paging import paginate
from onedoor.policies.choices import LifeSituation, StandardKind
from onedoor.policies.models import Policy, Standard

from . import actions, ratelimit, selectors
from .forms import OnlineApplicationForm, SearchForm, SelfCheckForm, StatusForm

SESSION_RECEIPT = "portal_last_application"
SITUATIONS = dict(LifeSituation.choices)


def _limited(request, limit: ratelimit.Limit):
    return render(request, "portal/limited.html", {"message": ratelimit.refused_message(limit)}, status=429)


def home(request):
    counts: Counter[str] = Counter()
    for situations in selectors.active_policies().values_list("life_situations", flat=True):
        counts.update(value for value in situations or [] if value in SITUATIONS)
    situations = [(code, label, counts[code]) for code, label in LifeSituation.choices if counts[code]]
    return render(request, "portal/home.html", {
        "situations": situations,
        "departments": selectors.policy_departments(),
        "popular": ["低保", "特困", "临时救助", "公租房", "医疗救助", "残疾", "孤儿", "就业"],
    })


def policy_list(request):
    departments = list(selectors.policy_departments())
    form = SearchForm(request.GET or None, departments=departments)
    q, situation, department = "", "", None
    if form.is_valid():
        q, situation, department = (form.cleaned_data["q"], form.cleaned_data["situation"],
                                    form.cleaned_data["department"])
    page = paginate(request, selectors.search_policies(q, situation=situation, department=department), per_page=20)
    return render(request, "portal/policy_list.html", {
        "form": form, "page": page, "q": q, "situation_label": SITUATIONS.get(situation, ""),
        "department_name": next((d.name for d in departments if d.pk == department), ""),
        "situation_labels": SITUATIONS, "searched": bool(q or situation or department),
    })


def _who_may_apply(policy: Policy) -> list[str]:
    rules = []
    categories = [category.name for category in policy.eligible_categories.all()]
    if categories:
        rules.append(_("属于以下人员之一：%(names)s") % {"names": "、".join(categories)})
    if policy.min_age is not None and policy.max_age is not None:
        rules.append(_("年龄 %(low)s 周岁以上、未满 %(high)s 周岁") % {"low": policy.min_age, "high": policy.max_age})
    elif policy.min_age is not None:
        rules.append(_("年满 %(low)s 周岁") % {"low": policy.min_age})
    elif policy.max_age is not None:
        rules.append(_("未满 %(high)s 周岁") % {"high": policy.max_age})
    if policy.requires_disability:
        rules.append(_("持有残疾人证"))
    if policy.requires_local_hukou:
        rules.append(_("户籍在同安区"))
    if policy.income_rule == "below":
        if policy.income_ratio == 1:
            rules.append(_("家庭每人每月收入低于当地低保标准"))
        else:
            rules.append(_("家庭每人每月收入低于当地低保标准的 %(ratio)s 倍") % {"ratio": policy.income_ratio.normalize()})
    return rules


def policy_detail(request, code: str):
    policy = selectors.active_policies().prefetch_related("eligible_categories").filter(code=code).first()
    if policy is None:
        return render(request, "portal/not_found.html", {"message": _("没有找到这项政策，可能已经停用。")}, status=404)
    today = timezone.localdate()
    standards = []
    if policy.income_rule == "below":
        for hukou, label in (("urban", _("城镇")), ("rural", _("农村"))):
            standard = Standard.objects.in_force(StandardKind.DIBAO, today, hukou)
            if standard is not None:
                standards.append((label, standard.amount))
    return render(request, "portal/policy_detail.html", {
        "policy": policy, "rules": _who_may_apply(policy), "standards": standards,
        "situation_labels": [SITUATIONS[s] for s in policy.life_situations or [] if s in SITUATIONS],
        "windows": selectors.town_windows(),
    })


def windows(request):
    return render(request, "portal/windows.html", {"windows": selectors.town_windows()})


@never_cache
def self_check(request):
    form = SelfCheckForm(request.POST or None)
    results = None
    if request.method == "POST" and form.is_valid():
        results = _suggestions(form)
    return render(request, "portal/self_check.html", {"form": form, "results": results})


def _suggestions(form: SelfCheckForm) -> list[dict]:
    """Which policies may apply and why, from onedoor.policies.eligibility."""
    from onedoor.policies.eligibility import Facts, suggest

    data = form.cleaned_data
    facts = Facts(
        age=data["age"], categories=frozenset(data["categories"]), has_disability=data["has_disability"],
        local_hukou=data["local_hukou"], hukou_type=data["hukou_type"], per_capita_income=form.per_capita_income,
        household_size=data["household_size"],
    )
    wanted = set(data["situations"])
    found = []
    for suggestion in suggest(facts, timezone.localdate()):
        policy = suggestion.policy
        if not policy.is_active or (wanted and not wanted & set(policy.life_situations or [])):
            continue
        found.append({"policy": policy, "verdict": suggestion.verdict, "verdict_label": suggestion.verdict_label,
                      "checks": suggestion.checks})
    return found


@never_cache
def apply(request):
    initial = {}
    wanted = request.GET.get("policy", "")
    if wanted:
        initial["policies"] = list(selectors.active_policies().filter(code=wanted[:40]).values_list("pk", flat=True))
    form = OnlineApplicationForm(request.POST or None, initial=initial)
    if request.method == "POST":
        limit = ratelimit.apply_limit()
        if not ratelimit.allow(request, limit):
            return _limited(request, limit)
        if form.is_valid():
            data = form.cleaned_data
            try:
                application = actions.submit_online_application(
                    name=data["name"], id_number=data["id_number"], phone=data["phone"], window=data["window"],
                    village=data["village"], policies=list(data["policies"]), statement=data["statement"],
                    consent=data["consent"])
            except DomainError as exc:
                _errors_onto(form, exc)
            else:
                request.session[SESSION_RECEIPT] = {
                    "receipt_no": application.receipt_no,
                    "name": data["name"].strip(),
                    "policies": [policy.name for policy in data["policies"]],
                    "window": data["window"].name,
                    "window_phone": data["window"].phone,
                    "window_address": data["window"].address,
                }
                return redirect("portal:apply_done")
    return render(request, "portal/apply.html", {"form": form})


def _errors_onto(form, exc: DomainError) -> None:
    """Put a refused action's messages beside the fields they name (registry field names map to ours)."""
    fields = {"residence_area": "village", "name": "name", "id_number": "id_number", "phone": "phone",
              "consent": "consent", "window": "window"}
    details = exc.details if isinstance(exc.details, dict) else {}
    placed = False
    for field, message in details.items():
        target = fields.get(field)
        if target in form.fields:
            form.add_error(target, message)
            placed = True
    if not placed:
        form.add_error(None, exc.message)


@never_cache
def apply_done(request):
    receipt = request.session.get(SESSION_RECEIPT)
    if not receipt:
        return redirect("portal:apply")
    return render(request, "portal/apply_done.html", {"receipt": receipt,
                                                       "status_url": request.build_absolute_uri(
                                                           reverse("portal:status"))})


@never_cache
def status(request):
    form = StatusForm(request.POST or None)
    progress, looked_up = None, False
    if request.method == "POST":
        limit = ratelimit.lookup_limit()
        if not ratelimit.allow(request, limit):
            return _limited(request, limit)
        if form.is_valid():
            looked_up = True
            progress = selectors.application_progress(form.cleaned_data["receipt_no"], form.cleaned_data["id_last4"])
    return render(request, "portal/status.html", {"form": form, "progress": progress, "looked_up": looked_up,
                                                  "today": timezone.localdate()})
