"""The one storage seam: every store implements :class:`TaskStore` and passes one contract suite.

Stores own atomicity. ``claim`` moves each QUEUED task to INPROGRESS exactly once per attempt and
gives it a lease; ``finish`` is fenced by the lease id, so a worker that lost its lease (the task
was deleted, cancelled and retried, or recovered after its lease ran out) cannot overwrite newer
state.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal, Protocol

from pyqueue.enums import TaskStatus
from pyqueue.models.task import Outcome, Task

Order = Literal["asc", "desc"]


@dataclass(frozen=True, slots=True)
class TaskQuery:
    """A filtered page of tasks, ordered by id (= creation time)."""

    status: TaskStatus | None = None
    t_type: str | None = None
    limit: int = 100
    offset: int = 0
    order: Order = "desc"


@dataclass(frozen=True, slots=True)
class AttemptEnd:
    """How one attempt ended, for :meth:`TaskStore.finish_many`."""

    task_id: str
    lease_id: str
    outcome: Outcome


@dataclass(frozen=True, slots=True)
class Counts:
    by_status: dict[TaskStatus, int]
    by_type: dict[str, int]

    @property
    def total(self) -> int:
        return sum(self.by_status.values())


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


class ChangeFeed(Protocol):
    """Optional: stores shared by several processes list recent changes for the event relay."""

    def changed_since(self, since: datetime, limit: int) -> list[Task]:
        """Tasks whose ``updated_at`` is at or after ``since``, oldest change first."""
        ...


class TaskStore(Protocol):
    """Persistence of tasks. All methods are thread-safe."""

    blocking: bool
    """True when calls do I/O (the API then runs them off the event loop)."""

    def add(self, tasks: Sequence[Task]) -> None:
        """Insert new QUEUED tasks, all or none; an id that exists raises InvalidTaskState."""

    def get(self, task_id: str) -> Task | None: ...

    def list_tasks(self, query: TaskQuery) -> tuple[list[Task], int]:
        """One page of the tasks matching ``query``, and how many match in all."""
        ...

    def claim(self, limit: int, lease_seconds: float) -> list[Task]:
        """Atomically take up to ``limit`` due QUEUED tasks, oldest first, into INPROGRESS."""
        ...

    def finish(self, task_id: str, lease_id: str, outcome: Outcome) -> Task | None:
        """End an attempt; ``None`` when the lease is no longer held (nothing changes)."""
        ...

    def finish_many(self, ends: Sequence[AttemptEnd]) -> list[Task | None]:
        """Record many ends of attempts in one transaction (group commit); one result each."""
        ...

    def renew(self, leases: Mapping[str, str], lease_seconds: float) -> RenewResult:
        """Extend the leases ``{task_id: lease_id}`` this process holds."""
        ...

    def recover_expired(self) -> list[Task]:
        """Return INPROGRESS tasks whose lease ran out to QUEUED (or FAILED when out of retries)."""
        ...

    def request_cancel(self, task_id: str) -> Task:
        """QUEUED → CANCELLED; INPROGRESS → ``cancel_requested``; else :class:`InvalidTaskState`."""
        ...

    def requeue(self, task_id: str) -> Task:
        """Manual retry: FAILED or CANCELLED → QUEUED with a fresh retry budget."""
        ...

    def requeue_failed(self, t_type: str | None = None) -> list[Task]:
        """Manual retry of every FAILED task (of one type)."""
        ...

    def delete(self, task_id: str) -> Task | None:
        """Remove a task for good; returns what was removed."""
        ...

    def clear(self, status: TaskStatus | None = None, t_type: str | None = None) -> int:
        """Remove every task matching the filters; returns how many."""
        ...

    def counts(self) -> Counts: ...

    def throughput(self, since: datetime) -> list[MinuteCount]:
        """Tasks COMPLETED and FAILED per minute since ``since`` (minutes with none omitted)."""
        ...

    def report_workers(self, process_id: str, busy: int, total: int) -> None:
        """Record a process's worker pool (reported each heartbeat); ``total == 0`` removes it."""
        ...

    def worker_totals(self, fresh_since: datetime, exclude: str) -> WorkerTotals:
        """The pools reported since ``fresh_since``, summed, leaving out process ``exclude``."""
        ...

    def next_due(self) -> datetime | None:
        """When the earliest QUEUED task waiting for a retry becomes due."""
        ...

    def close(self) -> None: ...
