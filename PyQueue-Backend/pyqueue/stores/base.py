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
from typing import Any, Protocol, runtime_checkable

from pyqueue.enums import TaskStatus
from pyqueue.models.audit import AuditEntry
from pyqueue.models.control import Attempt, Pause
from pyqueue.models.failures import FailureGroup
from pyqueue.models.schedule import Schedule
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

    writers: int
    """How many transactions recording attempt ends are worth running at once (the pool's
    finisher threads): 1 where every write takes the same lock (SQLite), more where writes lock
    only their own rows (PostgreSQL: one batch is recorded while the next gathers)."""

    def add(self, tasks: Sequence[Task], payloads: Sequence[str] | None = None) -> list[Task]:
        """Insert new QUEUED tasks, all or none; an id that exists raises InvalidTaskState.

        Returns, for each task, the task stored under it: itself, or, when another task has its
        ``idempotency_key`` (one added earlier, or earlier in ``tasks``), that task, and nothing is
        inserted for it. Atomic across processes: a unique index decides, never a read first.

        ``payloads``, when given, holds each task's payload already encoded as compact JSON text
        (the queue encodes them to check their size): a store that keeps JSON text may store
        these rather than encode the payloads again."""
        ...

    def get(self, task_id: str) -> Task | None: ...

    def list_tasks(self, query: TaskQuery) -> tuple[list[Task], int]:
        """One page of the tasks matching ``query``, and how many match in all."""
        ...

    def claim(self, limit: int, lease_seconds: float, worker: str = "") -> list[Task]:
        """Atomically take up to ``limit`` due QUEUED tasks, oldest first, into INPROGRESS,
        skipping paused types (none while the whole queue is paused); opens each one's
        :class:`~pyqueue.models.control.Attempt`, run by process ``worker``, in the same
        transaction. ``finish``, ``finish_many`` and ``recover_expired`` close it likewise. A
        ``limit`` of 0 or less takes none."""
        ...

    def finish(self, task_id: str, lease_id: str, outcome: Outcome) -> Task | None:
        """End an attempt; ``None`` when the lease is no longer held (nothing changes)."""
        ...

    def finish_many(self, ends: Sequence[AttemptEnd]) -> list[Task | None]:
        """Record many ends of attempts in one transaction (group commit); one result each."""
        ...

    def record_ends(self, ends: Sequence[AttemptEnd]) -> int:
        """:meth:`finish_many` without reading the ended tasks back: the same changes, in one
        transaction; returns how many ends were recorded (a refused one changes nothing). For a
        process that publishes no events (a worker process), which has no use for the tasks."""
        ...

    def set_progress(
        self, task_id: str, lease_id: str, progress: float, message: str | None
    ) -> Task | None:
        """Record the progress of the attempt holding ``lease_id``; ``None`` when it no longer
        holds it (nothing changes). Bumps ``updated_at`` so the change feed relays it."""
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

    def failure_groups(self, limit: int) -> list[FailureGroup]:
        """FAILED tasks grouped by type and the first line of their error, most tasks first."""
        ...

    def requeue_failure_group(self, error: str | None, t_type: str) -> list[Task]:
        """Manual retry of the FAILED tasks of one group (see :mod:`pyqueue.models.failures`)."""
        ...

    def edit_payload(self, task_id: str, payload: Any) -> Task:
        """Replace a FAILED or CANCELLED task's payload; else :class:`InvalidTaskState`."""
        ...

    def purge_finished(self, status: TaskStatus, before: datetime, limit: int) -> list[str]:
        """Remove up to ``limit`` tasks of final ``status`` that finished before ``before``, in
        one short transaction; returns their ids (retention: the caller repeats in batches)."""
        ...

    def delete(self, task_id: str) -> Task | None:
        """Remove a task for good; returns what was removed."""
        ...

    def clear(self, status: TaskStatus | None = None, t_type: str | None = None) -> int:
        """Remove every task matching the filters; returns how many."""
        ...

    def counts(self) -> Counts: ...

    def throughput(self, since: datetime) -> list[MinuteCount]:
        """The stored tasks that are COMPLETED or FAILED, per minute they finished, since
        ``since`` (minutes with none omitted). Deleting, clearing, purging or retrying a task by
        hand takes it out of its minute, so the chart agrees with :meth:`counts`."""
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

    # -- operations: the audit log, readiness, metrics (see additional_docs/operations.md) ------
    def record_audit(self, entry: AuditEntry) -> AuditEntry:
        """Append one audit entry; returns it with its ``id``."""
        ...

    def audit_page(self, limit: int, offset: int) -> tuple[list[AuditEntry], int]:
        """One page of the audit log, newest first, and how many entries there are."""
        ...

    def oldest_queued(self) -> dict[str, datetime]:
        """Per task type with QUEUED tasks, the earliest time one of them became (or becomes)
        due: its ``run_at`` (retry or scheduled time, else its last transition)."""
        ...

    def probe(self) -> None:
        """Readiness: one cheap write that creates no task (raises :class:`StoreUnavailable` or
        another :class:`PyQueueError` when the store cannot be read and written)."""
        ...

    # -- control: attempt history and pauses (see pyqueue.models.control) -----------------------
    def attempts(self, task_id: str) -> list[Attempt]:
        """The attempts of a task, oldest first (none for an unknown task); deleting a task
        deletes them."""
        ...

    def set_paused(self, name: str, paused: bool) -> bool:
        """Pause or resume a task type, or the whole queue (``QUEUE_KEY``); True when that
        changed something. Every process's next claim honours it."""
        ...

    def pauses(self) -> list[Pause]:
        """What is paused, in name order (the whole queue first)."""
        ...

    def close(self) -> None: ...


@runtime_checkable
class ScheduleStore(Protocol):
    """Periodic tasks (``stores/*schedules*``): every store implements it.

    ``fire_schedule`` is what makes each tick run once however many processes run a scheduler:
    in one transaction it advances ``next_run_at`` only if it still has the value the caller read
    (compare-and-swap) and adds the tick's task only if that swap won.
    """

    def add_schedule(self, schedule: Schedule) -> None:
        """Insert a new schedule; an id that exists raises InvalidTaskState."""
        ...

    def declare_schedule(self, declared: Schedule) -> Schedule:
        """Insert a code schedule, or bring the stored one up to ``declared``
        (:meth:`Schedule.redeclared`: paused and last run are kept). Returns what is stored."""
        ...

    def get_schedule(self, schedule_id: str) -> Schedule | None: ...

    def list_schedules(self) -> list[Schedule]:
        """Every schedule, oldest first."""
        ...

    def pause_schedule(self, schedule_id: str, paused: bool) -> Schedule:
        """Pause or resume (:meth:`Schedule.with_paused`); ScheduleNotFound when unknown."""
        ...

    def delete_schedule(self, schedule_id: str) -> Schedule | None:
        """Remove a schedule (its tasks stay); returns what was removed."""
        ...

    def due_schedules(self, now: datetime, limit: int) -> list[Schedule]:
        """Unpaused schedules whose ``next_run_at`` is at or before ``now``, earliest first."""
        ...

    def next_schedule_at(self) -> datetime | None:
        """The earliest ``next_run_at`` of an unpaused schedule."""
        ...

    def fire_schedule(self, expected: datetime, advanced: Schedule, task: Task) -> bool:
        """One transaction: set the schedule to ``advanced`` if it is unpaused and its
        ``next_run_at`` is still ``expected``; if so, add ``task`` (unless a task with its id
        exists). True when this call enqueued the tick."""
        ...
