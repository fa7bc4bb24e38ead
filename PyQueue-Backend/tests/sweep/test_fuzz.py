"""Property-based fuzzing of the app's own OpenAPI document, on every store.

Schemathesis generates valid and invalid requests for every operation (seeded, a bounded number per
operation) and sends them over real HTTP to a real server on 127.0.0.1. No response may be a server
error, and every response must conform to the schema the app publishes: bad input gets a 4xx that
names the problem.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
import uvicorn
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import (
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)
from schemathesis.core.result import Ok

from pyqueue import create_app
from tests.faults.harness import free_port, wait_until
from tests.support import make_settings

EXAMPLES = 100
"""Requests generated per operation and store, valid and invalid ones mixed."""


@pytest.fixture
def base_url(every_store_url: str) -> Iterator[str]:
    """A real server (uvicorn in a thread) on a fresh store of each kind."""
    app = create_app(make_settings(database_url=every_store_url))
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, name="fuzzed-server", daemon=True)
    thread.start()
    try:
        wait_until(lambda: server.started, 20, "the server to start")
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(30)


def test_no_server_error_and_every_response_conforms(base_url: str) -> None:
    published = schemathesis.openapi.from_url(f"{base_url}/openapi.json")
    schema = published.exclude(path="/api/events")  # an endless stream, covered in test_events
    operations = []
    for result in schema.get_all_operations():
        assert isinstance(result, Ok), f"the app's OpenAPI has an invalid operation: {result}"
        operations.append(result.ok())
    assert len(operations) >= 14  # every route but the event stream
    for operation in operations:
        cases = st.one_of(
            operation.as_strategy(GenerationMode.POSITIVE),
            operation.as_strategy(GenerationMode.NEGATIVE),
        )

        @given(case=cases)
        @settings(
            max_examples=EXAMPLES,
            derandomize=True,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        def exercise(case: schemathesis.Case[Any]) -> None:
            case.call_and_validate(
                base_url=base_url,
                checks=[not_a_server_error, status_code_conformance, response_schema_conformance],
            )

        exercise()
