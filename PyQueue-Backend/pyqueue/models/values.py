"""Value types that cross layers: requests to enqueue, queries, counts and totals.

They carry data only; the stores fill them and the service and the API read them.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Literal

from pyqueue.enums import TaskStatus
from pyqueue.models.handlers import MAX_TIMEOUT_SECONDS
from pyqueue.models.task import Outcome, Task

Order = Literal["asc", "desc"]

MIN_PRIORITY = -100
MAX_PRIORITY = 100
MAX_DELAY = timedelta(days=365)
"""How far ahead a task may be scheduled (``delay_seconds`` or ``run_at``)."""
MAX_TIMEOUT = timedelta(seconds=MAX_TIMEOUT_SECONDS)
"""The longest execution timeout of one attempt (``timeout_seconds``)."""
MAX_IDEMPOTENCY_KEY = 200
"""The longest ``idempotency_key`` (characters)."""

THROUGHPUT_KEEP = timedelta(days=1)
"""How long the per-minute counts of finished tasks are kept (the chart shows at most a day)."""


@dataclass(frozen=True, slots=True)
class NewTask:
    """What a client asks to enqueue: ``priority`` (higher first, :data:`MIN_PRIORITY` to
    :data:`MAX_PRIORITY`), and ``run_at`` (an aware time) or ``delay_seconds`` (from now), not
    both: not before then, if that is in the future."""

    t_type: str
    payload: Any
    max_retries: int | None = None
    priority: int = 0
    run_at: datetime | None = None
    delay_seconds: float | None = None
    timeout_seconds: float | None = None
    """Cancel an attempt that runs longer (default: the type's, then PYQUEUE_DEFAULT_TIMEOUT)."""
    idempotency_key: str | None = None
    """While a task with this key exists, enqueueing it again returns that task."""


@dataclass(frozen=True, slots=True)
class Enqueued:
    """What enqueueing one request gave: the task, and whether it was created now (``False``:
    a task with the request's ``idempotency_key`` already existed and is returned instead)."""

    task: Task
    created: bool


@dataclass(frozen=True, slots=True)
class TaskQuery:
    """A filtered page of tasks, ordered by id (= creation time).

    ``after`` is a keyset cursor: the id of the last task of the previous page; the page starts
    just past it in ``order`` (so a deep page costs what the first one does, unlike ``offset``)."""

    status: TaskStatus | None = None
    t_type: str | None = None
    limit: int = 100
    offset: int = 0
    order: Order = "desc"
    after: str | None = None


@dataclass(frozen=True, slots=True)
class AttemptEnd:
    """How one attempt ended, recorded with the lease that fences it."""

    task_id: str
    lease_id: str
    outcome: Outcome


@dataclass(frozen=True, slots=True)
class Counts:
    by_status: dict[TaskStatus, int]
    by_type: dict[str, int]
    by_status_type: dict[tuple[TaskStatus, str], int] = field(default_factory=dict)
    """Every (status, type) pair that has tasks (the metrics' ``pyqueue_tasks``)."""

    @property
    def total(self) -> int:
        return sum(self.by_status.values())

    @classmethod
    def from_rows(cls, rows: Iterable[tuple[str, str, int]]) -> Counts:
        """Counts from ``(status, type, n)`` rows, one per pair that has tasks."""
        by_status = dict.fromkeys(TaskStatus, 0)
        by_type: dict[str, int] = {}
        pairs: dict[tuple[TaskStatus, str], int] = {}
        for status, t_type, n in rows:
            by_status[TaskStatus(status)] += n
            by_type[t_type] = by_type.get(t_type, 0) + n
            if n:
                pairs[(TaskStatus(status), t_type)] = n
        return cls(by_status=by_status, by_type=by_type, by_status_type=pairs)


@dataclass(frozen=True, slots=True)
class RenewResult:
    """Of the leases a worker process renewed: which it lost, and which tasks must stop."""

    lost: set[str] = field(default_factory=set)
    cancel_requested: set[str] = field(default_factory=set)


@dataclass(frozen=True, slots=True)
class MinuteCount:
    minute: datetime
    completed: int
    failed: int


@dataclass(frozen=True, slots=True)
class WorkerTotals:
    """Worker pools that processes sharing the store reported."""

    processes: int = 0
    busy: int = 0
    total: int = 0


@dataclass(frozen=True, slots=True)
class Stats:
    """Task counts, and the worker pools of every process sharing the store (this one included)."""

    counts: Counts
    busy: int
    workers: int
    processes: int
    stuck: int = 0
    """This process's worker threads still running a handler whose attempt already ended (it
    ran past its timeout and ignores cancellation)."""
