"""The running side of one process: the dispatcher, the thread pool and the tasks running here.

A *dispatcher* thread claims due tasks while a worker slot is free and submits one attempt per task
(``worker_factory(task, handler, context, policy)``) to a ``ThreadPoolExecutor``. When the attempt
returns its :class:`~pyqueue.models.task.Outcome`, the pool records it: at once in a store without
I/O, or through the :class:`~pyqueue.system.finisher.Finisher` (group commit) in one that does.
"""

from __future__ import annotations

import logging
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from pyqueue.enums import TaskStatus
from pyqueue.errors import PyQueueError, UnknownTaskType
from pyqueue.models.handlers import CancelReason, HandlerRegistry, TaskContext
from pyqueue.models.retry import RetryPolicy
from pyqueue.models.task import Outcome, Task, utcnow
from pyqueue.models.values import AttemptEnd
from pyqueue.stores import TaskStore
from pyqueue.system.events import EventBus
from pyqueue.system.finisher import Finisher
from pyqueue.system.worker import WorkerFactory

logger = logging.getLogger("pyqueue.queue")

CLAIM_LINGER = 0.002
"""Seconds the dispatcher waits for half the worker slots to be free, so that claims come in
batches (one store round trip for several tasks) rather than one per finished task."""


@dataclass(frozen=True, slots=True)
class PoolConfig:
    workers: int
    lease_seconds: float
    poll_interval: float
    retry: RetryPolicy


@dataclass(frozen=True, slots=True)
class Running:
    """A task running (or ended, its end not yet recorded) in this process."""

    task: Task
    context: TaskContext


