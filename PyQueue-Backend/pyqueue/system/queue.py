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
import unicodedata
import uuid
from collections.abc import AsyncIterator, Callable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Any

from pyqueue.config import Settings
from pyqueue.enums import TaskStatus
from pyqueue.errors import (
    ConfigurationError,
    InvalidPayload,
    InvalidTaskOption,
    PayloadTooLarge,
    PyQueueError,
    QueueStopped,
    TaskNotFound,
    UnknownTaskType,
)
from pyqueue.models.audit import AuditEntry
from pyqueue.models.control import QUEUE_KEY, Attempt, QueueState, TypeState
from pyqueue.models.failures import MAX_FAILURE_GROUPS, FailureGroup
from pyqueue.models.handlers import HandlerRegistry, HandlerSpec
from pyqueue.models.retry import RetryPolicy
from pyqueue.models.task import Task, new_task_ids, strict_json_text, utcnow
from pyqueue.models.values import (
    MAX_DELAY,
    MAX_IDEMPOTENCY_KEY,
    MAX_PRIORITY,
    MAX_TIMEOUT,
    MIN_PRIORITY,
    Counts,
    Enqueued,
    MinuteCount,
    NewTask,
    Stats,
    TaskQuery,
)
from pyqueue.stores import ChangeFeed, ScheduleStore, TaskStore, WakeupSource
from pyqueue.system.events import Event, EventBus
from pyqueue.system.heartbeat import Heartbeat, Relay
from pyqueue.system.maintenance import MAINTENANCE_SECONDS, Maintenance, Retention
from pyqueue.system.observer import Observers
from pyqueue.system.pool import PREFETCH_PER_WORKER, PoolConfig, WorkerPool
from pyqueue.system.scheduler import Schedules
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
    prefetch: int | None = None
    """PYQUEUE_PREFETCH: tasks claimed ahead of free worker slots; None: 16 x workers (see
    :class:`~pyqueue.system.pool.WorkerPool`)."""
    default_timeout: float | None = None
    """PYQUEUE_DEFAULT_TIMEOUT: the execution timeout of a task that names none and whose type
    declares none."""
    retention_completed: timedelta | None = timedelta(days=7)
    """PYQUEUE_RETENTION_COMPLETED (COMPLETED and CANCELLED tasks); None keeps them."""
    retention_failed: timedelta | None = timedelta(days=30)
    """PYQUEUE_RETENTION_FAILED; None keeps them."""
    maintenance_seconds: float = MAINTENANCE_SECONDS
    """How often a process with workers purges finished tasks past their retention."""

    @classmethod
    def from_settings(cls, settings: Settings) -> QueueConfig:
        return cls(
            workers=settings.workers,
            max_retries=settings.max_retries,
            retry=RetryPolicy(settings.retry_backoff_base, settings.retry_backoff_max),
            lease_seconds=settings.lease_seconds,
            heartbeat_seconds=settings.heartbeat_period,
            poll_interval=settings.poll_interval,
            prefetch=settings.prefetch,
            shutdown_timeout=settings.shutdown_timeout,
            max_payload_bytes=settings.max_payload_bytes,
            retention_completed=settings.retention_completed,
            retention_failed=settings.retention_failed,
            default_timeout=settings.default_timeout,
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
        prefetch = config.prefetch
        if prefetch is None:
            prefetch = PREFETCH_PER_WORKER * config.workers
        pool_config = PoolConfig(
            config.workers,
            config.lease_seconds,
            config.poll_interval,
            config.retry,
            process_id=self.process_id,
            prefetch=prefetch,
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
        retention = Retention(config.retention_completed, config.retention_failed)
        self._maintenance = Maintenance(store, retention, self._purged, config.maintenance_seconds)
        self._schedules = (
            Schedules(
                store,
                registry,
                max_retries=config.max_retries,
                max_payload_bytes=config.max_payload_bytes,
                poll=config.poll_interval,
                on_enqueued=self._changed,
            )
            if isinstance(store, ScheduleStore)
            else None
        )

    # -- lifecycle ----------------------------------------------------------------------------
    def start(self) -> None:
        if self._started:
            return
        self._started = True
        self._pool.start()
        if self.config.workers and isinstance(self.store, WakeupSource):
            self.store.set_wakeup(self.wake)  # e.g. PostgreSQL's LISTEN/NOTIFY
        self._spawn("pyqueue-heartbeat", self._heartbeat.run)
        if self.config.workers and self._maintenance.enabled:
            self._spawn("pyqueue-maintenance", self._maintenance.run)
        try:
            self._heartbeat.report(self.config.workers)
        except PyQueueError as exc:
            logger.warning("Could not report this process's worker pool: %s", exc)
        if isinstance(self.store, ChangeFeed):
            self.events.track_versions()
            self._spawn("pyqueue-relay", Relay(self.store, self.events).run)
        self._start_schedules()
        logger.info("Queue started with %d workers", self.config.workers)

    def _start_schedules(self) -> None:
        """Declare the code's schedules; a process with workers also runs the scheduler."""
        if self._schedules is None:
            return
        try:
            self._schedules.declare_code_schedules()
        except PyQueueError as exc:  # the scheduler thread tries again
            logger.warning("Could not declare the code's schedules: %s", exc)
        if self.config.workers:
            self._spawn("pyqueue-scheduler", self._schedules.run)

    @property
    def schedules(self) -> Schedules:
        """Periodic tasks: ``queue.schedules.create("REPORT", "0 * * * *")``, ``all``, ``get``,
        ``pause``, ``delete`` (see :mod:`pyqueue.system.scheduler`)."""
        if self._schedules is None:
            raise ConfigurationError("This store does not keep schedules")
        return self._schedules

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
        if self._schedules is not None:
            self._schedules.wake()
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
        timeout_seconds: float | None = None,
        idempotency_key: str | None = None,
    ) -> Task:
        """Enqueue one task. ``priority`` (-100 to 100, higher first); ``delay_seconds`` or
        ``run_at`` (an aware time), not both, delay it: it stays QUEUED with ``next_run_at`` set
        and is not claimed before then. ``timeout_seconds`` limits each attempt. With an
        ``idempotency_key`` that a task already has, that task is returned and nothing is added
        (:meth:`enqueue_unique` also says which happened)."""
        request = NewTask(
            t_type,
            payload,
            max_retries,
            priority,
            run_at,
            delay_seconds,
            timeout_seconds,
            idempotency_key,
        )
        return self.submit_many([request])[0].task

    def enqueue_unique(
        self, t_type: str, payload: Any, idempotency_key: str, **options: Any
    ) -> Enqueued:
        """Enqueue one task under ``idempotency_key`` unless a task has that key: the task, and
        whether it was created now (``options`` as for :meth:`enqueue`)."""
        request = NewTask(t_type, payload, idempotency_key=idempotency_key, **options)
        return self.submit_many([request])[0]

    def enqueue_many(self, requests: Sequence[NewTask]) -> list[Task]:
        """Validate every request, then add them all or none; the task stored for each (an
        existing one for an ``idempotency_key`` in use)."""
        return self._add(requests)[0]

    def submit_many(self, requests: Sequence[NewTask]) -> list[Enqueued]:
        """Validate every request, then add them all or none; for each, the task stored under it
        and whether it was created (``False``: its ``idempotency_key`` was in use, by a task added
        earlier or earlier in ``requests``)."""
        stored, tasks = self._add(requests)
        return [Enqueued(s, s.t_id == t.t_id) for s, t in zip(stored, tasks, strict=True)]

    def _add(self, requests: Sequence[NewTask]) -> tuple[list[Task], list[Task]]:
        """:meth:`submit_many`'s work: the task stored for each request, and the task each made
        (the stored one was created now where the ids are equal)."""
        if self.stopping:
            raise QueueStopped("The queue is shutting down and accepts no new jobs")
        many, now = len(requests) > 1, utcnow()
        ids = new_task_ids(len(requests))
        tasks, texts = [], []
        keyed = False
        for i, request in enumerate(requests):
            task, text = self._new_task(i, request, many, ids[i], now)
            tasks.append(task)
            texts.append(text)
            keyed = keyed or task.idempotency_key is not None
        stored = self.store.add(tasks, texts)
        # without idempotency keys every task is created (no comparison per task needed)
        created = (
            [s for s, t in zip(stored, tasks, strict=True) if s.t_id == t.t_id] if keyed else stored
        )
        if created:
            self.events.publish_updated(created)
            self.wake()
        return stored, tasks

    def _check_payload(self, payload: Any, where: str) -> str:
        """A payload JSON can carry faithfully, within ``PYQUEUE_MAX_PAYLOAD_BYTES``: its JSON
        text, which the store keeps rather than encode the payload again."""
        try:
            text = strict_json_text(payload)
            size = len(text) if text.isascii() else len(text.encode())  # encode: lone surrogates
        except (TypeError, ValueError) as exc:  # NaN/Infinity, lone surrogates, non-JSON objects
            raise InvalidPayload(f"{where} is not storable JSON: {exc}") from None
        if size > self.config.max_payload_bytes:
            raise PayloadTooLarge(
                f"{where} is {size} bytes; the limit is {self.config.max_payload_bytes} bytes"
            )
        return text

    def _new_task(
        self, index: int, request: NewTask, many: bool, t_id: str, now: datetime
    ) -> tuple[Task, str]:
        """The task a request makes (its id and creation time given), and its payload's JSON
        text."""
        t_type = self.registry.resolve(request.t_type)
        text = self._check_payload(request.payload, f"Task {index}: payload" if many else "Payload")
        retries = self.config.max_retries if request.max_retries is None else request.max_retries
        prefix = f"Task {index}: " if many else ""
        priority = request.priority
        if isinstance(priority, bool) or not isinstance(priority, int):
            raise InvalidTaskOption(f"{prefix}priority must be an integer")
        if not MIN_PRIORITY <= priority <= MAX_PRIORITY:
            raise InvalidTaskOption(
                f"{prefix}priority is {priority}; it must be {MIN_PRIORITY} to {MAX_PRIORITY}"
            )
        task = Task.create(
            t_type,
            request.payload,
            retries,
            priority,
            self._delayed(prefix, request, now),
            timeout_seconds=self._timeout(prefix, request, t_type),
            idempotency_key=_idempotency_key(prefix, request.idempotency_key),
            t_id=t_id,
            now=now,
        )
        return task, text

    def _timeout(self, prefix: str, request: NewTask, t_type: str) -> float | None:
        """The attempt timeout: the request's, else the type's default, else the setting's."""
        seconds = request.timeout_seconds
        if seconds is None:
            type_default = self.registry.get(t_type).timeout
            return type_default if type_default is not None else self.config.default_timeout
        limit = int(MAX_TIMEOUT.total_seconds())
        if isinstance(seconds, bool) or not isinstance(seconds, int | float):
            raise InvalidTaskOption(f"{prefix}timeout_seconds must be a number")
        if not math.isfinite(seconds) or not 0 < seconds <= limit:
            raise InvalidTaskOption(
                f"{prefix}timeout_seconds is {seconds}; it must be more than 0 and at most {limit}"
            )
        return float(seconds)

    @staticmethod
    def _delayed(prefix: str, request: NewTask, now: datetime) -> datetime | None:
        """When the request may first run, if that is after ``now`` (a time already past runs
        now)."""
        run_at = request.run_at
        if request.delay_seconds is not None:
            if run_at is not None:
                raise InvalidTaskOption(f"{prefix}Give delay_seconds or run_at, not both")
            run_at = now + _delay(prefix, request.delay_seconds)
        if run_at is None:
            return None
        if run_at.utcoffset() is None:
            raise InvalidTaskOption(f"{prefix}run_at needs a UTC offset (naive times are refused)")
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

    # -- dead letters and retention (see pyqueue.models.failures, system.maintenance) -----------
    def failure_groups(self, limit: int = MAX_FAILURE_GROUPS) -> list[FailureGroup]:
        """FAILED tasks grouped by type and the first line of their error, most first."""
        return self.store.failure_groups(max(1, min(limit, MAX_FAILURE_GROUPS)))

    def retry_failure_group(self, error: str | None, t_type: str) -> list[Task]:
        """Manual retry (as :meth:`retry`) of every FAILED task of one group."""
        tasks = self.store.requeue_failure_group(error, self.type_filter(t_type))
        for task in tasks:
            self._changed(task)
        return tasks

    def edit_payload(self, task_id: str, payload: Any) -> Task:
        """Replace a FAILED or CANCELLED task's payload (limits as on enqueue), to retry it."""
        self._check_payload(payload, "Payload")
        task = self.store.edit_payload(task_id, payload)
        self.events.publish("updated", task)
        return task

    def purge_expired(self) -> int:
        """Remove the finished tasks past their retention now (worker processes also do this
        every minute); returns how many."""
        return self._maintenance.purge()

    def _purged(self, count: int) -> None:
        self.events.publish("cleared")

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
            stuck=self._pool.stuck,
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

    # -- operations: metrics, readiness, the audit log ------------------------------------------
    @property
    def observers(self) -> Observers:
        """Add a :class:`~pyqueue.system.observer.PoolObserver` here to hear of every attempt
        that starts and ends in this process and every lease this process recovers."""
        return self._pool.observers

    def pool_size(self) -> tuple[int, int]:
        """This process's workers: (busy now, total)."""
        return self._pool.busy, self.config.workers

    def counts(self) -> Counts:
        """Tasks by status and type in the store (every process's)."""
        return self.store.counts()

    def oldest_queued(self) -> dict[str, datetime]:
        """Per type with QUEUED tasks, when the longest-waiting one became (or becomes) due."""
        return self.store.oldest_queued()

    def probe(self) -> None:
        """Readiness: the store answers and takes a write (raises a :class:`PyQueueError`)."""
        self.store.probe()

    def record_audit(self, entry: AuditEntry) -> AuditEntry:
        return self.store.record_audit(entry)

    def audit_page(self, limit: int, offset: int) -> tuple[list[AuditEntry], int]:
        """The audit log, newest first, and how many entries it holds."""
        return self.store.audit_page(limit, offset)

    # -- control: pauses and the attempt history ------------------------------------------------
    def attempts(self, task_id: str) -> list[Attempt]:
        """Every attempt of a task, oldest first (:class:`TaskNotFound` for an unknown task)."""
        self.get(task_id)
        return self.store.attempts(task_id)

    def type_states(self) -> list[TypeState]:
        """The registered types, then those only seen in the store or paused, each with its
        task count and whether it is paused."""
        counts = self.store.counts().by_type
        paused = {p.name: p.paused_at for p in self.store.pauses()}
        states = [
            TypeState(s.name, s.description, True, counts.get(s.name, 0), paused.get(s.name))
            for s in self.registry.specs()
        ]
        others = (set(counts) | set(paused)) - {s.name for s in states} - {QUEUE_KEY}
        states += [TypeState(n, "", False, counts.get(n, 0), paused.get(n)) for n in sorted(others)]
        return states

    def queue_state(self) -> QueueState:
        pauses = self.store.pauses()
        whole = next((p.paused_at for p in pauses if p.name == QUEUE_KEY), None)
        return QueueState(whole, [p.name for p in pauses if p.name != QUEUE_KEY])

    def pause_type(self, t_type: str) -> TypeState:
        """Stop claiming tasks of ``t_type`` in every process sharing the store (from each one's
        next claim); enqueue still works and its tasks stay QUEUED. Running ones finish."""
        return self._set_type_paused(t_type, True)

    def resume_type(self, t_type: str) -> TypeState:
        """Claim ``t_type`` again; idle workers are woken (other processes too)."""
        return self._set_type_paused(t_type, False)

    def pause_queue(self) -> QueueState:
        """Stop every claim, in every process sharing the store; enqueue still works."""
        self.store.set_paused(QUEUE_KEY, True)
        logger.info("Queue paused: no task is claimed until it is resumed")
        return self.queue_state()

    def resume_queue(self) -> QueueState:
        if self.store.set_paused(QUEUE_KEY, False):
            logger.info("Queue resumed")
            self.wake()
        return self.queue_state()

    def _set_type_paused(self, t_type: str, paused: bool) -> TypeState:
        name = self._pausable(t_type)
        if self.store.set_paused(name, paused):
            logger.info("Task type %s %s", name, "paused" if paused else "resumed")
            if not paused:
                self.wake()
        return next(s for s in self.type_states() if s.name == name)

    def _pausable(self, t_type: str) -> str:
        """A registered type (in any case, as on enqueue), or one the store has tasks of or
        has paused; else :class:`UnknownTaskType`."""
        try:
            return self.registry.resolve(t_type)
        except UnknownTaskType:
            if t_type and (
                t_type in self.store.counts().by_type
                or any(p.name == t_type for p in self.store.pauses())
            ):
                return t_type
            raise

    def _changed(self, task: Task) -> None:
        self.events.publish("updated", task)
        if task.status is TaskStatus.QUEUED:
            self.wake()


def _idempotency_key(prefix: str, key: str | None) -> str | None:
    """``idempotency_key`` checked: 1 to :data:`MAX_IDEMPOTENCY_KEY` characters, none a control
    character."""
    if key is None:
        return None
    if not isinstance(key, str):
        raise InvalidTaskOption(f"{prefix}idempotency_key must be a string")
    if not 1 <= len(key) <= MAX_IDEMPOTENCY_KEY:
        raise InvalidTaskOption(
            f"{prefix}idempotency_key has {len(key)} characters; it must have 1 to "
            f"{MAX_IDEMPOTENCY_KEY}"
        )
    if any(unicodedata.category(c) == "Cc" for c in key):
        raise InvalidTaskOption(f"{prefix}idempotency_key must not contain control characters")
    return key


def _delay(prefix: str, seconds: float) -> timedelta:
    """``delay_seconds`` as a time span: finite, 0 to :data:`MAX_DELAY`."""
    if isinstance(seconds, bool) or not isinstance(seconds, int | float):
        raise InvalidTaskOption(f"{prefix}delay_seconds must be a number")
    if not math.isfinite(seconds) or not 0 <= seconds <= MAX_DELAY.total_seconds():
        raise InvalidTaskOption(
            f"{prefix}delay_seconds is {seconds}; it must be 0 to {int(MAX_DELAY.total_seconds())}"
        )
    return timedelta(seconds=seconds)
