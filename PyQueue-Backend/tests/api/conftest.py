from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from pyqueue.config import Settings
from pyqueue.main import create_app
from pyqueue.models.queue import Queue
from tests import sample_tasks

MakeClient = Callable[..., TestClient]


def make_settings(**overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "database_url": "memory://",
        "demo_time_scale": 0,
        "retry_backoff_base": 0,
        "static_dir": None,
        "task_modules": ["tests.sample_tasks"],
        "shutdown_timeout": 2,
    }
    values.update(overrides)
    return Settings(_env_file=None, **values)


@pytest.fixture
def make_client() -> Iterator[MakeClient]:
    clients: list[TestClient] = []

    def make(**overrides: Any) -> TestClient:
        client = TestClient(create_app(make_settings(**overrides)))
        client.__enter__()
        clients.append(client)
        return client

    sample_tasks.release.clear()
    while not sample_tasks.started.empty():
        sample_tasks.started.get_nowait()
    yield make
    sample_tasks.release.set()
    for client in clients:
        client.__exit__(None, None, None)


@pytest.fixture
def client(make_client: MakeClient) -> TestClient:
    return make_client()


def queue_of(client: TestClient) -> Queue:
    queue: Queue = client.app.state.queue  # type: ignore[attr-defined]
    return queue


def enqueue(client: TestClient, t_type: str, payload: Any = "x", **extra: Any) -> dict[str, Any]:
    response = client.post("/api/enqueue", json={"payload": payload, "t_type": t_type, **extra})
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


def settle(client: TestClient) -> None:
    assert queue_of(client).wait_idle(timeout=20), "the queue did not drain"
