"""The JSON API fuzzed from its own OpenAPI description (Schemathesis), with a valid token:
no answer is a server error, and every answer matches what the description says (status
code, content type, headers, body schema). Examples per operation follow the Hypothesis
profile (tests/conftest.py): 60 by default, more with HYPOTHESIS_PROFILE=long.
"""

from __future__ import annotations

import pytest
import schemathesis
from django.core.wsgi import get_wsgi_application
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis.errors import Unsatisfiable
from schemathesis.checks import not_a_server_error
from schemathesis.generation.modes import GenerationMode
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from measures.openapi import openapi_document

from .conftest import tidy
from .test_api import bearer

pytestmark = pytest.mark.django_db

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]


def operations():
    schema = schemathesis.openapi.from_dict(openapi_document())
    return [result.ok() for result in schema.get_all_operations()]


@pytest.fixture
def connection_kept():
    """The WSGI app is called directly, not through Django's test client, so its request
    signals would close the test's database connection (inside the test's transaction, on
    PostgreSQL) after the first request: keep it open, as the test client does."""
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
@pytest.mark.parametrize("operation", operations(), ids=lambda op: op.label)
def test_operation_answers_without_server_error_and_as_described(
    world, settings, operation, mode, send, connection_kept
):
    settings.ALLOWED_HOSTS = ["localhost", "testserver"]
    # Something to find: a finished upload and stored figures of the token's site.
    send(world.a.info, world.a.site, tidy([("AAA", "06/01/2025", "referrals_received", 3)]))
    app = operation.schema.app = get_wsgi_application()
    headers = bearer(world.a.info)

    @hypothesis_settings(deadline=None, suppress_health_check=list(HealthCheck))
    @given(case=operation.as_strategy(generation_mode=mode))
    def check(case):
        response = case.call(headers=headers, app=app)
        case.validate_response(response, checks=CHECKS, headers=headers)

    try:
        check()
    except Unsatisfiable:
        # An operation with no parameters or body has nothing to make invalid.
        assert mode == GenerationMode.NEGATIVE
        pytest.skip("no input to make invalid")
