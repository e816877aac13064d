"""Fixtures for intake: policies built in the test (not the shipped catalogue, so each test states
the rules it relies on) and an application factory that goes through the action."""

from __future__ import annotations

import pytest


@pytest.fixture
def make_policy(world):
    from onedoor.policies.models import Policy

    counter = iter(range(1, 10_000))

    def make(name="最低生活保障", *, department="区民政局", **fields):
        code = fields.pop("code", f"test-{next(counter)}")
        defaults = {"kind": "monthly_cash", "time_limit_days": 30, "required_documents": []}
        defaults.update(fields)
        return Policy.objects.create(code=code, name=name, department=world.org(department), **defaults)

    return make


@pytest.fixture
def submit(world, make_person):
    """submit(policies, applicant=None, documents=(names...), actor="clerk.wuxian", **kw) -> Application."""
    from onedoor.intake.actions import ReceivedDocument, submit_application

    def make(policies, *, applicant=None, documents=(), actor="clerk.wuxian", window="五显镇", **extra):
        applicant = applicant or make_person()
        return submit_application(
            actor=world.user(actor) if actor else None, applicant=applicant, policies=list(policies),
            window=world.org(window), documents=[ReceivedDocument(name) for name in documents], **extra,
        )

    return make
