
from datetime import date

from ninja import Query, Router, Schema
from ninja.pagination import paginate

from onedoor.core.api_paging import Pages
from onedoor.core.scoping import get_visible_or_404

from .models import Area

router = Router(tags=["行政区划"])


class AreaOut(Schema):
    code: str
    name: str
    level: str
    level_label: str
    parent_code: str | None
    is_local: bool
    is_current: bool
    valid_to: date | None

    @staticmethod
    def resolve_level_label(obj: Area) -> str:
        return obj.get_level_display()

    @staticmethod
    def resolve_parent_code(obj: Area) -> str | None:
        return obj.parent_id


class AreaFilter(Schema):
    q: str = ""
    level: str | None = None
    parent: str | None = None
    include_ended: bool = False


@router.get("", response=list[AreaOut], summary="可见的行政区划（按名称、拼音、首字母或代码搜索）")
@paginate(Pages)
def list_areas(request, filters: Query[AreaFilter]):
    areas = Area.objects.visible_to(request.auth).search(filters.q)
    if not filters.include_ended:
        areas = areas.current()
    if filters.level:
        areas = areas.filter(level=filters.level)
    if filters.parent:
        areas = areas.filter(parent_id=filters.parent)
    return areas.order_by("code")


@router.get("/{code}", response=AreaOut, summary="一个行政区划")
def get_area(request, code: str):
    return get_visible_or_404(request.auth, Area, code=code)


@router.get("/{code}/children", response=list[AreaOut], summary="下级区划")
def area_children(request, code: str):
    area = get_visible_or_404(request.auth, Area, code=code)
    return Area.objects.visible_to(request.auth).filter(parent=area).order_by("code")
