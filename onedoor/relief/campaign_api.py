"""The campaign API: campaigns, roster generation and entries, coverage, field deliveries.

Thin handlers over `relief.campaigns` (the actions) and `relief.selectors` (the reads). Every read goes
through `visible_to` / `get_visible_or_404`: a campaign the user may not see, and a roster entry the user
may not deliver to, answer 404 — the same answer as one that does not exist. A town team sees the
district's campaign but only its own town's roster and coverage.

Input that is wrong answers 422 with `details` naming each field; a roster generated twice, a target
already delivered, too little stock or an idempotency key used for another target answer 409; a role
that may not manage campaigns answers 403. ID numbers are masked; `unmask=true` with a reason shows
them in full to a role that may unmask (as the registry API does), and each number shown is written to
the access log.

A delivery carries an `Idempotency-Key` header: the first request answers 201 with the delivery, a
retry with the same key answers 200 with the same body and issues nothing again.
"""

from datetime import date, datetime
from typing import Literal

from django.db.models import Prefetch
from ninja import Field, Header, Query, Router, Schema
from ninja.pagination import paginate

try:
    from ninja import Status
except ImportError:  # django-ninja before 1.6 took a (status, body) tuple

    def Status(status_code, value):  # noqa: N802
        return status_code, value

from onedoor.core.api_paging import Pages
from onedoor.core.exceptions import DomainError, NotPermitted
from onedoor.core.scoping import get_visible_or_404

from . import campaigns, selectors
from .choices import CampaignStatus, CampaignTarget, EntryStatus
from .models import Campaign, CampaignTeam, Delivery, Item, RosterEntry

router = Router(tags=["送温暖活动"])

MAX_ID = 2**31 - 1
AREA_CODE = r"^[0-9A-Za-z]{12}$"
NO_NUL = r"^[^\x00]*$"
# A data URL of an image of at most campaigns.MAX_IMAGE_BYTES (base64 adds a third, plus the header).
MAX_DATA_URL = campaigns.MAX_IMAGE_BYTES * 4 // 3 + 100


class InvalidInput(DomainError):
    """Input naming something that does not exist or does not fit; `details` maps field → message."""

    code = "invalid_input"
    status = 422


def _as_input_error(exc: DomainError, rename: dict[str, str] | None = None) -> DomainError:
    """A plain DomainError of an action (wrong input) as a 422 naming its field; others unchanged."""
    if type(exc) is not DomainError:
        return exc
    field = exc.details.get("field") if isinstance(exc.details, dict) else None
    field = (rename or {}).get(field, field)
    return InvalidInput(exc.message, code=exc.code, details={field: exc.message} if field else exc.details)


# --- schemas -------------------------------------------------------------------------------------------

class ItemQuantity(Schema):
    item: str = Field(max_length=30, pattern=NO_NUL, description="物资代码")
    quantity: int = Field(ge=0, le=10_000, description="数量")


class CampaignItemOut(Schema):
    item: str
    item_name: str
    unit: str
    quantity: int


class TeamIn(Schema):
    town: str = Field(pattern=AREA_CODE, description="镇（街、场）区划代码")
    store_id: int = Field(ge=1, le=MAX_ID, description="出库点（储备点编号）")
    leader: str = Field("", max_length=50, pattern=NO_NUL, description="负责人")
    phone: str = Field("", max_length=20, pattern=NO_NUL, description="联系电话")


class TeamOut(Schema):
    town: str
    town_name: str
    store_id: int
    store: str
    leader: str
    phone: str

    @staticmethod
    def resolve_town(obj: CampaignTeam) -> str:
        return obj.town_id

    @staticmethod
    def resolve_town_name(obj: CampaignTeam) -> str:
        return obj.town.name

    @staticmethod
    def resolve_store(obj: CampaignTeam) -> str:
        return obj.store.name


