"""The one pagination of API lists: numbered pages of ONEDOOR_PAGE_SIZE items, with bounds so that an
absurd page number is a 422 with the field named, not a database error."""

from django.conf import settings
from ninja import Field, Schema
from ninja.pagination import PageNumberPagination

MAX_PAGE = 1_000_000
MAX_PAGE_SIZE = 500


class Pages(PageNumberPagination):
    class Input(Schema):
        page: int = Field(1, ge=1, le=MAX_PAGE)
        page_size: int | None = Field(None, ge=1, le=MAX_PAGE_SIZE)

    def __init__(self, **kwargs):
        super().__init__(page_size=settings.ONEDOOR["PAGE_SIZE"], max_page_size=MAX_PAGE_SIZE, **kwargs)
