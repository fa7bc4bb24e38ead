"""Fixtures shared by every test package: apps and queues on fresh test handlers."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from pyqueue import Queue, build_queue, create_app
from tests import sample_tasks
from tests.stores.factory import drop_schema, postgres_reason, store_url
from tests.support import MakeClient, MakeQueue, make_settings, skip_or_fail

STORE_KINDS = [
    pytest.param("memory"),
    pytest.param("sqlite", marks=pytest.mark.sqlite),
    pytest.param("postgres", marks=pytest.mark.postgres),
]


@pytest.fixture(params=STORE_KINDS)
def every_store_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """The URL of a fresh, empty store of each kind (PostgreSQL: a schema of its own)."""
    kind: str = request.param
    if kind == "postgres" and (reason := postgres_reason()):
        skip_or_fail(reason)
    schema = f"pyqueue_t_{tmp_path.name}"[:60].lower()
    yield store_url(kind, tmp_path, schema)
    if kind == "postgres":
        drop_schema(schema)


@pytest.fixture
def fresh_sample_tasks() -> Iterator[None]:
    """The test handlers' shared state, reset before the test; blocked handlers released after."""
    sample_tasks.reset()
    yield
    sample_tasks.release.set()


@pytest.fixture
def make_client(fresh_sample_tasks: None) -> Iterator[MakeClient]:
    """Started apps (``TestClient``) on ``make_settings(**overrides)``, stopped after the test."""
    clients: list[TestClient] = []

    def make(**overrides: Any) -> TestClient:
        client = TestClient(create_app(make_settings(**overrides)))
        client.__enter__()
        clients.append(client)
        return client

    yield make
    sample_tasks.release.set()
    for client in clients:
        client.__exit__(None, None, None)


@pytest.fixture
def client(make_client: MakeClient) -> TestClient:
    return make_client()


@pytest.fixture
def make_queue(fresh_sample_tasks: None) -> Iterator[MakeQueue]:
    """Started queues on ``make_settings(**overrides)``, stopped after the test."""
    queues: list[Queue] = []

    def make(**overrides: Any) -> Queue:
        queue = build_queue(make_settings(**overrides))
        queue.start()
        queues.append(queue)
        return queue

    yield make
    sample_tasks.release.set()
    for queue in queues:
        queue.stop(timeout=2)
        queue.close()  # the store too: a SQLite store's watcher thread, PostgreSQL's pool
