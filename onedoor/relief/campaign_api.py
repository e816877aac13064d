"""The campaign API: campaigns, roster generation and entries, coverage, field deliveries."""

from ninja import Router

router = Router(tags=["送温暖活动"])
