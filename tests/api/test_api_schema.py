"""Schemathesis walks the OpenAPI document: every operation, with generated (also malformed) input,
must answer with a documented status and a JSON body of the documented shape — never a 500."""

import pytest
import schemathesis
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, given, settings

from onedoor.accounts.actions import issue_api_token


@pytest.fixture
def keep_test_connection():
    """Calling the WSGI app directly would close the test's database connection at the end of each
    request (Django's own test client disconnects the same two handlers)."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


def test_every_operation_conforms_to_the_schema(world, keep_test_connection):
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", get_wsgi_application())
    _, raw = issue_api_token(user=world.user("clerk.wuxian"))
    headers = {"Authorization": f"Bearer {raw}"}
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 7

    for operation in operations:
        exercise(operation, headers)


def exercise(operation, headers) -> None:
    @given(case=operation.as_strategy())
    @settings(max_examples=30, deadline=None, database=None, suppress_health_check=list(HealthCheck))
    def check(case):
        response = case.call(headers=headers)
        assert response.status_code < 500, f"{operation.label}: {response.status_code} {response.text[:300]}"
        body = response.json()
        if response.status_code >= 400:
            assert {"code", "message", "details"} <= set(body), f"{operation.label}: {body}"

    check()
