"""The reports API: the annual report as JSON, monthly statistics."""

from ninja import Router

router = Router(tags=["统计报表"])
