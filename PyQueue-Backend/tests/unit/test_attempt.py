"""One attempt is a function of (task, handler, context, policy): each way it can end."""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

import pytest

import pyqueue
from pyqueue import TaskCancelled, TaskContext
from pyqueue.enums import TaskStatus
from pyqueue.models.retry import RetryPolicy
from pyqueue.models.task import Task, utcnow
from pyqueue.system.worker import MAX_ERROR_CHARS, run_attempt, worker_factory

POLICY = RetryPolicy(base=10, maximum=10)


def _running(max_retries: int = 3, attempts: int = 1) -> tuple[Task, TaskContext]:
    task = Task.create("T", {"n": 1}, max_retries)
    task = task.claimed("lease", utcnow() + timedelta(seconds=30), utcnow())
    for _ in range(attempts - 1):
        task = task.claimed("lease", utcnow() + timedelta(seconds=30), utcnow())
    return task, TaskContext(task.t_id, task.attempts, task.max_retries)


def test_a_result_completes_the_attempt() -> None:
    task, ctx = _running()
    outcome = run_attempt(task, lambda payload, c: {"got": payload}, ctx, POLICY)
    assert outcome.status is TaskStatus.COMPLETED
    assert outcome.result == {"got": {"n": 1}}


def test_a_failure_with_retries_left_is_queued_after_the_backoff() -> None:
    task, ctx = _running(max_retries=1)

    def fails(payload: Any, c: TaskContext) -> Any:
        raise ValueError("x" * (MAX_ERROR_CHARS + 50))

    before = utcnow()
    outcome = run_attempt(task, fails, ctx, POLICY)
    assert outcome.status is TaskStatus.QUEUED
    assert outcome.error is not None
    assert outcome.error.startswith("ValueError: xxx")
    assert len(outcome.error) == MAX_ERROR_CHARS
    assert outcome.next_run_at is not None
    assert before + timedelta(seconds=5) <= outcome.next_run_at <= utcnow() + timedelta(seconds=10)


def test_a_failure_without_retries_left_fails_the_task() -> None:
    task, ctx = _running(max_retries=1, attempts=2)

    def fails(payload: Any, c: TaskContext) -> Any:
        raise RuntimeError("no")

    outcome = run_attempt(task, fails, ctx, POLICY)
    assert (outcome.status, outcome.error) == (TaskStatus.FAILED, "RuntimeError: no")


def test_a_result_that_is_not_json_fails_the_attempt() -> None:
    task, ctx = _running(max_retries=0)
    outcome = run_attempt(task, lambda payload, c: {1, 2}, ctx, POLICY)
    assert outcome.status is TaskStatus.FAILED
    assert outcome.error is not None
    assert "not JSON-serialisable" in outcome.error


@pytest.mark.parametrize(
    ("reason", "status", "refund"),
    [
        ("cancelled", TaskStatus.CANCELLED, False),
        ("deleted", TaskStatus.CANCELLED, False),
        ("shutdown", TaskStatus.QUEUED, True),
    ],
)
def test_a_cancelled_attempt_ends_by_its_reason(
    reason: Any, status: TaskStatus, refund: bool
) -> None:
    task, ctx = _running()

    def waits(payload: Any, c: TaskContext) -> Any:
        c.cancel(reason)
        c.sleep(60)  # raises at once: cancelled

    outcome = run_attempt(task, waits, ctx, POLICY)
    assert (outcome.status, outcome.refund_attempt) == (status, refund)


def test_the_first_cancel_reason_is_kept() -> None:
    _, ctx = _running()
    ctx.cancel("shutdown")
    ctx.cancel("deleted")
    assert ctx.cancel_reason == "shutdown"
    with pytest.raises(TaskCancelled):
        ctx.raise_if_cancelled()


def test_an_attempt_cancelled_before_it_starts_never_calls_the_handler() -> None:
    task, ctx = _running()
    ctx.cancel("cancelled")
    calls: list[Any] = []
    outcome = run_attempt(task, lambda payload, c: calls.append(payload), ctx, POLICY)
    assert outcome.status is TaskStatus.CANCELLED
    assert calls == []


def test_the_worker_factory_binds_an_attempt() -> None:
    task, ctx = _running()
    attempt = worker_factory(task, lambda payload, c: "done", ctx, POLICY)
    assert attempt().result == "done"


def test_the_public_surface() -> None:
    expected = {"task", "TaskContext", "Settings", "create_app", "build_queue", "NewTask", "Queue"}
    expected |= {"Client", "AsyncClient", "PyQueueError", "NotFound", "Conflict", "Unauthorized"}
    expected |= {"ValidationFailed", "ConnectionFailed", "WaitTimeout"}
    assert expected <= set(pyqueue.__all__)
    for name in pyqueue.__all__:
        assert getattr(pyqueue, name) is not None


def test_a_failed_attempt_logs_its_traceback_with_task_and_attempt(
    caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    task, ctx = _running(max_retries=3, attempts=2)

    def fails(payload: Any, c: TaskContext) -> Any:
        return payload["missing"]  # KeyError, raised here

    # setup_logging stops records at "pyqueue"; caplog listens at the root.
    monkeypatch.setattr(logging.getLogger("pyqueue"), "propagate", True)
    with caplog.at_level(logging.WARNING, logger="pyqueue.worker"):
        outcome = run_attempt(task, fails, ctx, POLICY)
    assert outcome.status is TaskStatus.QUEUED
    # Take this task's record (other tests' queues may still log on other threads), once: after
    # an app has started, pytest also captures at the non-propagating "pyqueue" logger itself.
    mine = {id(r): r for r in caplog.records if getattr(r, "task_id", None) == task.t_id}
    [record] = mine.values()
    assert record.levelno == logging.WARNING
    assert record.getMessage() == f"Attempt 2 of {task.t_id} (T) failed: KeyError('missing')"
    assert (record.task_id, record.attempt) == (task.t_id, 2)  # type: ignore[attr-defined]
    assert record.exc_info is not None
    assert record.exc_info[0] is KeyError
    assert 'return payload["missing"]' in caplog.text  # the handler's line, in the traceback
    assert "Traceback (most recent call last)" in caplog.text
