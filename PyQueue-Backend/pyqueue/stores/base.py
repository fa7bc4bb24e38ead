"""The one storage seam: every store implements :class:`TaskStore` and passes one contract suite.

Two capabilities are optional, each an explicit protocol that the service checks with
``isinstance``: :class:`ChangeFeed` (stores shared by several processes list recent changes, so
each API process relays them to its event stream) and :class:`WakeupSource` (a store that can tell
an idle dispatcher at once that another process added work).

Stores own atomicity. ``claim`` moves each QUEUED task to INPROGRESS exactly once per attempt and
gives it a lease; ``finish`` is fenced by the lease id, so a worker that lost its lease (the task
was deleted, cancelled and retried, or recovered after its lease ran out) cannot overwrite newer
state.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from typing import Protocol, runtime_checkable

from pyqueue.enums import TaskStatus
from pyqueue.models.task import Outcome, Task
from pyqueue.models.values import (
    AttemptEnd,
    Counts,
    MinuteCount,
    RenewResult,
    TaskQuery,
    WorkerTotals,
)


@runtime_checkable
class ChangeFeed(Protocol):
    """Optional: stores shared by several processes list recent changes for the event relay."""

    def changed_since(self, since: datetime, limit: int) -> list[Task]:
        """Tasks whose ``updated_at`` is at or after ``since``, oldest change first."""
        ...


@runtime_checkable
class WakeupSource(Protocol):
    """Optional: a store that calls back whenever any process adds or requeues work."""

    def set_wakeup(self, callback: Callable[[], None]) -> object:
        """Start calling ``callback`` on new work (until the store is closed)."""
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
