"""Schemathesis against the live schema, in process (WSGI), with a token that can write.

Positive and negative modes, a fixed seed, at least 500 generated requests in all: no 5xx, and
every answer within the schema (status code, content type, body).
"""

from collections import Counter

import hypothesis
import pytest
import schemathesis
from django.core.wsgi import get_wsgi_application
from django.utils import timezone
from hypothesis import HealthCheck, given
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from apitokens.services import create_token
from django.core.signals import request_finished, request_started
from django.db import close_old_connections

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
EXAMPLES_PER_OPERATION = 12
SEED = 20261129


@pytest.fixture
def keep_test_connection():
    """Keep the test's database connection open across WSGI requests, as Django's test client does."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE], ids=["positive", "negative"])
def test_generated_requests_get_no_5xx_and_match_the_schema(world, keep_test_connection, mode):
    admin = world["users"]["admin"]
    _token, secret = create_token(admin, name="fuzz", scope="read_write", days=1, now=timezone.now())
    headers = {"Authorization": f"Bearer {secret}"}
    schema = schemathesis.openapi.from_wsgi("/api/schema/?format=json", get_wsgi_application())
    sent = []
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 31

    for operation in operations:

        @hypothesis.seed(SEED)
        @hypothesis.settings(
            max_examples=EXAMPLES_PER_OPERATION,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
            phases=[hypothesis.Phase.generate],
        )
        @given(case=operation.as_strategy(generation_mode=mode))
        def run(case):
            response = case.call_and_validate(headers=headers, checks=CHECKS)
            sent.append(response.status_code)

        run()

    statuses = Counter(sent)
    print(mode, len(sent), "requests:", sorted(statuses.items()))
    assert len(sent) >= 250
    assert not any(code >= 500 for code in statuses)
    # Both modes really exercise the API: answers as well as refusals.
    assert statuses[200] > 0 and sum(n for code, n in statuses.items() if 400 <= code < 500) > 0
