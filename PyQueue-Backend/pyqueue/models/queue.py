"""The Queue service: owns the store, the worker pool, the dispatcher and the task lifecycle.

One Queue per process (the API's lifespan makes it and routes get it with ``Depends``). It is given
a store, a worker factory and a handler registry; it never imports a concrete store or worker.

Threads: a *dispatcher* claims due tasks while a worker slot is free and submits
``worker_factory(task, queue)`` to a ``ThreadPoolExecutor``; a *heartbeat* renews the leases of the
tasks running here, relays cancellations requested elsewhere, and returns tasks whose lease ran out
(another process died) to the queue.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
import uuid
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Literal

from pyqueue.enums import TaskStatus
from pyqueue.errors import (
    InvalidPayload,
    PayloadTooLarge,
    PyQueueError,
    QueueStopped,
    TaskNotFound,
)
from pyqueue.events import EventBus
from pyqueue.models.finisher import Finisher
from pyqueue.models.task import Outcome, Task, strict_json, utcnow
from pyqueue.stores.base import AttemptEnd, ChangeFeed, Counts, MinuteCount, TaskQuery, TaskStore
from pyqueue.system.handlers import HandlerRegistry, HandlerSpec, TaskContext
from pyqueue.system.retry import RetryPolicy

logger = logging.getLogger("pyqueue.queue")

CLAIM_LINGER = 0.002
"""Seconds the dispatcher waits for half the worker slots to be free, so that claims come in
batches (one store round trip for several tasks) rather than one per finished task."""

RELAY_INTERVAL = 0.5
RELAY_OVERLAP = timedelta(seconds=2)
RELAY_LIMIT = 2000

WorkerFactory = Callable[[Task, "Queue"], Callable[[], None]]
CancelReason = Literal["cancelled", "deleted", "shutdown", "lease lost"]


@dataclass(frozen=True, slots=True)
class QueueConfig:
    workers: int = 8
    max_retries: int = 3
    retry: RetryPolicy = field(default_factory=RetryPolicy)
    lease_seconds: float = 30.0
    heartbeat_seconds: float = 1.0
    poll_interval: float = 1.0
    shutdown_timeout: float = 10.0
    max_payload_bytes: int = 1024 * 1024


@dataclass(frozen=True, slots=True)
class NewTask:
    """What a client asks to enqueue."""

    t_type: str
    payload: Any
    max_retries: int | None = None


@dataclass(slots=True)
class Running:
    """A task running in this process."""

    task: Task
    context: TaskContext
    cancel_reason: CancelReason | None = None

    def cancel(self, reason: CancelReason) -> None:
        if self.cancel_reason is None:
            self.cancel_reason = reason
        self.context.cancel_event.set()


@dataclass(frozen=True, slots=True)
class Stats:
    """Task counts, and the worker pools of every process sharing the store (this one included)."""

    counts: Counts
    busy: int
    workers: int
    processes: int


class Queue:
    def __init__(
        self,
        store: TaskStore,
        worker_factory: WorkerFactory,
        registry: HandlerRegistry,
        config: QueueConfig | None = None,
        events: EventBus | None = None,
    ) -> None:
        self.store = store
        self.registry = registry
        self.config = config or QueueConfig()
        self.events = events or EventBus()
        self._worker_factory = worker_factory
        self._executor: ThreadPoolExecutor | None = None
        self._cond = threading.Condition()
        self._running: dict[str, Running] = {}
        self._batch_floor = max(1, self.config.workers // 2)
        self._finishing: dict[str, Running] = {}  # ended, the end not yet recorded
        self._finisher = Finisher(self._record) if store.blocking and self.config.workers else None
        self._wake = threading.Event()
        self._stopping = threading.Event()
        self._threads: list[threading.Thread] = []
        self._started = False
        self.process_id = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"

    # -- lifecycle ----------------------------------------------------------------------------
    def start(self) -> None:
        if self._started:
            return
        self._started = True
        if self.config.workers > 0:
            self._executor = ThreadPoolExecutor(self.config.workers, "pyqueue-worker")
            self._spawn("pyqueue-dispatcher", self._dispatch_loop)
            if self._finisher is not None:
                self._finisher.start()
            set_wakeup = getattr(self.store, "set_wakeup", None)
            if set_wakeup is not None:  # e.g. PostgreSQL's LISTEN/NOTIFY
                set_wakeup(self.wake)
        self._spawn("pyqueue-heartbeat", self._heartbeat_loop)
        try:
            self._report_workers(self.config.workers)
        except PyQueueError as exc:
            logger.warning("Could not report this process's worker pool: %s", exc)
        if hasattr(self.store, "changed_since"):
            self._spawn("pyqueue-relay", self._relay_loop)
        logger.info("Queue started with %d workers", self.config.workers)

    def _spawn(self, name: str, target: Callable[[], None]) -> None:
        thread = threading.Thread(target=target, name=name, daemon=True)
        thread.start()
        self._threads.append(thread)

    def stop(self, timeout: float | None = None) -> None:
        """Stop claiming; let running tasks finish for up to ``timeout`` seconds, then cancel them.

        Queued tasks stay queued (the backlog is not drained); interrupted ones go back to QUEUED.
        """
        timeout = self.config.shutdown_timeout if timeout is None else timeout
        self._stopping.set()
        self._wake.set()
        with self._cond:
            self._cond.notify_all()
            if not self._cond.wait_for(lambda: not self._running, timeout):
                logger.warning("Cancelling %d running tasks at shutdown", len(self._running))
                for running in self._running.values():
                    running.cancel("shutdown")
                self._cond.wait_for(lambda: not self._running, max(1.0, timeout))
        if self._finisher is not None and not self._finisher.close(timeout=10):
            logger.warning("Some attempt ends were not recorded; their leases will recover them")
        if self._executor is not None:
            self._executor.shutdown(wait=False, cancel_futures=True)
        for thread in self._threads:
            thread.join(timeout=5)
        try:
            self._report_workers(0)
        except PyQueueError as exc:
            logger.warning("Could not withdraw this process's worker pool: %s", exc)
        logger.info("Queue stopped")

    def join(self, timeout: float | None = None) -> bool:
        """Wait for the dispatcher and heartbeat threads to end; True when they have."""
        deadline = None if timeout is None else time.monotonic() + timeout
        for thread in self._threads:
            thread.join(None if deadline is None else max(0.0, deadline - time.monotonic()))
        return not any(t.is_alive() for t in self._threads)

    def wait_idle(self, timeout: float | None = None) -> bool:
        """Wait until nothing runs here and no due task is queued (the backlog is drained)."""

        def drained() -> bool:
            counts = self.store.counts()
            busy = counts.by_status[TaskStatus.INPROGRESS] + counts.by_status[TaskStatus.QUEUED]
            return not busy and not self._running

        return self._wait_until(drained, timeout)

    def wait_for_status(self, task_id: str, status: str, timeout: float) -> bool:
        """Wait until the task has ``status``."""

        def reached() -> bool:
            task = self.store.get(task_id)
            return task is not None and task.status == status

        return self._wait_until(reached, timeout)

    def _wait_until(self, predicate: Callable[[], bool], timeout: float | None) -> bool:
        """Re-check ``predicate`` after each event of this process (other processes' changes are
        seen at least every ``poll_interval``)."""
        deadline = None if timeout is None else time.monotonic() + timeout
        seq = self.events.last_seq
        while not predicate():
            remaining = 3600.0 if deadline is None else deadline - time.monotonic()
            if remaining <= 0:
                return False
            seq = self.events.wait_after(seq, min(remaining, self.config.poll_interval))
        return True

    @property
    def stopping(self) -> bool:
        return self._stopping.is_set()

    def wake(self) -> None:
        """Tell the dispatcher new work may be due (called on enqueue, retry, NOTIFY)."""
        self._wake.set()

    # -- the API's operations -----------------------------------------------------------------
    def enqueue(self, t_type: str, payload: Any, max_retries: int | None = None) -> Task:
        return self.enqueue_many([NewTask(t_type, payload, max_retries)])[0]

    def enqueue_many(self, requests: Sequence[NewTask]) -> list[Task]:
        """Validate every request, then add them all or none."""
        if self.stopping:
            raise QueueStopped("The queue is shutting down and accepts no new jobs")
        tasks = [self._new_task(i, r, len(requests) > 1) for i, r in enumerate(requests)]
        self.store.add(tasks)
        for task in tasks:
            self.events.publish("updated", task)
        self.wake()
        return tasks

    def _new_task(self, index: int, request: NewTask, many: bool) -> Task:
        t_type = self.registry.resolve(request.t_type)
        where = f"Task {index}: payload" if many else "Payload"
        try:
            encoded = strict_json(request.payload)
        except (TypeError, ValueError) as exc:  # NaN/Infinity, lone surrogates, non-JSON objects
            raise InvalidPayload(f"{where} is not storable JSON: {exc}") from None
        size = len(encoded)
        if size > self.config.max_payload_bytes:
            raise PayloadTooLarge(
                f"{where} is {size} bytes; the limit is {self.config.max_payload_bytes} bytes"
            )
        retries = self.config.max_retries if request.max_retries is None else request.max_retries
        return Task.create(t_type, request.payload, retries)

    def get(self, task_id: str) -> Task:
        task = self.store.get(task_id)
        if task is None:
            raise TaskNotFound(task_id)
        return task

    def list_tasks(self, query: TaskQuery) -> tuple[list[Task], int]:
        return self.store.list_tasks(query)

    def retry(self, task_id: str) -> Task:
        task = self.store.requeue(task_id)
        self._changed(task)
        return task

    def retry_failed(self, t_type: str | None = None) -> list[Task]:
        tasks = self.store.requeue_failed(self.registry.resolve(t_type) if t_type else None)
        for task in tasks:
            self._changed(task)
        return tasks

    def cancel(self, task_id: str) -> Task:
        task = self.store.request_cancel(task_id)
        self._cancel_local(task_id, "cancelled")
        self.events.publish("updated", task)
        return task

    def delete(self, task_id: str) -> Task:
        task = self.store.delete(task_id)
        if task is None:
            raise TaskNotFound(task_id)
        self._cancel_local(task_id, "deleted")
        self.events.publish("deleted", task_id=task_id)
        return task

    def clear(self, status: TaskStatus | None = None, t_type: str | None = None) -> int:
        removed = self.store.clear(status, t_type)
        with self._cond:
            running = list(self._running.values())
        for item in running:
            if self.store.get(item.task.t_id) is None:
                item.cancel("deleted")
        self.events.publish("cleared")
        return removed

    def stats(self) -> Stats:
        """Counts, this process's pool as it is now, and the others' as of their last heartbeat."""
        with self._cond:
            busy = len(self._running)
        fresh_since = utcnow() - timedelta(seconds=max(5.0, 3 * self.config.heartbeat_seconds))
        others = self.store.worker_totals(fresh_since, exclude=self.process_id)
        here = 1 if self.config.workers else 0
        return Stats(
            self.store.counts(),
            busy + others.busy,
            self.config.workers + others.total,
            here + others.processes,
        )

    def throughput(self, minutes: int) -> list[MinuteCount]:
        now = utcnow().replace(second=0, microsecond=0)
        first = now - timedelta(minutes=minutes - 1)
        found = {m.minute: m for m in self.store.throughput(first)}
        return [
            found.get(minute) or MinuteCount(minute, 0, 0)
            for minute in (first + timedelta(minutes=i) for i in range(minutes))
        ]

    def types(self) -> list[HandlerSpec]:
        return self.registry.specs()

    def _changed(self, task: Task) -> None:
        self.events.publish("updated", task)
        if task.status is TaskStatus.QUEUED:
            self.wake()

    def _cancel_local(self, task_id: str, reason: CancelReason) -> None:
        with self._cond:
            running = self._running.get(task_id)
        if running is not None:
            running.cancel(reason)

    # -- what workers call ----------------------------------------------------------------------
    def context_for(self, task: Task) -> Running:
        with self._cond:
            return self._running[task.t_id]

    def finish(self, task: Task, outcome: Outcome) -> Task | None:
        """Record how an attempt ended (fenced by its lease) and free its worker slot.

        With a store that does I/O the end is handed to the finisher (group commit) and ``None``
        is returned; the task keeps its lease until the end is recorded.
        """
        if self._finisher is not None:
            with self._cond:
                running = self._running.pop(task.t_id, None)
                if running is not None:
                    self._finishing[task.t_id] = running
                self._slot_freed()
            self._finisher.put(task, outcome)
            return None
        try:
            saved = self.store.finish(task.t_id, task.lease_id or "", outcome)
        except PyQueueError:
            logger.exception("Could not record the end of %s; its lease will recover it", task.t_id)
            saved = None
        finally:
            with self._cond:
                self._running.pop(task.t_id, None)
                self._slot_freed()
            if outcome.status is TaskStatus.QUEUED:
                self._wake.set()  # it may be due again before the dispatcher's idle wait ends
        if saved is not None:
            self.events.publish("updated", saved)
        return saved

    def _slot_freed(self) -> None:
        """Wake the dispatcher when it may claim (caller holds ``_cond``), and stop() at the end."""
        free = self.config.workers - len(self._running)
        if free in (1, self._batch_floor) or not self._running:
            self._cond.notify_all()

    def _record(self, ends: list[tuple[Task, Outcome]]) -> None:
        """The finisher's work: record a batch of attempt ends in one transaction."""
        try:
            saved = self.store.finish_many(
                [AttemptEnd(task.t_id, task.lease_id or "", outcome) for task, outcome in ends]
            )
        except PyQueueError:
            logger.exception("Could not record %d attempt ends; their leases will", len(ends))
            saved = [None] * len(ends)
        with self._cond:
            for task, _ in ends:
                self._finishing.pop(task.t_id, None)
        for recorded in saved:
            if recorded is not None:
                self.events.publish("updated", recorded)
        if any(outcome.status is TaskStatus.QUEUED for _, outcome in ends):
            self._wake.set()

    def next_retry_at(self, task: Task, now: datetime) -> datetime:
        return self.config.retry.next_run_at(task.attempts, now)

    # -- threads ------------------------------------------------------------------------------
    def _dispatch_loop(self) -> None:
        assert self._executor is not None
        while not self._stopping.is_set():
            with self._cond:
                self._cond.wait_for(lambda: self._free() > 0 or self._stopping.is_set())
                if self._free() < self._batch_floor:  # let a few more slots free up, briefly
                    self._cond.wait_for(
                        lambda: self._free() >= self._batch_floor or self._stopping.is_set(),
                        CLAIM_LINGER,
                    )
                free = self._free()
            if self._stopping.is_set():
                break
            self._wake.clear()
            try:
                tasks = self.store.claim(free, self.config.lease_seconds)
            except PyQueueError as exc:
                logger.warning("Cannot claim tasks: %s", exc)
                self._wake.wait(self.config.poll_interval)
                continue
            if not tasks:
                self._wake.wait(self._idle_wait())
                continue
            if self._stopping.is_set():
                self._release(tasks)
                break
            self._submit(tasks)

    def _free(self) -> int:
        return self.config.workers - len(self._running)

    def _release(self, tasks: list[Task]) -> None:
        """Give back tasks claimed while shutdown began; the attempt does not count."""
        try:
            for task in tasks:
                self.store.finish(
                    task.t_id, task.lease_id or "", Outcome(TaskStatus.QUEUED, refund_attempt=True)
                )
        except PyQueueError as exc:
            logger.warning("Could not give back claimed tasks (their leases will): %s", exc)

    def _submit(self, tasks: list[Task]) -> None:
        assert self._executor is not None
        with self._cond:
            for task in tasks:
                context = TaskContext(task.t_id, task.attempts, task.max_retries)
                self._running[task.t_id] = Running(task, context)
        for task in tasks:
            self.events.publish("updated", task)
            self._executor.submit(self._worker_factory(task, self))

    def _idle_wait(self) -> float:
        try:
            due = self.store.next_due()
        except PyQueueError:
            return self.config.poll_interval
        if due is None:
            return self.config.poll_interval
        return max(0.0, min(self.config.poll_interval, (due - utcnow()).total_seconds()))

    def _report_workers(self, total: int) -> None:
        """Tell the store about this process's pool (so every API process's stats include it)."""
        if self.config.workers:
            with self._cond:
                busy = len(self._running)
            self.store.report_workers(self.process_id, busy, total)

    def _heartbeat_loop(self) -> None:
        steps = (self._renew_leases, self._recover_expired, self._report_pool)
        while not self._stopping.wait(self.config.heartbeat_seconds):
            for step in steps:  # leases first: they are what keeps a task from running twice
                try:
                    step()
                except PyQueueError as exc:
                    logger.warning("Heartbeat step %s failed: %s", step.__name__, exc)

    def _recover_expired(self) -> None:
        for task in self.store.recover_expired():
            logger.warning("Recovered %s after its lease ran out", task.t_id)
            self._changed(task)

    def _report_pool(self) -> None:
        self._report_workers(self.config.workers)

    def _relay_loop(self) -> None:
        """Publish changes made by other processes while someone listens to the event stream.

        Reads the store's change feed every ``RELAY_INTERVAL`` seconds, re-reading an overlap window
        so that a change committed late (or stamped by a slightly slower clock) is not skipped; the
        bus drops versions it has already published. A burst too large to relay becomes ``resync``.
        """
        feed: ChangeFeed = self.store  # type: ignore[assignment]
        cursor = utcnow()
        while not self._stopping.wait(RELAY_INTERVAL):
            if not self.events.subscriber_count:
                cursor = utcnow()
                continue
            try:
                changes = feed.changed_since(cursor - RELAY_OVERLAP, RELAY_LIMIT)
            except PyQueueError as exc:
                logger.debug("Event relay paused: %s", exc)
                continue
            if len(changes) >= RELAY_LIMIT:
                self.events.publish("resync")
                cursor = utcnow()
                continue
            for task in changes:
                self.events.publish_foreign(task)
                cursor = max(cursor, task.updated_at)

    def _renew_leases(self) -> None:
        with self._cond:
            held = [*self._running.values(), *self._finishing.values()]
        leases = {r.task.t_id: r.task.lease_id or "" for r in held}
        if not leases:
            return
        result = self.store.renew(leases, self.config.lease_seconds)
        for task_id in result.lost:
            self._cancel_local(task_id, "lease lost")
        for task_id in result.cancel_requested:
            self._cancel_local(task_id, "cancelled")