class CampaignIn(Schema):
    name: str = Field(min_length=1, max_length=100, pattern=NO_NUL, description="活动名称，如“2026 寒冬送温暖”")
    organisation_id: int | None = Field(None, ge=1, le=MAX_ID, description="组织单位（默认本人所在单位）")
    area: str = Field(pattern=AREA_CODE, description="覆盖区划代码（含下级）")
    starts_on: date
    ends_on: date
    target: CampaignTarget = Field(CampaignTarget.PERSONS, description="persons 按人、households 按户")
    categories: list[str] = Field(min_length=1, max_length=20, description="对象类别代码，如 tekun、orphan、dibao_single")
    items: list[ItemQuantity] = Field(min_length=1, max_length=30, description="每人（户）发放的物资与数量")
    store_id: int = Field(ge=1, le=MAX_ID, description="默认出库点（没有发放队伍的镇从这里出库）")
    teams: list[TeamIn] = Field([], max_length=50, description="各镇的发放队伍与出库点")
    note: str = Field("", max_length=1000, pattern=NO_NUL)


class CampaignOut(Schema):
    id: int
    name: str
    organisation_id: int
    organisation: str
    area: str
    area_name: str
    starts_on: date
    ends_on: date
    target: str
    categories: list[str]
    items: list[CampaignItemOut]
    store_id: int
    store: str
    teams: list[TeamOut]
    status: str
    status_label: str
    roster_on: date | None
    roster_frozen_at: datetime | None
    roster_size: int | None
    note: str

    @staticmethod
    def resolve_organisation(obj: Campaign) -> str:
        return obj.organisation.name

    @staticmethod
    def resolve_area(obj: Campaign) -> str:
        return obj.area_id

    @staticmethod
    def resolve_area_name(obj: Campaign) -> str:
        return obj.area.name

    @staticmethod
    def resolve_categories(obj: Campaign) -> list[str]:
        return [category.code for category in sorted(obj.categories.all(), key=lambda c: (c.order, c.pk))]

    @staticmethod
    def resolve_items(obj: Campaign) -> list[dict]:
        return [{"item": line.item.code, "item_name": line.item.name, "unit": line.item.unit,
                 "quantity": line.quantity} for line in obj.items.all()]

    @staticmethod
    def resolve_store(obj: Campaign) -> str:
        return obj.store.name

    @staticmethod
    def resolve_teams(obj: Campaign) -> list[CampaignTeam]:
        return list(obj.teams.all())

    @staticmethod
    def resolve_status_label(obj: Campaign) -> str:
        return str(obj.get_status_display())


class CampaignFilter(Schema):
    status: CampaignStatus | None = Field(None, description="draft 筹备中、active 发放中、closed 已结束")


class RosterGenerateQuery(Schema):
    on: date | None = Field(None, description="名单基准日（默认今天）：按这一天的类别认定生成")


class RosterOut(Schema):
    size: int
    roster_on: date
    roster_frozen_at: datetime


class RosterFilter(Schema):
    status: EntryStatus | None = Field(None, description="状态")
    area: str | None = Field(None, pattern=AREA_CODE, description="镇或村（社区）区划代码（含下级）")
    q: str = Field("", max_length=50, pattern=NO_NUL, description="姓名或证件号码末几位")
    unmask: bool = Field(False, description="显示完整证件号码（须有权限并说明理由，每个号码写入访问日志）")
    reason: str = Field("", max_length=200, pattern=NO_NUL, description="查看完整证件号码的理由")


class EntryOut(Schema):
    id: int
    campaign_id: int
    person_id: int
    person: str
    id_number: str = Field(description="证件号码（脱敏，除非 id_number_masked 为 false）；无证件时为临时编号")
    id_number_masked: bool
    area: str = Field(description="村（社区）区划代码（名单生成时）")
    area_name: str
    town: str
    town_name: str
    address: str
    category: str
    category_name: str
    status: str
    status_label: str
    status_at: datetime | None
    status_note: str
    added_reason: str

    @staticmethod
    def resolve_person(obj: RosterEntry) -> str:
        return obj.person.name

    @staticmethod
    def resolve_id_number(obj: RosterEntry) -> str:
        revealed = getattr(obj, "revealed_id_number", None)
        return revealed if revealed is not None else obj.person.masked_id

    @staticmethod
    def resolve_id_number_masked(obj: RosterEntry) -> bool:
        return getattr(obj, "revealed_id_number", None) is None

    @staticmethod
    def resolve_area(obj: RosterEntry) -> str:
        return obj.area_id

    @staticmethod
    def resolve_area_name(obj: RosterEntry) -> str:
        return obj.area.name

    @staticmethod
    def resolve_town(obj: RosterEntry) -> str:
        return obj.town_id

    @staticmethod
    def resolve_town_name(obj: RosterEntry) -> str:
        return obj.town.name

    @staticmethod
    def resolve_category(obj: RosterEntry) -> str:
        return obj.category.code

    @staticmethod
    def resolve_category_name(obj: RosterEntry) -> str:
        return obj.category.name

    @staticmethod
    def resolve_status_label(obj: RosterEntry) -> str:
        return str(obj.get_status_display())


