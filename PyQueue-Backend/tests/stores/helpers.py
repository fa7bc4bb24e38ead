"""Small builders shared by the contract tests."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from pyqueue.enums import TaskStatus
from pyqueue.models.task import Outcome, Task, utcnow
from pyqueue.stores import TaskStore


def new(t_type: str = "EMAIL", payload: Any = None, max_retries: int = 3) -> Task:
    return Task.create(t_type, {"n": 1} if payload is None else payload, max_retries)


def added(store: TaskStore, count: int, t_type: str = "EMAIL", max_retries: int = 3) -> list[Task]:
    tasks = [new(t_type, {"i": i}, max_retries) for i in range(count)]
    store.add(tasks)
    return tasks


def claim_one(store: TaskStore, lease_seconds: float = 30.0) -> Task:
    claimed = store.claim(1, lease_seconds)
    assert len(claimed) == 1
    return claimed[0]


def run_to(store: TaskStore, status: TaskStatus, **outcome: Any) -> Task:
    """Claim the oldest due task and end its attempt with ``status``."""
    task = claim_one(store)
    assert task.lease_id is not None
    done = store.finish(task.t_id, task.lease_id, Outcome(status, **outcome))
    assert done is not None
    return done


def retry_in(seconds: float) -> Outcome:
    return Outcome(
        TaskStatus.QUEUED, error="boom", next_run_at=utcnow() + timedelta(seconds=seconds)
    )
