"""One execution attempt of one task, as a function: (task, handler, context, policy) → outcome.

``worker_factory`` binds an attempt into the zero-argument callable that the worker pool submits
to its thread pool; the pool records the :class:`~pyqueue.models.task.Outcome` it returns. An
attempt never touches the store, the pool or the queue.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from functools import partial
from typing import Any

from pyqueue.enums import TaskStatus
from pyqueue.models.handlers import Handler, TaskCancelled, TaskContext
from pyqueue.models.retry import RetryPolicy
from pyqueue.models.task import Outcome, Task, strict_json, utcnow

logger = logging.getLogger("pyqueue.worker")

MAX_ERROR_CHARS = 2000
"""The longest ``last_error`` recorded; a longer message is cut."""

WorkerFactory = Callable[[Task, Handler, TaskContext, RetryPolicy], Callable[[], Outcome]]


def run_attempt(task: Task, handler: Handler, ctx: TaskContext, policy: RetryPolicy) -> Outcome:
    """Run ``handler`` on the task's payload and say how the attempt ended."""
    try:
        ctx.raise_if_cancelled()
        result = _jsonable(handler(task.payload, ctx))
    except TaskCancelled:
        return _cancelled(ctx)
    except Exception as exc:  # a handler's failure, whatever it is, is an attempt that failed
        if ctx.cancelled:
            return _cancelled(ctx)
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
        return _failed(task, policy, f"{type(exc).__name__}: {exc}")
    logger.debug("Completed %s", task.t_id, extra={"task_id": task.t_id})
    return Outcome(TaskStatus.COMPLETED, result=result)


def worker_factory(
    task: Task, handler: Handler, ctx: TaskContext, policy: RetryPolicy
) -> Callable[[], Outcome]:
    """The attempt as the callable a thread pool runs."""
    return partial(run_attempt, task, handler, ctx, policy)


def _cancelled(ctx: TaskContext) -> Outcome:
    if ctx.cancel_reason == "shutdown":
        return Outcome(
            TaskStatus.QUEUED,
            error="Interrupted by a shutdown; it will run again",
            refund_attempt=True,
        )
    return Outcome(TaskStatus.CANCELLED, error="Cancelled while running")


def _failed(task: Task, policy: RetryPolicy, error: str) -> Outcome:
    error = error[:MAX_ERROR_CHARS]
    if task.retries_left:
        return Outcome(
            TaskStatus.QUEUED, error=error, next_run_at=policy.next_run_at(task.attempts, utcnow())
        )
    return Outcome(TaskStatus.FAILED, error=error)


def _jsonable(value: Any) -> Any:
    """The handler's result, checked to be JSON (no pickling, ever)."""
    if value is None:
        return value
    try:
        strict_json(value)
    except (TypeError, ValueError) as exc:
        raise TypeError(f"The handler's result is not JSON-serialisable: {exc}") from exc
    return value