class CoverageQuery(Schema):
    by: Literal["town", "village"] = Field("town", description="town 按镇；village 另按村（社区）列出")
    within: str | None = Field(None, pattern=AREA_CODE, description="只统计这个区划（含下级），如一个镇")


class CoverageRowOut(Schema):
    code: str
    name: str
    targets: int
    delivered: int
    remaining: int = Field(description="尚未送达：待发放 + 联系不上")
    pending: int
    unreachable: int
    refused: int
    deceased: int
    moved: int
    percent: float | None = Field(description="送达率（%）：已送达 ÷（名单人数 − 已故 − 迁出）")


class CoverageOut(CoverageRowOut):
    all_covered: bool = Field(description="特困、孤儿、单人低保户等名单对象是否已全部送达或办结（由名单计算）")
    statement: str
    by_town: list[CoverageRowOut]
    by_village: list[CoverageRowOut] | None = Field(None, description="by=village 时按村（社区）")
    by_category: list[CoverageRowOut]


class DeliveryIn(Schema):
    roster_entry_id: int = Field(ge=1, le=MAX_ID, description="名单对象编号")
    items: list[ItemQuantity] | None = Field(None, max_length=30,
                                             description="实发物资与数量；不填按活动规定的数量发放")
    signature: str | None = Field(None, max_length=MAX_DATA_URL,
                                  description="屏幕签名：data:image/png;base64,…（或 JPEG）")
    signed_sheet: str | None = Field(None, max_length=MAX_DATA_URL,
                                     description="签收单照片（data URL）；没有屏幕签名时必填")
    photo: str | None = Field(None, max_length=MAX_DATA_URL, description="现场照片（data URL，可选）")
    recipient_name: str = Field("", max_length=60, pattern=NO_NUL, description="家属代收时填写签收人")
    note: str = Field("", max_length=200, pattern=NO_NUL)
    delivered_on: date | None = Field(None, description="送达日期（默认今天）")


class DeliveryLineOut(Schema):
    item: str
    item_name: str
    unit: str
    quantity: int
    move_id: int | None


class DeliveryOut(Schema):
    id: int
    roster_entry_id: int
    campaign_id: int
    person: str
    idempotency_key: str | None
    store_id: int
    store: str
    delivered_on: date
    recipient_name: str
    note: str
    has_signature: bool
    has_signed_sheet: bool
    has_photo: bool
    actor: str
    created_at: datetime
    lines: list[DeliveryLineOut]

    @staticmethod
    def resolve_roster_entry_id(obj: Delivery) -> int:
        return obj.entry_id

    @staticmethod
    def resolve_campaign_id(obj: Delivery) -> int:
        return obj.entry.campaign_id

    @staticmethod
    def resolve_person(obj: Delivery) -> str:
        return obj.entry.person.name

    @staticmethod
    def resolve_store(obj: Delivery) -> str:
        return obj.store.name

    @staticmethod
    def resolve_has_signature(obj: Delivery) -> bool:
        return bool(obj.signature)

    @staticmethod
    def resolve_has_signed_sheet(obj: Delivery) -> bool:
        return bool(obj.signed_sheet)

    @staticmethod
    def resolve_has_photo(obj: Delivery) -> bool:
        return bool(obj.photo)

    @staticmethod
    def resolve_actor(obj: Delivery) -> str:
        return str(obj.actor)

    @staticmethod
    def resolve_lines(obj: Delivery) -> list[dict]:
        return [{"item": line.item.code, "item_name": line.item.name, "unit": line.item.unit,
                 "quantity": line.quantity, "move_id": line.move_id} for line in obj.lines.all()]


