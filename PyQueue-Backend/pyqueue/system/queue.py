"""The Queue service: the operations the API calls, and the lifecycle of the running side.

One Queue per process (the API's lifespan makes it and routes get it with ``Depends``). It is given
a store, a worker factory and a handler registry; it never imports a concrete store or worker. What
runs tasks is the :class:`~pyqueue.system.pool.WorkerPool`; what keeps leases, recovery and
cross-process events going is the :class:`~pyqueue.system.heartbeat.Heartbeat` and
:class:`~pyqueue.system.heartbeat.Relay`. The Queue starts and stops them.
"""

from __future__ import annotations

import logging
import math
import os
import socket
import threading
import time
import uuid
from collections.abc import AsyncIterator, Callable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Any

from pyqueue.config import Settings
from pyqueue.enums import TaskStatus
from pyqueue.errors import (
    InvalidPayload,
    InvalidTaskOption,
    PayloadTooLarge,
    PyQueueError,
    QueueStopped,
    TaskNotFound,
    UnknownTaskType,
)
from pyqueue.models.handlers import HandlerRegistry, HandlerSpec
from pyqueue.models.retry import RetryPolicy
from pyqueue.models.task import Task, strict_json, utcnow
from pyqueue.models.values import (
    MAX_DELAY,
    MAX_PRIORITY,
    MIN_PRIORITY,
    MinuteCount,
    NewTask,
    Stats,
    TaskQuery,
)
from pyqueue.stores import ChangeFeed, TaskStore, WakeupSource
from pyqueue.system.events import Event, EventBus
from pyqueue.system.heartbeat import Heartbeat, Relay
from pyqueue.system.pool import PoolConfig, WorkerPool
from pyqueue.system.worker import WorkerFactory

logger = logging.getLogger("pyqueue.queue")


@dataclass(frozen=True, slots=True)
class QueueConfig:
    """The settings the Queue uses; :meth:`from_settings` is the one place they are read."""

    workers: int
    max_retries: int
    retry: RetryPolicy
    lease_seconds: float
    heartbeat_seconds: float
    poll_interval: float
    shutdown_timeout: float
    max_payload_bytes: int

    @classmethod
    def from_settings(cls, settings: Settings) -> QueueConfig:
        return cls(
            workers=settings.workers,
            max_retries=settings.max_retries,
            retry=RetryPolicy(settings.retry_backoff_base, settings.retry_backoff_max),
            lease_seconds=settings.lease_seconds,
            heartbeat_seconds=settings.heartbeat_period,
            poll_interval=settings.poll_interval,
            shutdown_timeout=settings.shutdown_timeout,
            max_payload_bytes=settings.max_payload_bytes,
        )


