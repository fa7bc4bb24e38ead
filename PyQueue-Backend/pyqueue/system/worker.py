"""One execution attempt of one task.

``worker_factory(task, queue)`` returns ``Worker(task, queue).run``, the callable the Queue submits
to its thread pool (the seed's shape). The worker runs the handler, turns what happened into an
:class:`~pyqueue.models.task.Outcome` and hands it to ``Queue.finish``; it never touches the store's
records itself.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from pyqueue.enums import TaskStatus
from pyqueue.errors import UnknownTaskType
from pyqueue.models.task import Outcome, Task, strict_json, utcnow
from pyqueue.system.handlers import TaskCancelled

if TYPE_CHECKING:
    from pyqueue.models.queue import Queue, Running

logger = logging.getLogger("pyqueue.worker")

_MAX_ERROR_CHARS = 2000


class Worker:
    def __init__(self, task: Task, queue: Queue) -> None:
        self.task = task
        self.queue = queue

    def run(self) -> None:
        running = self.queue.context_for(self.task)
        outcome = Outcome(TaskStatus.QUEUED, error="The worker stopped unexpectedly")
        try:
            outcome = self._attempt(running)
        finally:
            self.queue.finish(self.task, outcome)

    def _attempt(self, running: Running) -> Outcome:
        task, ctx = self.task, running.context
        extra = {"task_id": task.t_id, "attempt": task.attempts}
        try:
            spec = self.queue.registry.get(task.t_type)
        except UnknownTaskType as exc:
            return Outcome(TaskStatus.FAILED, error=exc.message)
        try:
            ctx.raise_if_cancelled()
            result = _jsonable(spec.func(task.payload, ctx))
        except TaskCancelled:
            return self._cancelled(running)
        except Exception as exc:  # a handler's failure, whatever it is, is an attempt that failed
            if ctx.cancelled:
                return self._cancelled(running)
            logger.info("Attempt %d of %s failed: %r", task.attempts, task.t_id, exc, extra=extra)
            return self._failed(f"{type(exc).__name__}: {exc}")
        logger.debug("Completed %s", task.t_id, extra=extra)
        return Outcome(TaskStatus.COMPLETED, result=result)

    def _cancelled(self, running: Running) -> Outcome:
        if running.cancel_reason == "shutdown":
            return Outcome(
                TaskStatus.QUEUED,
                error="Interrupted by a shutdown; it will run again",
                refund_attempt=True,
            )
        return Outcome(TaskStatus.CANCELLED, error="Cancelled while running")

    def _failed(self, error: str) -> Outcome:
        error = error[:_MAX_ERROR_CHARS]
        if self.task.retries_left:
            return Outcome(
                TaskStatus.QUEUED,
                error=error,
                next_run_at=self.queue.next_retry_at(self.task, utcnow()),
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


def worker_factory(task: Task, queue: Queue) -> Callable[[], None]:
    return Worker(task, queue).run
