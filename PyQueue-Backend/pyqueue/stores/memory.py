"""``memory://``: a lock-protected in-memory registry, with indexes.

Nothing survives the process. Claims pop a heap of ready tasks, in the SQL stores' claim order
(highest priority, then the time it became eligible, then id), which a heap of scheduled ones
(retries and delayed tasks) feeds as they fall due; every filter (status, type, both) has an
id-sorted index, so claim, enqueue and a filtered page cost O(log n) and never scan the whole
store.
"""

from __future__ import annotations

import heapq
import os
import threading
from collections.abc import Callable, Hashable, Mapping, Sequence
from datetime import UTC, datetime, timedelta

from sortedcontainers import SortedList

from pyqueue.enums import TaskStatus
from pyqueue.errors import InvalidTaskState, TaskNotFound
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
from pyqueue.stores.common import ManualActions, eligible_at

_KEEP_MINUTES = int(THROUGHPUT_KEEP.total_seconds() // 60)


def _ready_key(task: Task, since: datetime) -> tuple[int, datetime, str]:
    return (-task.priority, since, task.t_id)


def _keys(task: Task) -> tuple[Hashable, ...]:
    return (None, task.status, ("t", task.t_type), (task.status, task.t_type))


class MemoryStore(ManualActions):
    blocking = False

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._tasks: dict[str, Task] = {}
        self._index: dict[Hashable, SortedList[str]] = {}
        self._ready: list[tuple[int, datetime, str]] = []
        self._scheduled: list[tuple[datetime, str]] = []
        self._type_counts: dict[str, int] = {}
        self._minutes: dict[int, list[int]] = {}
        self._pools: dict[str, tuple[int, int, datetime]] = {}

    def _reset(self) -> None:
        self._tasks.clear()
        self._index.clear()
        self._ready.clear()
        self._scheduled.clear()
        self._type_counts.clear()

    # -- index upkeep (caller holds the lock) ---------------------------------------------
    def _put(self, task: Task) -> None:
        old = self._tasks.get(task.t_id)
        self._tasks[task.t_id] = task
        if old is None:
            self._type_counts[task.t_type] = self._type_counts.get(task.t_type, 0) + 1
            for key in _keys(task):
                self._index_for(key).add(task.t_id)
        elif old.status != task.status:
            for key in _keys(old)[1::2]:  # the status and (status, type) indexes
                self._index[key].remove(task.t_id)
            for key in _keys(task)[1::2]:
                self._index_for(key).add(task.t_id)
        if task.status is TaskStatus.QUEUED and (
            old is None or old.status is not TaskStatus.QUEUED
        ):
            if task.next_run_at is None:
                heapq.heappush(self._ready, _ready_key(task, task.updated_at))
            else:
                heapq.heappush(self._scheduled, (task.next_run_at, task.t_id))
        if task.status in (TaskStatus.COMPLETED, TaskStatus.FAILED) and task.finished_at:
            self._count_minute(task)

    def _drop(self, task: Task) -> None:
        del self._tasks[task.t_id]
        self._type_counts[task.t_type] -= 1
        if not self._type_counts[task.t_type]:
            del self._type_counts[task.t_type]
        for key in _keys(task):
            self._index[key].remove(task.t_id)

    def _index_for(self, key: Hashable) -> SortedList[str]:
        index = self._index.get(key)
        if index is None:
            index = self._index[key] = SortedList()
        return index

    def _count_minute(self, task: Task) -> None:
        assert task.finished_at is not None
        minute = int(task.finished_at.timestamp() // 60)
        bucket = self._minutes.setdefault(minute, [0, 0])
        bucket[0 if task.status is TaskStatus.COMPLETED else 1] += 1
        if len(self._minutes) > _KEEP_MINUTES:
            del self._minutes[min(self._minutes)]

    def _require(self, task_id: str) -> Task:
        task = self._tasks.get(task_id)
        if task is None:
            raise TaskNotFound(task_id)
        return task

    # -- the protocol -----------------------------------------------------------------------
    def add(self, tasks: Sequence[Task]) -> None:
        with self._lock:
            ids = {task.t_id for task in tasks}
            # ``any`` over the new ids: ``ids.isdisjoint(self._tasks)`` would walk every stored task
            if len(ids) < len(tasks) or any(i in self._tasks for i in ids):
                raise InvalidTaskState("A job with one of these ids already exists")
            for task in tasks:
                self._put(task)

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
                ids = index.islice(query.offset, query.offset + query.limit)
            else:
                stop = max(0, total - query.offset)
                ids = index.islice(max(0, stop - query.limit), stop, reverse=True)
            return [self._tasks[i] for i in ids], total

    def claim(self, limit: int, lease_seconds: float) -> list[Task]:
        now = utcnow()
        expires = now + timedelta(seconds=lease_seconds)
        claimed: list[Task] = []
        with self._lock:
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
                task = task.claimed(os.urandom(16).hex(), expires, now)
                self._put(task)
                claimed.append(task)
        return claimed

    def finish(self, task_id: str, lease_id: str, outcome: Outcome) -> Task | None:
        with self._lock:
            return self._finish(task_id, lease_id, outcome, utcnow())

    def finish_many(self, ends: Sequence[AttemptEnd]) -> list[Task | None]:
        now = utcnow()
        with self._lock:
            return [self._finish(e.task_id, e.lease_id, e.outcome, now) for e in ends]

    def _finish(self, task_id: str, lease_id: str, outcome: Outcome, now: datetime) -> Task | None:
        task = self._tasks.get(task_id)
        if task is None or task.lease_id != lease_id or task.status is not TaskStatus.INPROGRESS:
            return None
        task = task.finished(outcome, now)
        self._put(task)
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
            return Counts(by_status=by_status, by_type=dict(self._type_counts))

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
            return self._scheduled[0][0] if self._scheduled else None

    def close(self) -> None:
        """Nothing to release."""
