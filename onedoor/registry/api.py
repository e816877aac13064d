"""The registry API: people, households and categories over time.

Thin handlers over `registry.actions` and `registry.selectors`. Every read goes through `visible_to` /
`get_visible_or_404`, so another town's people answer 404 and never appear in a list. ID numbers are
masked except in the audited unmask; bank accounts are always masked; money is a string.
"""

from django.db.models import Prefetch, Q
from django.utils import timezone
from ninja import Query, Router
from ninja.pagination import paginate

try:
    from ninja import Status
except ImportError:  # django-ninja before 1.6 took a (status, body) tuple

    def Status(status_code, value):  # noqa: N802
        return status_code, value

from onedoor.core.api_paging import COUNT_LIMIT, BoundedPages
from onedoor.core.exceptions import DomainError, NotPermitted
from onedoor.core.scoping import get_visible_or_404
from onedoor.geo.choices import VILLAGE_LEVELS
from onedoor.geo.models import Area

from . import actions, selectors
from .actions import InvalidPerson
from .models import Category, CategoryAssignment, Household, HouseholdMember, Person
from .schemas import (
    AssignmentEndIn,
    AssignmentIn,
    AssignmentOut,
    DetailQuery,
    HouseholdOut,
    HouseholdQuery,
    PersonDetailOut,
    PersonFilter,
    PersonIn,
    PersonOut,
    PersonPatch,
    money_text,
)
from .validation import check_person

router = Router(tags=["救助对象"])

PERSON_FIELDS = (
    "id", "name", "sex", "birth_date", "ethnicity", "phone", "phone2", "address", "hukou_type", "marital_status",
    "health", "serious_illness", "disability_kind", "disability_grade", "work_capacity", "self_care",
    "self_care_unable", "self_care_assessed_on", "occupation", "bank_name", "description", "death_date",
    "merged_into_id", "created_at", "updated_at",
)


class InvalidInput(DomainError):
    """Input that names something that does not exist or is out of reach; `details` maps field → message."""

    code = "invalid_input"
    status = 422


def _require_writer(user) -> None:
    if not selectors.may_change_registry(user):
        raise NotPermitted("您的角色只能查看登记信息，不能登记或修改。")


def _reference_errors(user, data: dict) -> dict[str, str]:
    """Resolve the area codes in `data` to areas (in place) and check coded fields; errors by field."""
    errors: dict[str, str] = {}
    if "residence_area" in data:
        code = (data["residence_area"] or "").strip()
        area = Area.objects.visible_to(user).current().filter(code=code).first() if code else None
        if not code:
            errors["residence_area"] = "请选择居住的村（社区）。"
        elif area is None:
            errors["residence_area"] = f"区划代码“{code}”不存在、已停用，或不在您的管辖范围内。"
        elif area.level not in VILLAGE_LEVELS:
            errors["residence_area"] = f"“{area.name}”不是村（社区），居住地请选择到村（社区）一级。"
            area = None
        data["residence_area"] = area
    if "hukou_area" in data:
        code = (data["hukou_area"] or "").strip()
        # The 户籍地 may lie in another town: any known code will do (an area name is not personal data).
        area = Area.objects.filter(code=code).first() if code else None
        if code and area is None:
            errors["hukou_area"] = f"户籍地区划代码“{code}”不存在。"
        data["hukou_area"] = area
    return errors


def _household_of(user, person: Person) -> int | None:
    return (HouseholdMember.objects.visible_to(user).filter(person=person, left_on__isnull=True)
            .values_list("household_id", flat=True).first())


def _detail(user, person: Person, *, revealed: str | None = None) -> dict:
    household_id = _household_of(user, person)
    subjects = Q(person=person)
    if household_id is not None:
        subjects |= Q(household_id=household_id)
    assignments = (CategoryAssignment.objects.visible_to(user).filter(subjects).select_related("category")
                   .order_by("-valid_from", "pk"))
    out = {key: getattr(person, key) for key in PERSON_FIELDS}
    out.update(
        id_number=person.masked_id if revealed is None else revealed,
        id_number_masked=revealed is None,
        has_id_number=bool(person.id_number),
        sex_label=str(person.get_sex_display()),
        age=person.age_on(person.death_date or timezone.localdate()),
        residence_area=person.residence_area,
        hukou_area=person.hukou_area,
        self_care_label=str(person.get_self_care_display()) if person.self_care else "",
        monthly_income=money_text(person.monthly_income),
        bank_account=person.masked_bank_account,
        household_id=household_id,
        categories=list(assignments),
    )
    return out


def _persons():
    return Person.objects.select_related("residence_area", "hukou_area")


@router.get("/persons", response=list[PersonOut], summary="救助对象列表（按证件号、姓名、拼音、首字母或电话搜索）",
            description=f"计数最多到 {COUNT_LIMIT} 条（more 为 true 表示更多，请缩小搜索范围），在任何规模的名册上代价相同。")
