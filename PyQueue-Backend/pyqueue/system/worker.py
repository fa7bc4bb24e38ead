"""One execution attempt of one task, as a function: (task, handler, context, policy) → outcome.

``worker_factory`` binds an attempt into the zero-argument callable that the worker pool submits
to its thread pool; the pool records the :class:`~pyqueue.models.task.Outcome` it returns. An
attempt never touches the store, the pool or the queue.
"""

from __future__ import annotations

import inspect
import logging
from collections.abc import Callable
from functools import partial
from typing import Any

from pyqueue.enums import TaskStatus
from pyqueue.models.control import traceback_tail
from pyqueue.models.handlers import Handler, TaskCancelled, TaskContext
from pyqueue.models.retry import RetryPolicy
from pyqueue.models.task import Outcome, Task, strict_json, utcnow
from pyqueue.system.aio import run_awaitable

logger = logging.getLogger("pyqueue.worker")

_COMPLETED = Outcome(TaskStatus.COMPLETED)

MAX_ERROR_CHARS = 2000
"""The longest ``last_error`` recorded; a longer message is cut."""

WorkerFactory = Callable[[Task, Handler, TaskContext, RetryPolicy], Callable[[], Outcome]]


def run_attempt(task: Task, handler: Handler, ctx: TaskContext, policy: RetryPolicy) -> Outcome:
    """Run ``handler`` on the task's payload and say how the attempt ended."""
    try:
        ctx.raise_if_cancelled()
        result = handler(task.payload, ctx)
        if result is not None:
            if inspect.isawaitable(result):  # an async def handler
                result = run_awaitable(result, ctx)
            result = _jsonable(result)
    except TaskCancelled:
        return interrupted(task, ctx, policy)
    except Exception as exc:  # a handler's failure, whatever it is, is an attempt that failed
        if ctx.cancelled:
            return interrupted(task, ctx, policy)
        extra = {"task_id": task.t_id, "attempt": task.attempts}
        logger.warning(
            "Attempt %d of %s (%s) failed: %r",
            task.attempts,
            task.t_id,
            task.t_type,
            exc,
            exc_info=exc,
            extra=extra,
        )
        return _failed(task, policy, f"{type(exc).__name__}: {exc}", traceback_tail(exc))
    if logger.isEnabledFor(logging.DEBUG):
        logger.debug("Completed %s", task.t_id, extra={"task_id": task.t_id})
    # a handler that returns nothing (most do) shares one outcome: it is immutable
    return _COMPLETED if result is None else Outcome(TaskStatus.COMPLETED, result=result)


def worker_factory(
    task: Task, handler: Handler, ctx: TaskContext, policy: RetryPolicy
) -> Callable[[], Outcome]:
    """The attempt as the callable a thread pool runs."""
    return partial(run_attempt, task, handler, ctx, policy)


def interrupted(task: Task, ctx: TaskContext, policy: RetryPolicy) -> Outcome:
    """How an attempt that was asked to stop ends: a timeout is a failed attempt (the retry policy
    applies); a shutdown gives the task back; anything else cancels it."""
    if ctx.cancel_reason == "timeout":
        return _failed(task, policy, f"Timed out after {ctx.timeout_seconds or 0:g} s")
    if ctx.cancel_reason == "shutdown":
        return Outcome(
            TaskStatus.QUEUED,
            error="Interrupted by a shutdown; it will run again",
            refund_attempt=True,
        )
    return Outcome(TaskStatus.CANCELLED, error="Cancelled while running")


def _failed(task: Task, policy: RetryPolicy, error: str, trace: str | None = None) -> Outcome:
    error = error[:MAX_ERROR_CHARS]
    if task.retries_left:
        return Outcome(
            TaskStatus.QUEUED,
            error=error,
            next_run_at=policy.next_run_at(task.attempts, utcnow()),
            traceback=trace,
        )
    return Outcome(TaskStatus.FAILED, error=error, traceback=trace)


def _jsonable(value: Any) -> Any:
    """The handler's result, checked to be JSON (no pickling, ever)."""
    if value is None:
        return value
    try:
        strict_json(value)
    except (TypeError, ValueError) as exc:
        raise TypeError(f"The handler's result is not JSON-serialisable: {exc}") from exc
    return value