class Queue:
    def __init__(
        self,
        store: TaskStore,
        worker_factory: WorkerFactory,
        registry: HandlerRegistry,
        config: QueueConfig,
        events: EventBus | None = None,
    ) -> None:
        self.store = store
        self.registry = registry
        self.config = config
        self.events = events or EventBus()
        self.process_id = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self._stopping = threading.Event()
        pool_config = PoolConfig(
            config.workers, config.lease_seconds, config.poll_interval, config.retry
        )
        self._pool = WorkerPool(
            store, worker_factory, registry, pool_config, self.events, self._stopping
        )
        self._heartbeat = Heartbeat(
            store,
            self._pool,
            self.process_id,
            config.heartbeat_seconds,
            config.lease_seconds,
            self._changed,
        )
        self._threads: list[threading.Thread] = []
        self._started = False

    # -- lifecycle ----------------------------------------------------------------------------
    def start(self) -> None:
        if self._started:
            return
        self._started = True
        self._pool.start()
        if self.config.workers and isinstance(self.store, WakeupSource):
            self.store.set_wakeup(self.wake)  # e.g. PostgreSQL's LISTEN/NOTIFY
        self._spawn("pyqueue-heartbeat", self._heartbeat.run)
        try:
            self._heartbeat.report(self.config.workers)
        except PyQueueError as exc:
            logger.warning("Could not report this process's worker pool: %s", exc)
        if isinstance(self.store, ChangeFeed):
            self._spawn("pyqueue-relay", Relay(self.store, self.events).run)
        logger.info("Queue started with %d workers", self.config.workers)

    def _spawn(self, name: str, target: Callable[[threading.Event], None]) -> None:
        thread = threading.Thread(target=target, args=(self._stopping,), name=name, daemon=True)
        thread.start()
        self._threads.append(thread)

    def stop(self, timeout: float | None = None) -> None:
        """Stop claiming; let running tasks finish for up to ``timeout`` seconds, then cancel them.

        Queued tasks stay queued (the backlog is not drained); interrupted ones go back to QUEUED.
        """
        timeout = self.config.shutdown_timeout if timeout is None else timeout
        self._say_what_stopping_waits_for(timeout)
        self._stopping.set()
        self.close_streams()
        self._pool.stop(timeout)
        self._pool.join(5)
        for thread in self._threads:
            thread.join(timeout=5)
        try:
            self._heartbeat.report(0)
        except PyQueueError as exc:
            logger.warning("Could not withdraw this process's worker pool: %s", exc)
        logger.info("Queue stopped")

    def _say_what_stopping_waits_for(self, timeout: float) -> None:
        running = self._pool.busy
        if not running:
            logger.info("Stopping: no task is running")
            return
        logger.info(
            "Stopping: waiting up to %g s for %d running task%s (PYQUEUE_SHUTDOWN_TIMEOUT), then "
            "they are requeued",
            timeout,
            running,
            "" if running == 1 else "s",
        )

    def close_streams(self) -> None:
        """End every open event stream, and any opened later: the server is shutting down (it
        waits for open connections before it stops the queue). Safe from any thread."""
        self.events.close()

    def close(self) -> None:
        """Release the store (after :meth:`stop`)."""
        self.store.close()

    def join(self, timeout: float | None = None) -> bool:
        """Wait for the dispatcher, heartbeat and relay threads to end; True when they have."""
        deadline = None if timeout is None else time.monotonic() + timeout

        def left() -> float | None:
            return None if deadline is None else max(0.0, deadline - time.monotonic())

        ended = self._pool.join(left())
        for thread in self._threads:
            thread.join(left())
        return ended and not any(t.is_alive() for t in self._threads)

    def wait_idle(self, timeout: float | None = None) -> bool:
        """Wait until nothing runs here and no due task is queued (the backlog is drained)."""

        def drained() -> bool:
            counts = self.store.counts()
            busy = counts.by_status[TaskStatus.INPROGRESS] + counts.by_status[TaskStatus.QUEUED]
            return not busy and not self._pool.busy

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

    @property
    def blocking(self) -> bool:
        """True when operations do I/O (the API then runs them off the event loop)."""
        return self.store.blocking

    def wake(self) -> None:
        """Tell the dispatcher new work may be due (called on enqueue, retry, NOTIFY)."""
        self._pool.wake()

    # -- the API's operations -----------------------------------------------------------------
    def enqueue(
        self,
        t_type: str,
        payload: Any,
        max_retries: int | None = None,
        *,
        priority: int = 0,
        delay_seconds: float | None = None,
        run_at: datetime | None = None,
    ) -> Task:
        """Enqueue one task. ``priority`` (-100 to 100, higher first); ``delay_seconds`` or
        ``run_at`` (an aware time), not both, delay it: it stays QUEUED with ``next_run_at`` set
        and is not claimed before then."""
        request = NewTask(t_type, payload, max_retries, priority, run_at, delay_seconds)
        return self.enqueue_many([request])[0]

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
        prefix = f"Task {index}: " if many else ""
        priority = request.priority
        if isinstance(priority, bool) or not isinstance(priority, int):
            raise InvalidTaskOption(f"{prefix}priority must be an integer")
        if not MIN_PRIORITY <= priority <= MAX_PRIORITY:
            raise InvalidTaskOption(
                f"{prefix}priority is {priority}; it must be {MIN_PRIORITY} to {MAX_PRIORITY}"
            )
        return Task.create(
            t_type, request.payload, retries, priority, self._delayed(prefix, request)
        )

    @staticmethod
    def _delayed(prefix: str, request: NewTask) -> datetime | None:
        """When the request may first run, if that is in the future (a time already past runs
        now)."""
        run_at = request.run_at
        if request.delay_seconds is not None:
            if run_at is not None:
                raise InvalidTaskOption(f"{prefix}Give delay_seconds or run_at, not both")
            run_at = utcnow() + _delay(prefix, request.delay_seconds)
        if run_at is None:
            return None
        if run_at.utcoffset() is None:
            raise InvalidTaskOption(f"{prefix}run_at needs a UTC offset (naive times are refused)")
        now = utcnow()
        if run_at > now + MAX_DELAY:
            raise InvalidTaskOption(
                f"{prefix}run_at is more than {MAX_DELAY.days} days ahead; the limit is "
                f"{int(MAX_DELAY.total_seconds())} seconds"
            )
        return run_at.astimezone(UTC) if run_at > now else None

    def get(self, task_id: str) -> Task:
        task = self.store.get(task_id)
        if task is None:
            raise TaskNotFound(task_id)
        return task

    def list_tasks(self, query: TaskQuery) -> tuple[list[Task], int]:
        if query.t_type is not None:
            query = replace(query, t_type=self.type_filter(query.t_type))
        return self.store.list_tasks(query)

    def type_filter(self, t_type: str) -> str:
        """A type filter matched as enqueue matches a type: a registered one in any case. Any
        other name matches stored tasks exactly (those of a handler no longer loaded)."""
        try:
            return self.registry.resolve(t_type)
        except UnknownTaskType:
            return t_type

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
        self._pool.cancel(task_id, "cancelled")
        self.events.publish("updated", task)
        return task

    def delete(self, task_id: str) -> Task:
        task = self.store.delete(task_id)
        if task is None:
            raise TaskNotFound(task_id)
        self._pool.cancel(task_id, "deleted")
        self.events.publish("deleted", task_id=task_id)
        return task

    def clear(self, status: TaskStatus | None = None, t_type: str | None = None) -> int:
        removed = self.store.clear(status, self.type_filter(t_type) if t_type else t_type)
        for task_id in self._pool.running_ids():
            if self.store.get(task_id) is None:
                self._pool.cancel(task_id, "deleted")
        self.events.publish("cleared")
        return removed

    def stats(self) -> Stats:
        """Counts, this process's pool as it is now, and the others' as of their last heartbeat."""
        busy = self._pool.busy
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

    def stream(self, last_seq: int | None) -> AsyncIterator[Event | None]:
        """The live event stream, replayed from ``last_seq`` (see :meth:`EventBus.stream`)."""
        return self.events.stream(last_seq)

    def _changed(self, task: Task) -> None:
        self.events.publish("updated", task)
        if task.status is TaskStatus.QUEUED:
            self.wake()


def _delay(prefix: str, seconds: float) -> timedelta:
    """``delay_seconds`` as a time span: finite, 0 to :data:`MAX_DELAY`."""
    if isinstance(seconds, bool) or not isinstance(seconds, int | float):
        raise InvalidTaskOption(f"{prefix}delay_seconds must be a number")
    if not math.isfinite(seconds) or not 0 <= seconds <= MAX_DELAY.total_seconds():
        raise InvalidTaskOption(
            f"{prefix}delay_seconds is {seconds}; it must be 0 to {int(MAX_DELAY.total_seconds())}"
        )
    return timedelta(seconds=seconds)
