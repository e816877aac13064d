"""The catalogue API: the policies (public knowledge: every signed-in user or token reads them) and the
eligibility suggestions for a person, who is looked up through `get_visible_or_404` — another town's
person answers 404 exactly like one that does not exist."""

from django.shortcuts import get_object_or_404
from django.utils import timezone
from ninja import Query, Router
from ninja.pagination import paginate

from onedoor.accounts.models import Organisation
from onedoor.core.api_paging import Pages
from onedoor.core.scoping import get_visible_or_404
from onedoor.registry.models import Person

from . import selectors
from .actions import InvalidInput
from .eligibility import facts_for_person, suggest
from .models import Policy
from .schemas import PolicyDetailOut, PolicyFilter, PolicyOut, SuggestionQuery, SuggestionsOut

router = Router(tags=["政策目录"])

def _department(raw: str | None) -> Organisation | None:
    if not raw or not raw.strip():
        return None
    raw = raw.strip()
    found = Organisation.objects.filter(pk=int(raw)) if raw.isdigit() and len(raw) < 10 else \
        Organisation.objects.filter(short_name=raw) | Organisation.objects.filter(name=raw)
    department = found.filter(policies__isnull=False).distinct().first()
    if department is None:
        raise InvalidInput("部门有误。", details={"department": f"没有主管政策的部门“{raw}”。"})
    return department

@router.get("/policies", response=list[PolicyOut], summary="政策目录（按名称、关键词、拼音搜索，按部门、方式、情形筛选）")
@paginate(Pages)
def list_policies(request, filters: Query[PolicyFilter]):
    return selectors.search_policies(
        filters.q, department=_department(filters.department), kind=filters.kind or "",
        situation=filters.situation or "", active_only=not filters.include_inactive,
    ).prefetch_related("eligible_categories")

@router.get("/policies/suggestions", response=SuggestionsOut,
            summary="政策找人：按登记信息列出某人可能符合的政策及理由（人员须在本人数据范围内）")
def policy_suggestions(request, query: Query[SuggestionQuery]):
    person = get_visible_or_404(request.auth, Person.objects.select_related("hukou_area"), pk=query.person_id)
    day = query.on or timezone.localdate()
    facts = facts_for_person(person, day)
    found = suggest(facts, day, include_unlikely=query.include_unlikely)
    return {
        "person_id": person.pk,
        "on": day,
        "facts": {
            "age": facts.age, "categories": sorted(facts.categories), "has_disability": facts.has_disability,
            "local_hukou": facts.local_hukou, "hukou_type": facts.hukou_type,
            "per_capita_income": None if facts.per_capita_income is None else f"{facts.per_capita_income:.2f}",
            "household_size": facts.household_size,
        },
        "suggestions": [{"policy": s.policy, "verdict": s.verdict, "verdict_label": s.verdict_label,
                         "checks": list(s.checks)} for s in found],
    }

@router.get("/policies/{code}", response=PolicyDetailOut, summary="一项政策：条件、材料、时限、办事指南和在用的责任清单")
def get_policy(request, code: str):
    queryset = (Policy.objects.select_related("department")
                .prefetch_related("eligible_categories", selectors.lines_in_force(timezone.localdate())))
    return get_object_or_404(queryset, code=code[:40])
