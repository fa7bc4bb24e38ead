"""``memory://``: a lock-protected in-memory registry, with indexes.

Nothing survives the process. Claims pop a heap of ready tasks, in the SQL stores' claim order
(highest priority, then the time it became eligible, then id), which a heap of scheduled ones
(retries and delayed tasks) feeds as they fall due; every filter (status, type, both) has an
id-sorted index, so claim, enqueue and a filtered page cost O(log n) and never scan the whole
store.
"""

from __future__ import annotations

import bisect
import heapq
import threading
from collections.abc import Callable, Hashable, Iterator, Mapping, Sequence
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

from sortedcontainers import SortedList

from pyqueue.enums import TaskStatus
from pyqueue.enums.task_status import FINAL_STATUSES
from pyqueue.errors import InvalidTaskState, TaskNotFound
from pyqueue.models.audit import AuditEntry
from pyqueue.models.control import QUEUE_KEY, Attempt, AttemptOutcome, Pause, outcome_kind
from pyqueue.models.failures import FailureGroup, error_group, sort_groups
from pyqueue.models.schedule import Schedule
from pyqueue.models.task import Outcome, Task, utcnow
from pyqueue.models.values import (
    THROUGHPUT_KEEP,
    AttemptEnd,
    Counts,
    MinuteCount,
    RenewResult,
    TaskQuery,
    WorkerTotals,
)
from pyqueue.stores.common import (
    LEASE_BATCH,
    ManualActions,
    eligible_at,
    lease_ids,
    ulid_time,
)
from pyqueue.stores.memory_schedules import MemorySchedules