class StatusIn(Schema):
    status: Literal["pending", "refused", "unreachable", "moved", "deceased"] = Field(
        description="refused 拒收、unreachable 联系不上、moved 已迁出、deceased 已故、pending 改回待发放（送达请用 /deliveries）")
    note: str = Field("", max_length=200, pattern=NO_NUL, description="情况说明（拒收、联系不上、迁出、已故时必填）")


# --- campaigns -----------------------------------------------------------------------------------------

def _campaigns(user, status: str | None = None):
    """Campaigns with their categories, items and teams; a town team sees its own town's team only."""
    from onedoor.geo.models import Area

    teams = (CampaignTeam.objects.filter(town__in=Area.objects.visible_to(user).values("code"))
             .select_related("town", "store").order_by("town_id"))
    return (selectors.campaigns(user, status=status).select_related("store")
            .prefetch_related("categories", Prefetch("items", queryset=_campaign_items()),
                              Prefetch("teams", queryset=teams)))


def _campaign_items():
    from .models import CampaignItem

    return CampaignItem.objects.select_related("item").order_by("item__code")


def _visible_campaign(user, campaign_id: int) -> Campaign:
    return get_visible_or_404(user, Campaign.objects.select_related("area"), pk=campaign_id)


@router.get("/campaigns", response=list[CampaignOut], summary="送温暖活动列表（本人范围内可见的活动）")
@paginate(Pages)
def list_campaigns(request, filters: Query[CampaignFilter]):
    return _campaigns(request.auth, filters.status).order_by("-starts_on", "-pk")


def _resolve_campaign_input(user, payload: CampaignIn) -> dict:
    """The payload's codes and numbers as objects; every problem reported at once, by field."""
    from onedoor.accounts.models import Organisation
    from onedoor.geo.choices import TOWN_LEVELS
    from onedoor.geo.models import Area
    from onedoor.registry.models import Category

    errors: dict[str, str] = {}
    if payload.organisation_id is None:
        organisation = user.organisation
        if organisation is None:
            errors["organisation_id"] = "您的账号没有所属单位，请指定组织单位。"
    else:
        organisation = Organisation.objects.visible_to(user).filter(pk=payload.organisation_id,
                                                                    is_active=True).first()
        if organisation is None:
            errors["organisation_id"] = f"没有编号为 {payload.organisation_id} 的单位，或不在您的管辖范围内。"
    area = Area.objects.visible_to(user).current().filter(code=payload.area).first()
    if area is None:
        errors["area"] = f"区划代码“{payload.area}”不存在、已停用，或不在您的管辖范围内。"
    codes = [code.strip() for code in payload.categories]
    categories = {c.code: c for c in Category.objects.filter(code__in=codes, is_active=True)}
    unknown = [code for code in codes if code not in categories]
    if unknown:
        errors["categories"] = f"没有代码为“{'、'.join(unknown)}”的在用类别。"
    elif len(set(codes)) != len(codes):
        errors["categories"] = "对象类别有重复。"
    items = _items(payload.items, errors, minimum=1)
    stores = selectors.visible_stores(user)
    store = stores.filter(pk=payload.store_id).first()
    if store is None:
        errors["store_id"] = f"没有编号为 {payload.store_id} 的储备点，或您无权查看。"
    teams = []
    for number, team in enumerate(payload.teams, start=1):
        town = Area.objects.visible_to(user).current().filter(code=team.town, level__in=TOWN_LEVELS).first()
        team_store = stores.filter(pk=team.store_id).first()
        if town is None:
            errors[f"teams[{number}].town"] = f"第 {number} 支队伍：“{team.town}”不是您管辖范围内的镇（街、场）。"
        if team_store is None:
            errors[f"teams[{number}].store_id"] = f"第 {number} 支队伍：没有编号为 {team.store_id} 的储备点，或您无权查看。"
        if town is not None and team_store is not None:
            teams.append(campaigns.TeamSpec(town=town, store=team_store, organisation=team_store.organisation,
                                            leader=team.leader.strip(), phone=team.phone.strip()))
    if len({team.town for team in payload.teams}) != len(payload.teams):
        errors["teams"] = "同一个镇只能有一支发放队伍。"
    if payload.ends_on < payload.starts_on:
        errors["ends_on"] = "结束日期不能早于开始日期。"
    if errors:
        raise InvalidInput("活动信息有误，请按提示修改。", details=errors)
    return {"organisation": organisation, "area": area, "categories": [categories[c] for c in codes],
            "items": items, "store": store, "teams": teams}


