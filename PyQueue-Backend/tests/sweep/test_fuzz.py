"""Property-based fuzzing of the app's own OpenAPI document, on every store.

Schemathesis generates valid and invalid requests for every operation (seeded, a bounded number per
operation) and sends them over real HTTP to a real server on 127.0.0.1. No response may be a server
error, and every response must conform to the schema the app publishes: bad input gets a 4xx that
names the problem.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import (
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)
from schemathesis.core.result import Ok

from tests.faults.harness import free_port, start_server

EXAMPLES = 100
"""Requests generated per operation and store, valid and invalid ones mixed."""


@pytest.fixture
def base_url(every_store_url: str) -> Iterator[str]:
    """A real server (``pyqueue serve`` in a process of its own) on a fresh store of each kind.

    Its own process, not a thread of this one: Hypothesis refuses a draw during which the global
    ``random`` state moved, and libraries the server runs (psycopg_pool's reconnection jitter) draw
    from it at moments of their own."""
    port = free_port()
    server = start_server(
        port,
        PYQUEUE_DATABASE_URL=every_store_url,
        PYQUEUE_DEMO_TIME_SCALE="0",
        PYQUEUE_RETRY_BACKOFF_BASE="0",
        PYQUEUE_TASK_MODULES="tests.sample_tasks",
        PYQUEUE_SHUTDOWN_TIMEOUT="2",
        PYQUEUE_LOG_LEVEL="WARNING",
    )
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.terminate()
        server.wait(30)


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
