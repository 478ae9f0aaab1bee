"""Requests generated from the published OpenAPI contract (schemathesis, a fixed seed) against every
operation, as three personas: no input reaches a server error, and every answer matches the contract's
schema and content type. The probe found 11 server errors and 14 schema violations this way.

Run more of them: ``CASACOMUNI_FUZZ_EXAMPLES=200 .venv/bin/pytest tests/test_api_contract_fuzz.py -n 2``.
"""

import os
from datetime import timedelta

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.utils import timezone
from hypothesis import HealthCheck, Phase, given
from hypothesis import settings as hypothesis_settings
from schemathesis.checks import content_type_conformance, not_a_server_error, response_schema_conformance

from casacomuni.accounts.models import ApiToken, hash_token

PERSONAS = ("funzionario_sua", "referente_comune", "operatore_economico")
EXAMPLES = int(os.environ.get("CASACOMUNI_FUZZ_EXAMPLES", "5"))
CHECKS = [not_a_server_error, response_schema_conformance, content_type_conformance]


@pytest.fixture
def api_schema(db):
    """The contract, read from the application as a WSGI client would. Like Django's test client, the
    requests must not close the database connection at their end: it holds the test's transaction."""
    from casacomuni.wsgi import application

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application)
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@pytest.fixture
def bearers(world) -> list[dict]:
    headers = []
    for name in PERSONAS:
        raw = ApiToken.generate()
        ApiToken.objects.create(
            membership=world.memberships[name],
            name="fuzz",
            token_hash=hash_token(raw),
            expires_at=timezone.now() + timedelta(days=1),
        )
        headers.append({"Authorization": f"Bearer {raw}"})
    return headers


def failures_of(operation, bearers) -> list[str]:
    """The cases of ``operation`` that failed a check, as a persona sent them; hypothesis shrinks each."""

    @given(case=operation.as_strategy())
    @hypothesis_settings(
        max_examples=EXAMPLES,
        derandomize=True,
        deadline=None,
        phases=[Phase.explicit, Phase.generate, Phase.shrink],
        suppress_health_check=list(HealthCheck),
        database=None,
    )
    def check(case):
        for headers in bearers:
            case.call_and_validate(headers=headers, checks=CHECKS)

    try:
        check()
    except Exception as failure:  # noqa: BLE001 - every failing operation is listed, not only the first
        return [f"{operation.label}: {failure}"]
    return []


def test_generated_requests_get_answers_the_contract_promises(api_schema, bearers):
    failures = []
    for result in api_schema.get_all_operations():
        failures += failures_of(result.ok(), bearers)
    assert failures == [], "\n\n".join(failures)
