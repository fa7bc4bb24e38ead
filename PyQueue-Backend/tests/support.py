"""Helpers every test package may import (conftest modules are never imported by tests)."""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient

from pyqueue import Queue, Settings

IN_CI = bool(os.environ.get("CI"))

MakeClient = Callable[..., TestClient]
MakeQueue = Callable[..., Queue]


def skip_or_fail(reason: str) -> None:
    """Skip locally when a real component is missing; fail on CI, where it must be there."""
    if IN_CI:
        pytest.fail(f"{reason} (required when CI is set)")
    pytest.skip(reason)


def make_settings(**overrides: Any) -> Settings:
    """Settings for a test: memory store, instant demo handlers and retries, test handlers."""
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


def wait_for(queue: Queue, predicate: Callable[[], bool], timeout: float) -> bool:
    """Re-check ``predicate`` after each event the queue publishes (at least every 50 ms, for
    what publishes none, such as a lease renewal); False when ``timeout`` passed first."""
    deadline = time.monotonic() + timeout
    seq = queue.events.last_seq
    while not predicate():
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            return False
        seq = queue.events.wait_after(seq, min(remaining, 0.05))
    return True
