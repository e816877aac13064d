"""The pagination of API lists: numbered pages of ONEDOOR_PAGE_SIZE items, with bounds so that an
absurd page number is a 422 with the field named, not a database error. `BoundedPages` is for lists
over a table of any size (the registry's million people): its count stops at a limit, as the search
page's does, and says so with `more`."""

from django.conf import settings
from ninja import Field, Schema
from ninja.pagination import PageNumberPagination

MAX_PAGE = 1_000_000
MAX_PAGE_SIZE = 500
COUNT_LIMIT = 1000  # also the person search page's limit (registry.paging.SEARCH_LIMIT)


class Pages(PageNumberPagination):
    class Input(Schema):
        page: int = Field(1, ge=1, le=MAX_PAGE)
        page_size: int | None = Field(None, ge=1, le=MAX_PAGE_SIZE)

    def __init__(self, **kwargs):
        super().__init__(page_size=settings.ONEDOOR["PAGE_SIZE"], max_page_size=MAX_PAGE_SIZE, **kwargs)


class BoundedPages(Pages):
    """Pages whose count is exact up to COUNT_LIMIT; past it the count is COUNT_LIMIT and `more` is true.
    The count is one `SELECT COUNT(*) FROM (… LIMIT n + 1)`, so it costs the same on any registry;
    later pages are still served (a client reads until a page comes back short)."""

    class Output(Schema):
        items: list
        count: int = Field(description=f"符合条件的条数；超过 {COUNT_LIMIT} 条时为 {COUNT_LIMIT}，并且 more 为 true")
        more: bool = Field(description=f"是否多于 {COUNT_LIMIT} 条（请缩小搜索范围）")

    def paginate_queryset(self, queryset, pagination, request, **params):
        page_size = self._get_page_size(pagination.page_size)
        offset = (pagination.page - 1) * page_size
        found = queryset.order_by()[: COUNT_LIMIT + 1].count()
        return {"items": queryset[offset: offset + page_size], "count": min(found, COUNT_LIMIT),
                "more": found > COUNT_LIMIT}
