"""Execution timeouts and progress, end to end on every store (a real pool, real threads)."""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from typing import Any

import pytest

from pyqueue import Queue
from pyqueue.enums import TaskStatus
from pyqueue.models.task import Task
from tests import control_tasks
from tests.support import MakeQueue

MODULES = ["tests.sample_tasks", "tests.control_tasks"]


@pytest.fixture(autouse=True)
def fresh_control_tasks() -> Iterator[None]:
    control_tasks.reset()
    yield
    control_tasks.release()


def _queue(make_queue: MakeQueue, url: str, **overrides: Any) -> Queue:
    return make_queue(database_url=url, task_modules=MODULES, **overrides)


def _ended(queue: Queue, task_id: str, status: TaskStatus) -> Task:
    assert queue.wait_for_status(task_id, status, timeout=20), queue.store.get(task_id)
    task = queue.store.get(task_id)
    assert task is not None
    return task


def _wait(queue: Queue, predicate: Any, timeout: float = 20) -> bool:
    return queue._wait_until(predicate, timeout)


def test_a_cooperative_handler_is_cancelled_at_its_timeout_and_fails(
    every_store_url: str, make_queue: MakeQueue
) -> None:
    queue = _queue(make_queue, every_store_url, workers=2)
    task = queue.enqueue("SLEEPY", 60, max_retries=0, timeout_seconds=0.2)
    assert task.timeout_seconds == 0.2
    failed = _ended(queue, task.t_id, TaskStatus.FAILED)
    assert failed.last_error == "Timed out after 0.2 s"
    assert failed.attempts == 1
    assert _wait(queue, lambda: queue.stats().stuck == 0)


def test_a_timeout_is_retried_by_the_retry_policy(
    every_store_url: str, make_queue: MakeQueue
) -> None:
    queue = _queue(make_queue, every_store_url, workers=1)
    task = queue.enqueue("SLEEPY", 60, max_retries=2, timeout_seconds=0.1)
    failed = _ended(queue, task.t_id, TaskStatus.FAILED)
    assert failed.attempts == 3
    assert failed.last_error == "Timed out after 0.1 s"


def test_a_task_that_ends_in_time_completes(every_store_url: str, make_queue: MakeQueue) -> None:
    queue = _queue(make_queue, every_store_url, workers=1)
    task = queue.enqueue("SLEEPY", 0, timeout_seconds=30)
    done = _ended(queue, task.t_id, TaskStatus.COMPLETED)
    assert done.result == "slept"


class _Seen(logging.Handler):
    """Sets ``event`` when a record containing ``text`` is logged."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self.text = text
        self.event = threading.Event()
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        message = record.getMessage()
        if self.text in message:
            self.messages.append(message)
            self.event.set()


def test_a_handler_that_ignores_cancellation_is_failed_logged_and_counted_stuck(
    every_store_url: str, make_queue: MakeQueue
) -> None:
    seen = _Seen("worker thread is stuck")
    logger = logging.getLogger("pyqueue.queue")
    logger.addHandler(seen)
    try:
        queue = _queue(make_queue, every_store_url, workers=1)
        task = queue.enqueue("STUCK", None, max_retries=0, timeout_seconds=0.2)
        assert control_tasks.started.get(timeout=20) == task.t_id
        failed = _ended(queue, task.t_id, TaskStatus.FAILED)
        assert failed.last_error == "Timed out after 0.2 s"
        assert not control_tasks.stuck_returned.is_set()  # the handler still runs ...
        assert queue.stats().stuck == 1  # ... and is counted
        # its worker slot is free again: another task runs on a spare thread meanwhile
        echo = queue.enqueue("ECHO", "meanwhile")
        assert _ended(queue, echo.t_id, TaskStatus.COMPLETED).result is not None
        assert seen.event.wait(20)  # logged once, naming the task
        assert len(seen.messages) == 1 and task.t_id in seen.messages[0]
        control_tasks.unstick.set()
        assert _wait(queue, lambda: queue.stats().stuck == 0)
        late = queue.store.get(task.t_id)
        assert late is not None
        assert late.status is TaskStatus.FAILED and late.result is None  # "late" was discarded
    finally:
        logger.removeHandler(seen)


def test_the_timeout_comes_from_the_request_then_the_type_then_the_setting(
    make_queue: MakeQueue,
) -> None:
    queue = _queue(make_queue, "memory://", workers=0, default_timeout=90)
    assert queue.enqueue("TIMED", 0).timeout_seconds == 0.2
    assert queue.enqueue("TIMED", 0, timeout_seconds=5).timeout_seconds == 5
    assert queue.enqueue("ECHO", 0).timeout_seconds == 90
    assert queue.enqueue("ECHO", 0, timeout_seconds=1.5).timeout_seconds == 1.5
    bare = _queue(make_queue, "memory://", workers=0)
    assert bare.enqueue("ECHO", 0).timeout_seconds is None


def test_a_type_default_timeout_applies(make_queue: MakeQueue) -> None:
    queue = _queue(make_queue, "memory://", workers=1)
    task = queue.enqueue("TIMED", 60, max_retries=0)
    assert _ended(queue, task.t_id, TaskStatus.FAILED).last_error == "Timed out after 0.2 s"


def test_progress_is_stored_and_published(every_store_url: str, make_queue: MakeQueue) -> None:
    queue = _queue(make_queue, every_store_url, workers=1)
    task = queue.enqueue("STEPS", None)
    assert control_tasks.started.get(timeout=20) == task.t_id
    running = queue.store.get(task.t_id)
    assert running is not None and running.status is TaskStatus.INPROGRESS
    assert (running.progress, running.progress_message) == (0.5, "half way")
    published = queue.events.since(0) or []
    assert any(
        e.task is not None and e.task.t_id == task.t_id and e.task.progress == 0.5
        for e in published
    )
    control_tasks.gate.set()
    done = _ended(queue, task.t_id, TaskStatus.COMPLETED)
    assert (done.progress, done.progress_message) == (1.0, "done")


def test_a_progress_out_of_range_fails_the_attempt(make_queue: MakeQueue) -> None:
    queue = _queue(make_queue, "memory://", workers=1)
    task = queue.enqueue("BADPROGRESS", 1.5, max_retries=0)
    failed = _ended(queue, task.t_id, TaskStatus.FAILED)
    assert failed.last_error is not None
    assert failed.last_error.startswith("ValueError: progress must be from 0.0 to 1.0")
    assert failed.progress is None


def test_the_demo_report_type_reports_its_progress(make_queue: MakeQueue) -> None:
    queue = _queue(make_queue, "memory://", workers=1, demo_time_scale=0)
    task = queue.enqueue("REPORT", {"pages": 3})
    done = _ended(queue, task.t_id, TaskStatus.COMPLETED)
    assert (done.progress, done.progress_message) == (1.0, "REPORT: step 10 of 10")