_KEEP_MINUTES = int(THROUGHPUT_KEEP.total_seconds() // 60)


def _ready_key(task: Task, since: datetime) -> tuple[int, datetime, str]:
    return (-task.priority, since, task.t_id)


def _minute_key(task: Task | None) -> tuple[int, int] | None:
    """The chart's (minute, column) of a COMPLETED (column 0) or FAILED (1) task, else None."""
    if task is None or task.finished_at is None:
        return None
    if task.status is TaskStatus.COMPLETED:
        return int(task.finished_at.timestamp() // 60), 0
    if task.status is TaskStatus.FAILED:
        return int(task.finished_at.timestamp() // 60), 1
    return None


_CHARTED = frozenset({TaskStatus.COMPLETED, TaskStatus.FAILED})
"""The statuses the throughput chart counts (see :func:`_minute_key`)."""


def _keys(task: Task) -> tuple[Hashable, ...]:
    return (None, task.status, ("t", task.t_type), (task.status, task.t_type))


class _PassingIndex(dict[str, None]):
    """The ids of a status that tasks only pass through on the way to an end (INPROGRESS): a
    few per worker thread of this process. A dict keeps them; a page sorts them when it is read.
    Keeping a sorted list sorted cost an insertion at every claim and a removal at every end:
    about a third of the store's work per task, for a page that is seldom read. It *is* the dict,
    so that adding and removing an id (at every claim and end) are the dict's own C methods."""

    __slots__ = ()

    add = dict.setdefault  # an id maps to None
    remove = dict.__delitem__

    def _sorted(self) -> list[str]:
        return sorted(dict.keys(self))

    def __iter__(self) -> Iterator[str]:
        return iter(self._sorted())

    def bisect_left(self, task_id: str) -> int:
        return bisect.bisect_left(self._sorted(), task_id)

    def bisect_right(self, task_id: str) -> int:
        return bisect.bisect_right(self._sorted(), task_id)

    def islice(self, start: int, stop: int, reverse: bool = False) -> Iterator[str]:
        ids = self._sorted()[start:stop]
        return reversed(ids) if reverse else iter(ids)


_Index = SortedList[str] | _PassingIndex


class MemoryStore(ManualActions, MemorySchedules):
    blocking = False
    writers = 1

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._tasks: dict[str, Task] = {}
        self._index: dict[Hashable, _Index] = {}
        self._ready: list[tuple[int, datetime, str]] = []
        self._scheduled: list[tuple[datetime, str]] = []
        self._type_counts: dict[str, int] = {}
        self._minutes: dict[int, list[int]] = {}
        self._finished: dict[TaskStatus, list[tuple[datetime, str]]] = {}  # retention's heaps
        self._pools: dict[str, tuple[int, int, datetime]] = {}
        self._schedules: dict[str, Schedule] = {}
        self._attempts: dict[str, list[Attempt]] = {}  # task id -> its attempts, oldest first
        self._pauses: dict[str, datetime] = {}
        self._held: dict[str, list[tuple[int, datetime, str]]] = {}  # paused types' ready entries
        self._by_key: dict[str, str] = {}  # idempotency key -> id of the task that has it
        self._audit: list[AuditEntry] = []  # the audit log, oldest first

    def _reset(self) -> None:
        self._attempts.clear()
        self._held.clear()
        self._by_key.clear()
        self._tasks.clear()
        self._index.clear()
        self._ready.clear()
        self._scheduled.clear()
        self._type_counts.clear()
        self._minutes.clear()  # the chart counts stored tasks: none are left
        self._finished.clear()

    # -- index upkeep (caller holds the lock) ---------------------------------------------
    def _put(self, task: Task) -> None:
        t_id, status = task.t_id, task.status
        old = self._tasks.get(t_id)
        self._tasks[t_id] = task
        if old is None:
            if task.idempotency_key is not None:
                self._by_key[task.idempotency_key] = t_id
            self._type_counts[task.t_type] = self._type_counts.get(task.t_type, 0) + 1
            for key in _keys(task):
                self._index_for(key).add(t_id)
        elif old.status is not status:
            index = self._index  # the status and (status, type) indexes
            index[old.status].remove(t_id)
            index[(old.status, task.t_type)].remove(t_id)
            self._index_for(status).add(t_id)
            self._index_for((status, task.t_type)).add(t_id)
        if status is TaskStatus.QUEUED:
            if old is None or old.status is not TaskStatus.QUEUED:
                if task.next_run_at is None:
                    heapq.heappush(self._ready, _ready_key(task, task.updated_at))
                else:
                    heapq.heappush(self._scheduled, (task.next_run_at, t_id))
        elif status is TaskStatus.INPROGRESS and (old is None or old.status is TaskStatus.QUEUED):
            return  # a claim: nothing below concerns it
        if status in _CHARTED or (old is not None and old.status in _CHARTED):
            old_minute, minute = _minute_key(old), _minute_key(task)
            if old_minute != minute:
                self._count_minute(old_minute, -1)
                self._count_minute(minute, 1)
        if (
            status in FINAL_STATUSES
            and task.finished_at is not None
            and (old is None or (old.status, old.finished_at) != (status, task.finished_at))
        ):
            heapq.heappush(self._finished.setdefault(status, []), (task.finished_at, t_id))

    def _drop(self, task: Task) -> None:
        del self._tasks[task.t_id]
        self._attempts.pop(task.t_id, None)
        if task.idempotency_key is not None:
            self._by_key.pop(task.idempotency_key, None)
        self._type_counts[task.t_type] -= 1
        if not self._type_counts[task.t_type]:
            del self._type_counts[task.t_type]
        for key in _keys(task):
            self._index[key].remove(task.t_id)
        self._count_minute(_minute_key(task), -1)

    def _index_for(self, key: Hashable) -> _Index:
        index = self._index.get(key)
        if index is None:
            passing = key is TaskStatus.INPROGRESS or (
                isinstance(key, tuple) and key[0] is TaskStatus.INPROGRESS
            )
            index = self._index[key] = _PassingIndex() if passing else SortedList()
        return index

    def _count_minute(self, key: tuple[int, int] | None, change: int) -> None:
        """Add (``change`` 1) or take (-1) a task to or from the minute it finished in, given
        by its :func:`_minute_key` (None: not a COMPLETED or FAILED one, nothing to count): the
        chart counts the stored finished tasks."""
        if key is None:
            return
        minute, column = key
        if change < 0:
            bucket = self._minutes.get(minute)
            if bucket is not None:  # a minute older than THROUGHPUT_KEEP is gone already
                bucket[column] = max(0, bucket[column] - 1)
            return
        bucket = self._minutes.setdefault(minute, [0, 0])
        bucket[column] += 1
        if len(self._minutes) > _KEEP_MINUTES:
            del self._minutes[min(self._minutes)]

    def _require(self, task_id: str) -> Task:
        task = self._tasks.get(task_id)
        if task is None:
            raise TaskNotFound(task_id)
        return task

    # -- the protocol -----------------------------------------------------------------------
    def add(self, tasks: Sequence[Task], payloads: Sequence[str] | None = None) -> list[Task]:
        stored = []
        with self._lock:
            ids = {task.t_id for task in tasks}
            # ``any`` over the new ids: ``ids.isdisjoint(self._tasks)`` would walk every stored task
            if len(ids) < len(tasks) or any(i in self._tasks for i in ids):
                raise InvalidTaskState("A job with one of these ids already exists")
            for task in tasks:
                owner = self._by_key.get(task.idempotency_key) if task.idempotency_key else None
                if owner is None:
                    self._put(task)
                    stored.append(task)
                else:
                    stored.append(self._tasks[owner])
        return stored

    def get(self, task_id: str) -> Task | None:
        return self._tasks.get(task_id)

    def list_tasks(self, query: TaskQuery) -> tuple[list[Task], int]:
        key: Hashable
        if query.status and query.t_type:
            key = (query.status, query.t_type)
        elif query.status:
            key = query.status
        elif query.t_type:
            key = ("t", query.t_type)
        else:
            key = None
        with self._lock:
            index = self._index.get(key)
            if not index:
                return [], 0
            total = len(index)
            if query.order == "asc":
                first = 0 if query.after is None else index.bisect_right(query.after)
                first += query.offset
                ids = index.islice(first, first + query.limit)
            else:
                end = total if query.after is None else index.bisect_left(query.after)
                stop = max(0, end - query.offset)
                ids = index.islice(max(0, stop - query.limit), stop, reverse=True)
            return [self._tasks[i] for i in ids], total

    def claim(self, limit: int, lease_seconds: float, worker: str = "") -> list[Task]:
        if limit <= 0:
            return []
        now = utcnow()
        expires = now + timedelta(seconds=lease_seconds)
        claimed: list[Task] = []
        leases = lease_ids(min(limit, LEASE_BATCH))
        with self._lock:
            if QUEUE_KEY in self._pauses:
                return claimed
            while self._scheduled and self._scheduled[0][0] <= now:
                due, task_id = heapq.heappop(self._scheduled)
                waiting = self._tasks.get(task_id)
                if waiting is not None and waiting.next_run_at == due:
                    heapq.heappush(self._ready, _ready_key(waiting, due))
            while self._ready and len(claimed) < limit:
                entry = heapq.heappop(self._ready)
                task = self._tasks.get(entry[2])
                if task is None or task.status is not TaskStatus.QUEUED:
                    continue  # deleted or cancelled while waiting: a stale entry
                if entry != _ready_key(task, eligible_at(task)):
                    continue  # left by an earlier wait: the current one has its own entry
                if task.next_run_at is not None and task.next_run_at > now:
                    continue  # its scheduled entry will bring it back
                if task.t_type in self._pauses:
                    self._held.setdefault(task.t_type, []).append(entry)  # back on resume
                    continue
                if not leases:  # a claim of more than LEASE_BATCH
                    leases = lease_ids(min(limit - len(claimed), LEASE_BATCH))
                task = task.claimed(leases.pop(), expires, now)
                self._put(task)
                self._attempts.setdefault(task.t_id, []).append(
                    Attempt.began(task.t_id, task.attempts, now, worker)
                )
                claimed.append(task)
        return claimed

    def finish(self, task_id: str, lease_id: str, outcome: Outcome) -> Task | None:
        with self._lock:
            return self._finish(task_id, lease_id, outcome, utcnow())

    def finish_many(self, ends: Sequence[AttemptEnd]) -> list[Task | None]:
        now = utcnow()
        with self._lock:
            return [self._finish(e.task_id, e.lease_id, e.outcome, now) for e in ends]

    def record_ends(self, ends: Sequence[AttemptEnd]) -> int:
        return sum(task is not None for task in self.finish_many(ends))

    def _finish(self, task_id: str, lease_id: str, outcome: Outcome, now: datetime) -> Task | None:
        task = self._tasks.get(task_id)
        if task is None or task.lease_id != lease_id or task.status is not TaskStatus.INPROGRESS:
            return None
        task = task.finished(outcome, now)
        self._put(task)
        self._close_attempt(task.t_id, outcome_kind(outcome), outcome.error, outcome.traceback, now)
        return task

    def _close_attempt(
        self,
        task_id: str,
        kind: AttemptOutcome,
        error: str | None,
        trace: str | None,
        now: datetime,
    ) -> None:
        history = self._attempts.get(task_id)
        if history and history[-1].finished_at is None:
            history[-1] = history[-1].ended(kind, error, trace, now)

    def set_progress(
        self, task_id: str, lease_id: str, progress: float, message: str | None
    ) -> Task | None:
        with self._lock:
            task = self._tasks.get(task_id)
            held = task is not None and task.lease_id == lease_id
            if task is None or not held or task.status is not TaskStatus.INPROGRESS:
                return None
            task = task.with_progress(progress, message, utcnow())
            self._tasks[task_id] = task  # same status: no index changes
            return task

    def renew(self, leases: Mapping[str, str], lease_seconds: float) -> RenewResult:
        result = RenewResult()
        expires = utcnow() + timedelta(seconds=lease_seconds)
        with self._lock:
            for task_id, lease_id in leases.items():
                task = self._tasks.get(task_id)
                if task is None or task.lease_id != lease_id:
                    result.lost.add(task_id)
                    continue
                self._tasks[task_id] = task.with_lease(expires)
                if task.cancel_requested:
                    result.cancel_requested.add(task_id)
        return result

    def recover_expired(self) -> list[Task]:
        now = utcnow()
        recovered = []
        with self._lock:
            running = self._index.get(TaskStatus.INPROGRESS) or ()
            for task_id in list(running):
                task = self._tasks[task_id]
                if task.lease_expires_at is not None and task.lease_expires_at < now:
                    task = task.lease_lost(now)
                    self._put(task)
                    self._close_attempt(
                        task_id, AttemptOutcome.LEASE_EXPIRED, task.last_error, None, now
                    )
                    recovered.append(task)
        return recovered

    def _update_one(self, task_id: str, change: Callable[[Task], Task]) -> Task:
        with self._lock:
            task = change(self._require(task_id))
            self._put(task)
            return task

    def requeue_failed(self, t_type: str | None = None) -> list[Task]:
        key = (TaskStatus.FAILED, t_type) if t_type else TaskStatus.FAILED
        now = utcnow()
        with self._lock:
            ids = list(self._index.get(key) or ())
            tasks = [self._tasks[i].requeued(now) for i in ids]
            for task in tasks:
                self._put(task)
        return tasks

    def failure_groups(self, limit: int) -> list[FailureGroup]:
        found: dict[tuple[str | None, str], list[Any]] = {}
        with self._lock:
            for task_id in self._index.get(TaskStatus.FAILED) or ():
                task = self._tasks[task_id]
                at = task.finished_at or task.updated_at
                group = found.setdefault((error_group(task.last_error), task.t_type), [0, at])
                group[0] += 1
                group[1] = max(group[1], at)
        groups = [FailureGroup(e, t, n, at) for (e, t), (n, at) in found.items()]
        return sort_groups(groups, limit)

    def requeue_failure_group(self, error: str | None, t_type: str) -> list[Task]:
        now = utcnow()
        with self._lock:
            ids = list(self._index.get((TaskStatus.FAILED, t_type)) or ())
            tasks = [
                self._tasks[i].requeued(now)
                for i in ids
                if error_group(self._tasks[i].last_error) == error
            ]
            for task in tasks:
                self._put(task)
        return tasks

    def purge_finished(self, status: TaskStatus, before: datetime, limit: int) -> list[str]:
        removed: list[str] = []
        with self._lock:
            heap = self._finished.get(status) or []
            while heap and heap[0][0] < before and len(removed) < limit:
                finished_at, task_id = heapq.heappop(heap)
                task = self._tasks.get(task_id)
                if task is None or (task.status, task.finished_at) != (status, finished_at):
                    continue  # deleted, retried or finished again since: a stale entry
                self._drop(task)
                removed.append(task_id)
        return removed

    def delete(self, task_id: str) -> Task | None:
        with self._lock:
            task = self._tasks.get(task_id)
            if task is not None:
                self._drop(task)
            return task

    def clear(self, status: TaskStatus | None = None, t_type: str | None = None) -> int:
        with self._lock:
            if status is None and t_type is None:
                removed = len(self._tasks)
                self._reset()
                return removed
            key: Hashable = (
                (status, t_type) if status and t_type else status if status else ("t", t_type)
            )
            ids = list(self._index.get(key) or ())
            for task_id in ids:
                self._drop(self._tasks[task_id])
            return len(ids)

    def counts(self) -> Counts:
        with self._lock:
            by_status = {s: len(self._index.get(s) or ()) for s in TaskStatus}
            pairs = {
                (key[0], key[1]): len(ids)
                for key, ids in self._index.items()
                if isinstance(key, tuple) and isinstance(key[0], TaskStatus) and ids
            }
            return Counts(by_status, dict(self._type_counts), pairs)

    def throughput(self, since: datetime) -> list[MinuteCount]:
        first = int(since.timestamp() // 60)
        with self._lock:
            items = sorted((m, c) for m, c in self._minutes.items() if m >= first)
        return [
            MinuteCount(datetime.fromtimestamp(m * 60, UTC), completed, failed)
            for m, (completed, failed) in items
        ]

    def report_workers(self, process_id: str, busy: int, total: int) -> None:
        with self._lock:
            if total:
                self._pools[process_id] = (busy, total, utcnow())
            else:
                self._pools.pop(process_id, None)

    def worker_totals(self, fresh_since: datetime, exclude: str) -> WorkerTotals:
        with self._lock:
            pools = [
                (busy, total)
                for pid, (busy, total, seen) in self._pools.items()
                if pid != exclude and seen >= fresh_since
            ]
        return WorkerTotals(len(pools), sum(b for b, _ in pools), sum(t for _, t in pools))

    def next_due(self) -> datetime | None:
        with self._lock:
            if QUEUE_KEY in self._pauses:
                return None  # nothing is claimed: no wake-up is due
            return self._scheduled[0][0] if self._scheduled else None

    def attempts(self, task_id: str) -> list[Attempt]:
        with self._lock:
            return list(self._attempts.get(task_id, ()))

    def set_paused(self, name: str, paused: bool) -> bool:
        with self._lock:
            if paused:
                if name in self._pauses:
                    return False
                self._pauses[name] = utcnow()
                return True
            if self._pauses.pop(name, None) is None:
                return False
            for entry in self._held.pop(name, ()):
                heapq.heappush(self._ready, entry)  # stale ones are skipped by claim, as ever
            return True

    def pauses(self) -> list[Pause]:
        with self._lock:
            return [Pause(name, at) for name, at in sorted(self._pauses.items())]

    # -- operations: audit log, readiness, metrics ---------------------------------------------
    def record_audit(self, entry: AuditEntry) -> AuditEntry:
        with self._lock:
            stored = replace(entry.trimmed(), id=len(self._audit) + 1)
            self._audit.append(stored)
        return stored

    def audit_page(self, limit: int, offset: int) -> tuple[list[AuditEntry], int]:
        with self._lock:
            total = len(self._audit)
            stop = max(0, total - offset)
            return self._audit[max(0, stop - limit) : stop][::-1], total

    def oldest_queued(self) -> dict[str, datetime]:
        """Walks each type's QUEUED ids in id (creation) order and stops at the first id created
        after the earliest due time seen: a task is never due before it was created."""
        oldest: dict[str, datetime] = {}
        with self._lock:
            for key, ids in self._index.items():
                if not (isinstance(key, tuple) and key[0] is TaskStatus.QUEUED and ids):
                    continue
                best: datetime | None = None
                for task_id in ids:
                    created = ulid_time(task_id)
                    if best is not None and created is not None and created >= best:
                        break
                    due = eligible_at(self._tasks[task_id])
                    best = due if best is None else min(best, due)
                assert best is not None
                oldest[key[1]] = best
        return oldest

    def probe(self) -> None:
        """Always ready: the tasks are this process's memory."""

    def close(self) -> None:
        """Nothing to release."""