def _items(lines: list[ItemQuantity], errors: dict, *, minimum: int) -> dict[Item, int]:
    codes = [line.item.strip() for line in lines]
    found = {item.code: item for item in Item.objects.filter(code__in=codes, is_active=True)}
    unknown = [code for code in codes if code not in found]
    if unknown:
        errors["items"] = f"没有物资代码“{'、'.join(unknown)}”。"
    elif len(set(codes)) != len(codes):
        errors["items"] = "同一种物资只能填写一次。"
    elif any(line.quantity < minimum for line in lines):
        errors["items"] = "每人（户）发放数量须为正整数。"
    return {} if "items" in errors else {found[code]: line.quantity for code, line in zip(codes, lines, strict=True)}


@router.post("/campaigns", response={201: CampaignOut}, summary="新建送温暖活动（筹备中；名单另行生成）")
def create_campaign(request, payload: CampaignIn):
    user = request.auth
    campaigns._check_may_manage(user)
    resolved = _resolve_campaign_input(user, payload)
    try:
        campaign = campaigns.create_campaign(actor=user, name=payload.name, starts_on=payload.starts_on,
                                             ends_on=payload.ends_on, target=payload.target, note=payload.note,
                                             **resolved)
    except DomainError as exc:
        raise _as_input_error(exc, {"store": "store_id"}) from exc
    return Status(201, _campaigns(user).get(pk=campaign.pk))


@router.get("/campaigns/{campaign_id}", response=CampaignOut, summary="一次送温暖活动")
def get_campaign(request, campaign_id: int):
    return get_visible_or_404(request.auth, _campaigns(request.auth), pk=campaign_id)


@router.post("/campaigns/{campaign_id}/roster", response={201: RosterOut},
             summary="生成名单：按基准日的类别认定冻结名单（每个活动只能生成一次，再次调用 409）")
def generate_campaign_roster(request, campaign_id: int, query: Query[RosterGenerateQuery]):
    user = request.auth
    campaign = _visible_campaign(user, campaign_id)
    size = campaigns.generate_roster(campaign, actor=user, on=query.on)
    campaign.refresh_from_db()
    return Status(201, {"size": size, "roster_on": campaign.roster_on, "roster_frozen_at": campaign.roster_frozen_at})


# --- the roster ----------------------------------------------------------------------------------------

class RosterPages(Pages):
    """Pages of roster entries; when the handler asked for full ID numbers (`request.unmask_reason`),
    the numbers of the entries on this page are revealed and each is written to the access log."""

    def paginate_queryset(self, queryset, pagination, request, **params):
        page = super().paginate_queryset(queryset, pagination, request, **params)
        reason = getattr(request, "unmask_reason", None)
        if reason:
            from onedoor.registry.selectors import reveal_id_number

            entries = list(page["items"])
            for entry in entries:
                entry.revealed_id_number = reveal_id_number(actor=request.auth, person=entry.person, reason=reason)
            page["items"] = entries
        return page


@router.get("/campaigns/{campaign_id}/roster", response=list[EntryOut],
            summary="活动名单（按村、住址排列；按状态、区划、姓名或证件号末几位筛选；证件号脱敏）")
@paginate(RosterPages)
def list_roster_entries(request, campaign_id: int, filters: Query[RosterFilter]):
    from onedoor.registry.selectors import may_unmask

    user = request.auth
    campaign = _visible_campaign(user, campaign_id)
    if filters.unmask:
        if not may_unmask(user):
            raise NotPermitted("您的角色不能查看完整证件号码。")
        if not filters.reason.strip():
            raise NotPermitted("查看完整证件号码必须说明理由。")
        request.unmask_reason = filters.reason.strip()
    return selectors.roster(campaign, user, status=filters.status, area=filters.area, q=filters.q)


def _entry(user, entry_id: int, action: str = "view") -> RosterEntry:
    return get_visible_or_404(user, RosterEntry.objects.select_related("person", "area", "town", "category"),
                              action=action, pk=entry_id)


@router.post("/roster-entries/{entry_id}/status", response=EntryOut,
             summary="登记名单对象的情况：拒收、联系不上、已迁出、已故，或改回待发放")
