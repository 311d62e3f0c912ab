"""schemathesis against /api/openapi.json, in-process (WSGI), as each kind of persona.

Every operation gets a bounded number of generated requests; the report counts server
errors and schema violations (response body, content type and headers against the
documented schema). Both must be 0.
"""

from __future__ import annotations

import pytest
import schemathesis
from django.core.wsgi import get_wsgi_application
from hypothesis import HealthCheck, Phase, given
from hypothesis import settings as hsettings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fast_password_hashing")]

MAX_EXAMPLES = 15
CSRF = "a" * 32  # an unmasked CSRF secret: the cookie and the header carry the same value
CHECKS = [
    not_a_server_error,
    response_schema_conformance,
    content_type_conformance,
    response_headers_conformance,
]


@pytest.fixture
def keep_test_connection():
    """The WSGI handler closes DB connections after each request; Django's own test
    client switches that off so the test transaction survives. Do the same here."""
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


def _headers(client, user) -> dict[str, str]:
    if user is None:
        return {}
    client.force_login(user)
    session = client.cookies["sessionid"].value
    return {"Cookie": f"sessionid={session}; csrftoken={CSRF}", "X-CSRFToken": CSRF}


def _run(schema, headers) -> tuple[int, int, list[str]]:
    operations, calls, failures = 0, [0], []
    for result in schema.get_all_operations():
        operations += 1
        _run_operation(result.ok(), headers, calls, failures)
    return operations, calls[0], failures


def _run_operation(operation, headers, calls: list[int], failures: list[str]) -> None:
    @given(case=operation.as_strategy())
    @hsettings(
        max_examples=MAX_EXAMPLES,
        deadline=None,
        derandomize=True,
        database=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    def check(case):
        calls[0] += 1
        try:
            case.call_and_validate(headers=headers, checks=CHECKS)
        except Exception as exc:  # schemathesis raises a group of check failures
            failures.append(f"{operation.method.upper()} {operation.path}: {exc}"[:400])

    check()


def test_api_has_no_server_errors_or_schema_violations(
    client, partner_a, therapist, clinic_admin, capsys, keep_test_connection
):
    schema = schemathesis.openapi.from_wsgi("/api/openapi.json", get_wsgi_application())
    report = []
    all_failures: list[str] = []
    for name, user in (
        ("anonymous", None),
        ("client", partner_a),
        ("therapist", therapist),
        ("clinic_admin", clinic_admin),
    ):
        operations, calls, failures = _run(schema, _headers(client, user))
        report.append(f"{name}: {operations} operations, {calls} requests")
        all_failures += failures
    with capsys.disabled():
        print(f"\nschemathesis: {'; '.join(report)}; failures: {len(all_failures)}")
    assert all_failures == []
