"""Fixtures shared by every test package: apps and queues on fresh test handlers."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from pyqueue import Queue, build_queue, create_app
from tests import sample_tasks
from tests.support import MakeClient, MakeQueue, make_settings


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
