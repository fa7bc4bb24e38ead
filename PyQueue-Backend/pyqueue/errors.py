"""PyQueue's exceptions. Each carries a message a person can act on and an HTTP status.

The API maps them to JSON responses in one place (:mod:`pyqueue.api.errors`).
"""

from __future__ import annotations

from collections.abc import Iterable


class PyQueueError(Exception):
    """Base of every error PyQueue raises on purpose."""

    status_code = 500

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class TaskNotFound(PyQueueError):
    """No task has this id (it never existed, or it was deleted)."""

    status_code = 404

    def __init__(self, task_id: str) -> None:
        super().__init__(f"Job {task_id} not found")
        self.task_id = task_id


class InvalidTaskState(PyQueueError):
    """The task's status does not allow the requested action."""

    status_code = 409


class UnknownTaskType(PyQueueError):
    """No handler is registered under this task type."""

    status_code = 422

    def __init__(self, t_type: str, known: Iterable[str]) -> None:
        names = ", ".join(sorted(known))
        super().__init__(f"Unknown task type {t_type!r}; known types: {names}")
        self.t_type = t_type


class InvalidPayload(PyQueueError):
    """A payload that JSON cannot carry faithfully (NaN, Infinity, invalid Unicode)."""

    status_code = 422


class InvalidTaskOption(PyQueueError):
    """An enqueue option out of its range: a priority, a delay or a time to run at."""

    status_code = 422


class InvalidSchedule(PyQueueError):
    """A schedule with a bad cron expression, time zone, payload or task type; names the field."""

    status_code = 422

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field


class ScheduleNotFound(PyQueueError):
    """No schedule has this id."""

    status_code = 404

    def __init__(self, schedule_id: str) -> None:
        super().__init__(f"Schedule {schedule_id} not found")
        self.schedule_id = schedule_id


class PayloadTooLarge(PyQueueError):
    """A payload is larger than ``PYQUEUE_MAX_PAYLOAD_BYTES``."""

    status_code = 413


class StoreUnavailable(PyQueueError):
    """The task store cannot be reached right now; the request changed nothing."""

    status_code = 503


class QueueStopped(PyQueueError):
    """The queue is shutting down and accepts no new work."""

    status_code = 503


class ConfigurationError(PyQueueError):
    """A setting is invalid (raised at start-up)."""
