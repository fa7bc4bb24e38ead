"""TaskContext.progress (validation and throttling), the timeout outcome and the deadline thread."""

from __future__ import annotations

import math
import threading

import pytest
from pydantic import ValidationError

from pyqueue.config import Settings
from pyqueue.enums import TaskStatus
from pyqueue.errors import ConfigurationError
from pyqueue.models import handlers
from pyqueue.models.handlers import HandlerRegistry, TaskCancelled, TaskContext
from pyqueue.models.retry import RetryPolicy
from pyqueue.models.task import Task
from pyqueue.system.timeouts import Deadlines
from pyqueue.system.worker import run_attempt


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    fake = Clock()
    monkeypatch.setattr("pyqueue.models.handlers._clock", fake)
    return fake


def _context(reports: list[tuple[float, str | None]]) -> TaskContext:
    return TaskContext("Task-X", 1, 3, progress_sink=lambda f, m: reports.append((f, m)))


def test_progress_is_throttled_but_the_end_always_stored(clock: Clock) -> None:
    reports: list[tuple[float, str | None]] = []
    ctx = _context(reports)
    ctx.progress(0.1, "first")  # the first report is stored at once
    clock.now += 0.1
    ctx.progress(0.2)  # too soon: dropped
    clock.now += 0.3
    ctx.progress(0.3)  # 0.4 s after the first: still dropped
    clock.now += 0.2
    ctx.progress(0.4, "later")  # 0.6 s after the first
    clock.now += 0.01
    ctx.progress(1.0, "done")  # the end is never dropped
    assert reports == [(0.1, "first"), (0.4, "later"), (1.0, "done")]


@pytest.mark.parametrize("bad", [-0.01, 1.01, math.nan, math.inf, True, "0.5", None])
def test_progress_out_of_range_or_not_a_number_is_refused(clock: Clock, bad: object) -> None:
    reports: list[tuple[float, str | None]] = []
    with pytest.raises(ValueError, match="progress must be"):
        _context(reports).progress(bad)  # type: ignore[arg-type]
    assert reports == []


def test_progress_accepts_whole_numbers_and_cuts_long_messages(clock: Clock) -> None:
    reports: list[tuple[float, str | None]] = []
    ctx = _context(reports)
    ctx.progress(0, "x" * 10_000)
    assert reports == [(0.0, "x" * handlers.MAX_PROGRESS_MESSAGE)]
    with pytest.raises(ValueError, match="message"):
        ctx.progress(1, 42)  # type: ignore[arg-type]


def test_a_context_without_a_sink_ignores_progress(clock: Clock) -> None:
    TaskContext("Task-X", 1, 3).progress(0.5)


def test_a_timed_out_attempt_fails_and_is_retried_by_policy() -> None:
    task = Task.create("X", None, 1, timeout_seconds=2.5)
    task = task.claimed("lease", task.created_at, task.created_at)
    ctx = TaskContext(task.t_id, 1, 1, timeout_seconds=2.5)

    def handler(payload: object, context: TaskContext) -> object:
        context.cancel("timeout")
        context.sleep(10)
        return "never"

    outcome = run_attempt(task, handler, ctx, RetryPolicy(0, 0))
    assert outcome.status is TaskStatus.QUEUED  # a retry is left
    assert outcome.error == "Timed out after 2.5 s"
    with pytest.raises(TaskCancelled, match=r"timed out after 2\.5 s"):
        ctx.raise_if_cancelled()


def test_a_type_timeout_must_be_positive_and_bounded() -> None:
    registry = HandlerRegistry()
    registry.register("OK", timeout=3)(lambda p, c: None)
    assert registry.get("OK").timeout == 3
    for bad in (0, -1, 8 * 24 * 3600, True, "5"):
        with pytest.raises(ConfigurationError, match="timeout"):
            registry.add("BAD", lambda p, c: None, timeout=bad)  # type: ignore[arg-type]


def test_deadlines_call_back_in_order_unless_cancelled() -> None:
    deadlines = Deadlines("test-deadlines")
    called: list[str] = []
    done = threading.Event()
    try:
        token = deadlines.add(0.05, lambda: called.append("cancelled"))
        deadlines.cancel(token)
        deadlines.add(0.06, lambda: called.append("second"))
        deadlines.add(0.0, lambda: called.append("first"))
        deadlines.add(0.1, done.set)
        assert done.wait(10)
        assert called == ["first", "second"]
    finally:
        deadlines.stop()


def test_the_default_timeout_setting_is_unset_empty_or_bounded(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert Settings(_env_file=None).default_timeout is None
    monkeypatch.setenv("PYQUEUE_DEFAULT_TIMEOUT", "")
    assert Settings(_env_file=None).default_timeout is None
    monkeypatch.setenv("PYQUEUE_DEFAULT_TIMEOUT", "90")
    assert Settings(_env_file=None).default_timeout == 90
    for bad in ("0", "-5", str(7 * 24 * 3600 + 1), "soon"):
        monkeypatch.setenv("PYQUEUE_DEFAULT_TIMEOUT", bad)
        with pytest.raises(ValidationError, match="default_timeout"):
            Settings(_env_file=None)


def test_a_cancel_sets_the_event_whether_it_was_made_before_or_after() -> None:
    # The event is made on first use: one made before the cancel is set by it, one first asked
    # for after the cancel is born set (a sleep then returns at once).
    early = TaskContext("Task-X", 1, 0)
    event = early.cancel_event
    early.cancel("cancelled")
    assert event.is_set() and early.cancelled
    late = TaskContext("Task-Y", 1, 0)
    assert not late.cancelled
    late.cancel("deleted")
    late.cancel("shutdown")  # the first reason stays
    assert late.cancel_event.is_set() and late.cancel_reason == "deleted"
    with pytest.raises(TaskCancelled, match="was cancelled"):
        late.raise_if_cancelled()


def test_cancel_callbacks_run_unless_undone() -> None:
    ctx = TaskContext("Task-X", 1, 0)
    calls: list[str] = []
    undo = ctx.on_cancel(lambda: calls.append("undone"))
    ctx.on_cancel(lambda: calls.append("kept"))
    undo()
    ctx.cancel("cancelled")
    assert calls == ["kept"]