@paginate(BoundedPages)
def list_persons(request, filters: Query[PersonFilter]):
    user = request.auth
    day = filters.on or timezone.localdate()
    people = selectors.search_persons(user, filters.q, area=filters.area, category=filters.category or None,
                                      on=filters.on, include_deceased=filters.include_deceased)

    def in_force():
        return CategoryAssignment.objects.visible_to(user).on(day).select_related("category").order_by(
            "category__order", "pk")

    memberships = (HouseholdMember.objects.visible_to(user)
                   .filter(Q(left_on__isnull=True) | Q(left_on__gt=day), joined_on__lte=day)
                   .select_related("household"))
    return people.prefetch_related(
        Prefetch("category_assignments", queryset=in_force(), to_attr="categories_in_force"),
        Prefetch("memberships", queryset=memberships, to_attr="memberships_on_day"),
        Prefetch("memberships_on_day__household__category_assignments", queryset=in_force(),
                 to_attr="categories_in_force"),
    )


@router.post("/persons", response={201: PersonDetailOut}, summary="登记救助对象")
def create_person(request, payload: PersonIn):
    user = request.auth
    _require_writer(user)
    data = payload.model_dump(exclude_unset=True)
    reason = data.pop("reason", "")
    errors = _reference_errors(user, data)
    if errors:  # report these together with everything else that is wrong
        raise InvalidPerson("登记信息有误，请按提示修改。", details={**check_person(data).errors, **errors})
    person = actions.register_person(actor=user, data=data, reason=reason)
    return Status(201, _detail(user, _persons().get(pk=person.pk)))


@router.get("/persons/{person_id}", response=PersonDetailOut,
            summary="一名救助对象（证件号脱敏；unmask=true 并说明理由可查看完整号码，记入访问日志）")
def get_person(request, person_id: int, query: Query[DetailQuery]):
    user = request.auth
    person = get_visible_or_404(user, _persons(), pk=person_id)
    revealed = None
    if query.unmask:
        revealed = selectors.reveal_id_number(actor=user, person=person, reason=query.reason)
    return _detail(user, person, revealed=revealed)


@router.patch("/persons/{person_id}", response=PersonDetailOut, summary="修改救助对象信息（须说明理由）")
def update_person(request, person_id: int, payload: PersonPatch):
    user = request.auth
    _require_writer(user)
    person = get_visible_or_404(user, _persons(), pk=person_id)
    changes = payload.model_dump(exclude_unset=True)
    reason = changes.pop("reason")
    errors = _reference_errors(user, changes)
    if "id_number" in changes and not (changes["id_number"] or "").strip() and person.id_number:
        errors["id_number"] = "已登记的身份证号码不能清空；号码有误请填写正确的号码。"
    if errors:
        identity = {"id_number": person.id_number, "sex": person.sex, "birth_date": person.birth_date}
        checked = check_person({**identity, **{k: v for k, v in changes.items() if k not in errors}}, partial=True)
        raise InvalidPerson("修改的信息有误，请按提示修改。", details={**checked.errors, **errors})
    actions.update_person(actor=user, person=person, changes=changes, reason=reason)
    return _detail(user, _persons().get(pk=person.pk))


@router.get("/households/{household_id}", response=HouseholdOut, summary="一个家庭：成员（含曾经的）、人口与人均收入、类别")
def get_household(request, household_id: int, query: Query[HouseholdQuery]):
    user = request.auth
    household = get_visible_or_404(user, Household.objects.select_related("head", "residence_area"),
                                   pk=household_id)
    day = query.on or timezone.localdate()
    figures = household.figures_on(day)
    members = (HouseholdMember.objects.visible_to(user).filter(household=household).select_related("person")
               .order_by("joined_on", "pk"))
    categories = (CategoryAssignment.objects.visible_to(user).filter(household=household)
                  .select_related("category").order_by("-valid_from", "pk"))
    return {
        "id": household.pk,
        "head": household.head,
        "residence_area": household.residence_area,
        "address": household.address,
        "hukou_type": household.hukou_type,
        "formed_on": household.formed_on,
        "dissolved_on": household.dissolved_on,
        "figures_on": day,
        "size": figures["size"],
        "total_income": money_text(figures["total_income"]),
        "per_capita_income": money_text(figures["per_capita_income"]),
        "members": list(members),
        "categories": list(categories),
    }


@router.post("/category-assignments", response={201: AssignmentOut}, summary="认定类别（个人或家庭）")
def create_category_assignment(request, payload: AssignmentIn):
    user = request.auth
    _require_writer(user)
    person = get_visible_or_404(user, Person, pk=payload.person_id) if payload.person_id is not None else None
    household = (get_visible_or_404(user, Household, pk=payload.household_id)
                 if payload.household_id is not None else None)
    category = Category.objects.filter(code=payload.category.strip()).first()
    if category is None:
        raise InvalidInput("类别有误。", details={"category": f"没有代码为“{payload.category}”的类别。"})
    if not category.is_active:
        raise InvalidInput("类别有误。", details={"category": f"“{category.name}”类别已停用，不能再认定。"})
    assignment = actions.assign_category(actor=user, category=category, valid_from=payload.valid_from,
                                         source=payload.source, reason=payload.reason, person=person,
                                         household=household)
    return Status(201, assignment)


@router.post("/category-assignments/{assignment_id}/end", response=AssignmentOut, summary="终止类别认定")
def end_category_assignment(request, assignment_id: int, payload: AssignmentEndIn):
    user = request.auth
    _require_writer(user)
    assignment = get_visible_or_404(user, CategoryAssignment, pk=assignment_id)
    actions.end_category(actor=user, assignment=assignment, valid_to=payload.valid_to, reason=payload.reason)
    return CategoryAssignment.objects.select_related("category").get(pk=assignment.pk)
