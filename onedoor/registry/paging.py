"""Paging of the person search on a registry of any size: counts stop at a limit, so neither the count nor
a deep page ever reads a whole town (or district) of people. Past the limit the page says so and asks for
a narrower search; nobody leafs through page 2,000 of a million names.
"""

from __future__ import annotations

from django.conf import settings
from django.core.paginator import Page, Paginator
from django.utils.functional import cached_property

from onedoor.core.api_paging import COUNT_LIMIT

SEARCH_LIMIT = COUNT_LIMIT  # results a search lists at most (20 pages of 50); the API counts as far


class BoundedPaginator(Paginator):
    """A Paginator whose count is exact up to `limit` and otherwise `limit` with `more` set: the count is
    one `SELECT COUNT(*) FROM (… LIMIT limit + 1)` query, its cost bounded whatever the registry's size."""

    def __init__(self, object_list, per_page: int, *, limit: int = SEARCH_LIMIT):
        super().__init__(object_list, per_page)
        self.limit = limit
        self.more = False

    @cached_property
    def count(self) -> int:
        found = self.object_list.order_by()[: self.limit + 1].count()
        self.more = found > self.limit
        return min(found, self.limit)


def bounded_page(request, queryset, *, per_page: int | None = None, limit: int | None = None) -> Page:
    paginator = BoundedPaginator(queryset, per_page or settings.ONEDOOR["PAGE_SIZE"], limit=limit or SEARCH_LIMIT)
    return paginator.get_page(request.GET.get("page"))