class WorkerPool:
    def __init__(
        self,
        store: TaskStore,
        worker_factory: WorkerFactory,
        registry: HandlerRegistry,
        config: PoolConfig,
        events: EventBus,
        stopping: threading.Event,
    ) -> None:
        self._store = store
        self._worker_factory = worker_factory
        self._registry = registry
        self._config = config
        self._events = events
        self._stopping = stopping
        self._executor: ThreadPoolExecutor | None = None
        self._dispatcher: threading.Thread | None = None
        self._cond = threading.Condition()
        self._running: dict[str, Running] = {}
        self._finishing: dict[str, Running] = {}  # ended, the end not yet recorded
        self._batch_floor = max(1, config.workers // 2)
        self._finisher = Finisher(self._record) if store.blocking and config.workers else None
        self._wake = threading.Event()

    # -- lifecycle ----------------------------------------------------------------------------
    def start(self) -> None:
        if not self._config.workers:
            return
        self._executor = ThreadPoolExecutor(self._config.workers, "pyqueue-worker")
        self._dispatcher = threading.Thread(
            target=self._dispatch_loop, name="pyqueue-dispatcher", daemon=True
        )
        self._dispatcher.start()
        if self._finisher is not None:
            self._finisher.start()

    def stop(self, timeout: float) -> None:
        """After ``stopping`` is set: let running tasks end for up to ``timeout`` seconds, then
        cancel them; record every end; shut the thread pool down."""
        self._wake.set()
        with self._cond:
            self._cond.notify_all()
            if not self._cond.wait_for(lambda: not self._running, timeout):
                logger.warning("Cancelling %d running tasks at shutdown", len(self._running))
                for running in self._running.values():
                    running.context.cancel("shutdown")
                self._cond.wait_for(lambda: not self._running, max(1.0, timeout))
        if self._finisher is not None and not self._finisher.close(timeout=10):
            logger.warning("Some attempt ends were not recorded; their leases will recover them")
        if self._executor is not None:
            self._executor.shutdown(wait=False, cancel_futures=True)

    def join(self, timeout: float | None) -> bool:
        """Wait for the dispatcher to end; True when it has (or never ran)."""
        if self._dispatcher is None:
            return True
        self._dispatcher.join(timeout)
        return not self._dispatcher.is_alive()

    def wake(self) -> None:
        """Tell the dispatcher new work may be due (on enqueue, retry, NOTIFY)."""
        self._wake.set()

    # -- what the queue and the heartbeat ask ---------------------------------------------------
    @property
    def workers(self) -> int:
        return self._config.workers

    @property
    def busy(self) -> int:
        """Tasks running here now."""
        with self._cond:
            return len(self._running)

    def running_ids(self) -> list[str]:
        with self._cond:
            return list(self._running)

    def held_leases(self) -> dict[str, str]:
        """``{task_id: lease_id}`` of every task this process holds (running or being recorded)."""
        with self._cond:
            held = [*self._running.values(), *self._finishing.values()]
        return {r.task.t_id: r.task.lease_id or "" for r in held}

    def cancel(self, task_id: str, reason: CancelReason) -> None:
        """Ask the attempt of ``task_id`` running here, if any, to stop."""
        with self._cond:
            running = self._running.get(task_id)
        if running is not None:
            running.context.cancel(reason)

    # -- the dispatcher -----------------------------------------------------------------------
    def _free(self) -> int:
        return self._config.workers - len(self._running)

    def _dispatch_loop(self) -> None:
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
                tasks = self._store.claim(free, self._config.lease_seconds)
            except PyQueueError as exc:
                logger.warning("Cannot claim tasks: %s", exc)
                self._wake.wait(self._config.poll_interval)
                continue
            if not tasks:
                self._wake.wait(self._idle_wait())
                continue
            if self._stopping.is_set():
                self._release(tasks)
                break
            self._submit(tasks)

    def _release(self, tasks: list[Task]) -> None:
        """Give back tasks claimed while shutdown began; the attempt does not count."""
        try:
            for task in tasks:
                self._store.finish(
                    task.t_id, task.lease_id or "", Outcome(TaskStatus.QUEUED, refund_attempt=True)
                )
        except PyQueueError as exc:
            logger.warning("Could not give back claimed tasks (their leases will): %s", exc)

    def _submit(self, tasks: list[Task]) -> None:
        assert self._executor is not None
        started = [Running(t, TaskContext(t.t_id, t.attempts, t.max_retries)) for t in tasks]
        with self._cond:
            for running in started:
                self._running[running.task.t_id] = running
        for running in started:
            self._events.publish("updated", running.task)
            self._executor.submit(self._run, running)

    def _idle_wait(self) -> float:
        try:
            due = self._store.next_due()
        except PyQueueError:
            return self._config.poll_interval
        if due is None:
            return self._config.poll_interval
        return max(0.0, min(self._config.poll_interval, (due - utcnow()).total_seconds()))

    # -- one attempt, and recording how it ended ------------------------------------------------
    def _run(self, running: Running) -> None:
        outcome = Outcome(TaskStatus.QUEUED, error="The worker stopped unexpectedly")
        try:
            outcome = self._attempt(running)
        finally:
            self._finish(running.task, outcome)

    def _attempt(self, running: Running) -> Outcome:
        task = running.task
        try:
            spec = self._registry.get(task.t_type)
        except UnknownTaskType as exc:
            return Outcome(TaskStatus.FAILED, error=exc.message)
        attempt = self._worker_factory(task, spec.func, running.context, self._config.retry)
        return attempt()

    def _finish(self, task: Task, outcome: Outcome) -> None:
        """Record how an attempt ended (fenced by its lease) and free its worker slot.

        With a store that does I/O the end goes to the finisher (group commit); the task keeps its
        lease, renewed by the heartbeat, until the end is recorded.
        """
        if self._finisher is not None:
            with self._cond:
                running = self._running.pop(task.t_id, None)
                if running is not None:
                    self._finishing[task.t_id] = running
                self._slot_freed()
            self._finisher.put(task, outcome)
            return
        try:
            saved = self._store.finish(task.t_id, task.lease_id or "", outcome)
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
            self._events.publish("updated", saved)

    def _slot_freed(self) -> None:
        """Wake the dispatcher when it may claim (caller holds ``_cond``), and stop() at the end."""
        free = self._config.workers - len(self._running)
        if free in (1, self._batch_floor) or not self._running:
            self._cond.notify_all()

    def _record(self, ends: list[tuple[Task, Outcome]]) -> None:
        """The finisher's work: record a batch of attempt ends in one transaction."""
        try:
            saved = self._store.finish_many(
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
                self._events.publish("updated", recorded)
        if any(outcome.status is TaskStatus.QUEUED for _, outcome in ends):
            self._wake.set()