def set_roster_entry_status(request, entry_id: int, payload: StatusIn):
    user = request.auth
    entry = _entry(user, entry_id, "deliver")
    try:
        campaigns.set_entry_status(entry, payload.status, actor=user, note=payload.note)
    except DomainError as exc:
        raise _as_input_error(exc) from exc
    return _entry(user, entry_id)


# --- coverage ------------------------------------------------------------------------------------------

def _row(row: selectors.CoverageRow) -> dict:
    return {"code": row.code, "name": row.name, "targets": row.targets, "delivered": row.delivered,
            "remaining": row.remaining, "percent": row.percent,
            **{status: row.count(status) for status in ("pending", "unreachable", "refused", "deceased", "moved")}}


@router.get("/campaigns/{campaign_id}/coverage", response=CoverageOut,
            summary="覆盖情况：名单人数、已送达、未送达，按镇（可按村）与类别；是否全部覆盖由名单计算")
def get_campaign_coverage(request, campaign_id: int, query: Query[CoverageQuery]):
    user = request.auth
    campaign = _visible_campaign(user, campaign_id)
    figures = selectors.coverage(campaign, user, by="town", within=query.within)
    villages = None
    if query.by == "village":
        villages = [_row(row) for row in selectors.coverage(campaign, user, by="village", within=query.within).rows]
    return {**_row(figures.total), "all_covered": figures.all_covered, "statement": figures.statement,
            "by_town": [_row(row) for row in figures.rows], "by_village": villages,
            "by_category": [_row(row) for row in figures.by_category]}


# --- deliveries ----------------------------------------------------------------------------------------

KEY_HEADER = "Idempotency-Key"


def _check_key(key: str | None) -> str:
    key = (key or "").strip()
    if not key:
        raise InvalidInput("请在请求头 Idempotency-Key 中提供提交编号（每次发放一个新编号，重试时用同一个）。",
                           code="idempotency_key_required", details={KEY_HEADER: "缺少提交编号。"})
    if len(key) > 64 or not all(33 <= ord(ch) <= 126 for ch in key):
        raise InvalidInput("提交编号应为不超过 64 个字符的字母、数字或符号（如 UUID）。", code="invalid_idempotency_key",
                           details={KEY_HEADER: "提交编号格式不正确。"})
    return key


def _image(value: str | None, field: str):
    if value is None or not value.strip():
        return None
    return campaigns.image_from_data_url(value.strip(), field=field, name=field)


def _delivery(pk: int) -> Delivery:
    from .models import DeliveryLine

    return (Delivery.objects.select_related("entry__person", "store", "actor")
            .prefetch_related(Prefetch("lines", queryset=DeliveryLine.objects.select_related("item")
                                       .order_by("item__code")))
            .get(pk=pk))


@router.post("/deliveries", response={201: DeliveryOut, 200: DeliveryOut},
             summary="登记送达（签名、实发数量）；请求头 Idempotency-Key 必填，重试用同一编号只发放一次（200 返回首次结果）")
def create_delivery(request, payload: DeliveryIn,
                    idempotency_key: str | None = Header(None, alias=KEY_HEADER, max_length=200,
                                                         description="提交编号（如 UUID）：重试时用同一个")):
    user = request.auth
    key = _check_key(idempotency_key)
    entry = _entry(user, payload.roster_entry_id, "deliver")
    errors: dict[str, str] = {}
    quantities = None
    if payload.items is not None:
        quantities = _items(payload.items, errors, minimum=0)
    images = {}
    for field in ("signature", "signed_sheet", "photo"):
        try:
            images[field] = _image(getattr(payload, field), field)
        except DomainError as exc:
            errors[field] = exc.message
    if errors:
        raise InvalidInput("发放信息有误，请按提示修改。", details=errors)
    try:
        delivery, created = campaigns.deliver(
            entry, actor=user, quantities=quantities, recipient_name=payload.recipient_name, note=payload.note,
            idempotency_key=key, on=payload.delivered_on, **images)
    except DomainError as exc:
        raise _as_input_error(exc, {"idempotency_key": KEY_HEADER}) from exc
    return Status(201 if created else 200, _delivery(delivery.pk))
