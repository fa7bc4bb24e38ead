"""The running side of one process: the dispatcher, the thread pool and the tasks running here.

A *dispatcher* thread claims due tasks while a worker slot is free and hands each to the threads of
a ``ThreadPoolExecutor``, which run one attempt per task (``worker_factory(task, handler, context,
policy)``). When the attempt returns its :class:`~pyqueue.models.task.Outcome`, the pool records
it: at once in a store without I/O, or through the :class:`~pyqueue.system.finisher.Finisher`
(group commit) in one that does.

The executor's threads each run a loop that takes the next task from one ``SimpleQueue``, rather
than the pool submitting a call per task: a submit makes a ``Future`` (with its ``Condition``), a
work item and a semaphore round per task, about a fifth of a no-op task's CPU in a worker process
(measured with yappi), for a result nobody reads (the attempt's outcome is recorded by the thread
itself).

**Claiming ahead** (``prefetch``). A claim costs a round trip and a transaction whatever its size:
on PostgreSQL, claiming 32 tasks costs about 85 µs a task and claiming 8 about 150. And a task
that waits here needs no hand-over: the thread whose attempt ends runs the one that takes its
slot itself, where a task claimed for a free slot wakes a sleeping thread (a context switch and a
GIL hand-over, more than a no-op task's own cost). So the pool claims up to ``prefetch`` tasks
beyond its free slots; they wait *here*, in claim order (priority, then due time), leased to this
process like running tasks: the heartbeat renews their leases, a crash hands them to another
process when the leases run out, a shutdown gives them back at once (the attempt does not count).
A waiting task starts as soon as a slot frees; one that is cancelled or deleted meanwhile starts
at once and ends as its context says, without calling its handler. ``prefetch = 0`` claims only
for free slots.

Claiming ahead pays only for short tasks, and only short tasks make it harmless: a task waiting
behind a long one in a busy process could have started at once in an idle one. So the pool claims
ahead only while its attempts run shorter than :data:`PREFETCH_BELOW` on average (a moving average
of the last few dozen); before it has seen one end, and whenever they run longer, it claims for free
slots alone. And it claims ahead only what its workers will run within :data:`PREFETCH_HORIZON`
(``workers * horizon / average``, at most ``prefetch``): a task claimed ahead waits here about that
long, whatever the tasks' length, while no-op tasks are claimed 100 or more at a time.
"""

from __future__ import annotations

import logging
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from queue import SimpleQueue

from pyqueue.enums import TaskStatus
from pyqueue.errors import PyQueueError, UnknownTaskType
from pyqueue.models.handlers import CancelReason, HandlerRegistry, TaskContext
from pyqueue.models.retry import RetryPolicy
from pyqueue.models.task import Outcome, Task, utcnow
from pyqueue.models.values import AttemptEnd
from pyqueue.stores import TaskStore
from pyqueue.system.events import EventBus
from pyqueue.system.finisher import Finisher
from pyqueue.system.observer import Observers
from pyqueue.system.timeouts import Deadlines
from pyqueue.system.worker import WorkerFactory, interrupted

logger = logging.getLogger("pyqueue.queue")

CLAIM_LINGER = 0.002
"""Seconds the dispatcher waits for half the worker slots to be free, so that claims come in
batches (one store round trip for several tasks) rather than one per finished task."""

PREFETCH_PER_WORKER = 16
"""The default ``prefetch``, per worker thread: the most claimed ahead, reached only by tasks of
about 3 ms or less (see :data:`PREFETCH_HORIZON`). Draining no-op tasks from PostgreSQL with 8
workers, 32 ahead (4 per worker) paced the drain at one claim of 40 per round trip; 128 ahead with
two finisher threads drained 1.4x faster (measured, interleaved). In memory, 128 ahead of 8
workers drained no-op tasks at 37,000-41,000/s against 25,000-27,000 with none (0.04 context
switches a task instead of 0.67)."""

PREFETCH_BELOW = 0.05
"""Seconds: the pool claims ahead only while its attempts take less than this on average. At
that length a claim's cost (a millisecond or two for a batch) is a few percent of the work."""

PREFETCH_HORIZON = 0.05
"""Seconds of work the pool claims ahead: ``workers * PREFETCH_HORIZON / average attempt``
tasks (at most ``prefetch``), so that a task claimed ahead waits here for a slot about this long
(8 ahead of 8 workers at 50 ms tasks, 80 at 5 ms)."""

RUN_AVERAGE_WEIGHT = 0.05
"""The weight of each attempt's duration in the moving average (about the last 20 attempts)."""

STUCK_GRACE = 1.0
"""Seconds after a timeout before a handler still running (it ignores cancellation) is logged."""


@dataclass(frozen=True, slots=True)
class PoolConfig:
    workers: int
    lease_seconds: float
    poll_interval: float
    retry: RetryPolicy
    process_id: str = ""
    """Who runs the attempts claimed here, as the attempt history records it."""
    prefetch: int = 0
    """Tasks claimed ahead of free slots, waiting here to start."""


@dataclass(frozen=True, slots=True)
class Running:
    """A task running (or ended, its end not yet recorded) in this process."""

    task: Task
    context: TaskContext


_UNEXPECTED = Outcome(TaskStatus.QUEUED, error="The worker stopped unexpectedly")
"""The outcome of an attempt whose pool failed (an exception outside the handler): one for all,
being immutable, rather than one made before every attempt."""


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
        self._jobs: SimpleQueue[Running | None] = SimpleQueue()
        self._threads = 0
        self._dispatcher: threading.Thread | None = None
        # ``with self._lock`` (a C call) where ``with self._cond`` would add a Python frame
        self._lock = threading.RLock()
        self._cond = threading.Condition(self._lock)
        self._running: dict[str, Running] = {}
        self._waiting: dict[str, Running] = {}  # claimed ahead, not started; in claim order
        self._finishing: dict[str, Running] = {}  # ended, the end not yet recorded
        self._average_run: float | None = None  # seconds an attempt takes here, moving average
        self._began: dict[str, float] = {}  # lease id -> time.monotonic() its attempt began
        self._finisher = (
            Finisher(self._record, threads=store.writers)
            if store.blocking and config.workers
            else None
        )
        self._wake = threading.Event()
        self.observers = Observers()
        """Told of every attempt that starts and ends here (the API's metrics observe it)."""
        # Execution timeouts. An attempt ends once: by its thread or by its deadline, whichever
        # comes first takes its lease id out of ``_live`` (an attempt without a timeout, ended by
        # its thread alone, is never in it: no lock to take at its end). A thread still running
        # a handler whose attempt its deadline ended is *overrun* (a thread cannot be killed);
        # the executor has ``_spare`` extra threads so that a few of them do not take worker
        # slots away.
        self._deadlines = Deadlines()
        self._live: set[str] = set()
        self._overrun: dict[str, Running] = {}
        self._spare = max(2, config.workers)

    # -- lifecycle ----------------------------------------------------------------------------
    def start(self) -> None:
        if not self._config.workers:
            return
        self._threads = self._config.workers + self._spare
        self._executor = ThreadPoolExecutor(self._threads, "pyqueue-worker")
        for _ in range(self._threads):
            self._executor.submit(self._work)
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
        with self._lock:
            waiting = [r.task for r in self._waiting.values()]
            self._waiting.clear()
        self._release(waiting)
        with self._lock:
            self._cond.notify_all()
            if not self._cond.wait_for(lambda: not self._running, timeout):
                logger.warning("Cancelling %d running tasks at shutdown", len(self._running))
                for running in self._running.values():
                    running.context.cancel("shutdown")
                self._cond.wait_for(lambda: not self._running, max(1.0, timeout))
        self._deadlines.stop()
        if self._finisher is not None and not self._finisher.close(timeout=10):
            logger.warning("Some attempt ends were not recorded; their leases will recover them")
        if self._executor is not None:
            for _ in range(self._threads):
                self._jobs.put(None)  # each loop ends at its None, once its attempt (if any) ends
            self._executor.shutdown(wait=False)

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
        with self._lock:
            return len(self._running)

    @property
    def stuck(self) -> int:
        """Threads still running a handler whose attempt already ended (past its timeout)."""
        with self._lock:
            return len(self._overrun)

    def running_ids(self) -> list[str]:
        """Tasks claimed here and not ended: running, or waiting to start."""
        with self._lock:
            return [*self._running, *self._waiting]

    def held_leases(self) -> dict[str, str]:
        """``{task_id: lease_id}`` of every task this process holds (waiting to start, running, or
        its end being recorded)."""
        with self._lock:
            held = [*self._waiting.values(), *self._running.values(), *self._finishing.values()]
        return {r.task.t_id: r.task.lease_id or "" for r in held}

    def cancel(self, task_id: str, reason: CancelReason) -> None:
        """Ask the attempt of ``task_id`` running here, if any, to stop; one waiting here starts
        at once, so that it ends (as ``reason`` says) without calling its handler."""
        with self._lock:
            running = self._running.get(task_id)
            waiting = self._waiting.pop(task_id, None)
            if waiting is not None:
                waiting.context.cancel(reason)
                self._occupy(waiting)
        if running is not None:
            running.context.cancel(reason)
        if waiting is not None:
            self._launch([waiting])

    # -- the dispatcher -----------------------------------------------------------------------
    def _free(self) -> int:
        # overrun threads beyond the spare ones hold executor threads: fewer slots until they end
        return self._config.workers - len(self._running) - max(0, len(self._overrun) - self._spare)

    def _prefetch(self) -> int:
        """How many tasks to claim ahead now: what the workers run in :data:`PREFETCH_HORIZON`,
        at most ``prefetch``, while attempts are short; else 0."""
        average = self._average_run
        if average is None or average >= PREFETCH_BELOW:
            return 0
        horizon = self._config.workers * PREFETCH_HORIZON
        if average * self._config.prefetch <= horizon:
            return self._config.prefetch
        return int(horizon / average)

    def _room(self) -> int:
        """How many tasks the next claim may take: the free slots, and room to wait here."""
        return self._free() + self._prefetch() - len(self._waiting)

    def _batch_floor(self) -> int:
        """The claim size worth waiting :data:`CLAIM_LINGER` for: half of what may be held."""
        return max(1, (self._config.workers + self._prefetch()) // 2)

    def _ran(self, seconds: float) -> None:
        """Fold one attempt's duration into the moving average (a lost update is harmless)."""
        average = self._average_run
        self._average_run = (
            seconds if average is None else average + RUN_AVERAGE_WEIGHT * (seconds - average)
        )

    def _dispatch_loop(self) -> None:
        while not self._stopping.is_set():
            with self._lock:
                self._cond.wait_for(lambda: self._room() > 0 or self._stopping.is_set())
                if self._room() < self._batch_floor():  # let a few more slots free up, briefly
                    self._cond.wait_for(
                        lambda: self._room() >= self._batch_floor() or self._stopping.is_set(),
                        CLAIM_LINGER,
                    )
                free = self._room()
            if self._stopping.is_set():
                break
            if free <= 0:  # attempts grew longer while it lingered: less to claim ahead
                continue
            self._wake.clear()
            try:
                tasks = self._store.claim(
                    free, self._config.lease_seconds, worker=self._config.process_id
                )
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
        """Start the claimed tasks that have a free slot; the others wait here for one (a
        shutdown that began meanwhile gets them all back)."""
        claimed = [Running(t, self._context(t)) for t in tasks]
        with self._lock:
            if self._stopping.is_set():  # stop() already gave back what was waiting
                self._cond.notify_all()
                shutdown = True
            else:
                shutdown = False
                for running in claimed:
                    self._waiting[running.task.t_id] = running
                started = self._take_waiting()
        if shutdown:
            self._release(tasks)
            return
        self._launch(started)

    def _take_waiting(self) -> list[Running]:
        """Move waiting tasks into the free slots (caller holds ``_cond``); start them with
        :meth:`_launch` once the lock is released."""
        started = []
        while self._waiting and self._free() > 0 and not self._stopping.is_set():
            running = self._waiting.pop(next(iter(self._waiting)))
            self._occupy(running)
            started.append(running)
        return started

    def _occupy(self, running: Running) -> None:
        """``running`` takes a slot (caller holds ``_cond``): its attempt is live until it ends."""
        self._running[running.task.t_id] = running
        if running.task.timeout_seconds is not None:  # see ``_live``
            self._live.add(running.task.lease_id or "")

    def _launch(
        self, started: list[Running], keep: bool = False, ended: Task | None = None
    ) -> Running | None:
        """Announce the started tasks (after ``ended``, a task whose end was just recorded: one
        batch of events) and hand them to the executor's threads; with ``keep``, all but the
        first, which the calling worker thread runs next itself (returned)."""
        tasks = [running.task for running in started]
        if ended is not None:
            tasks.insert(0, ended)
        self._events.publish_updated(tasks)
        if not started:
            return None
        for running in started:
            if self.observers:
                self.observers.attempt_started(running.task)
        kept = started[0] if keep else None
        for running in started[1:] if keep else started:
            self._jobs.put(running)
        return kept

    def _work(self) -> None:
        """One executor thread: run the tasks handed to it, one at a time, until a ``None``."""
        jobs = self._jobs
        while (job := jobs.get()) is not None:
            running: Running | None = job
            while running is not None:  # then the task that took its slot, if one did
                current = running
                try:
                    running = self._run(current)
                except BaseException:  # recording the end failed: keep the thread, log it
                    logger.exception("The worker pool failed running %s", current.task.t_id)
                    running = None

    def _idle_wait(self) -> float:
        try:
            due = self._store.next_due()
        except PyQueueError:
            return self._config.poll_interval
        if due is None:
            return self._config.poll_interval
        return max(0.0, min(self._config.poll_interval, (due - utcnow()).total_seconds()))

    def _context(self, task: Task) -> TaskContext:
        """The handler's context: its timeout, and where its progress goes (fenced by the lease)."""

        def report(progress: float, message: str | None) -> None:
            try:
                saved = self._store.set_progress(task.t_id, lease, progress, message)
            except PyQueueError as exc:
                logger.warning("Could not record the progress of %s: %s", task.t_id, exc)
                return
            if saved is not None:
                self._events.publish("updated", saved)

        lease = task.lease_id or ""
        return TaskContext(
            task.t_id,
            task.attempts,
            task.max_retries,
            timeout_seconds=task.timeout_seconds,
            progress_sink=report,
        )

    # -- one attempt, and recording how it ended ------------------------------------------------
    def _run(self, running: Running) -> Running | None:
        """Run one attempt and record its end; returns the waiting task that took its slot, for
        this thread to run next (no hand-over to another thread), if one did."""
        kept = None
        timeout = running.task.timeout_seconds
        deadline = None
        if timeout is not None:
            deadline = self._deadlines.add(timeout, lambda: self._time_out(running))
        outcome = _UNEXPECTED
        self._began[running.task.lease_id or ""] = time.monotonic()
        try:
            outcome = self._attempt(running)
        except BaseException:  # as a Future would, keep the thread; log it before the end is
            # recorded (after it, the retry could run and end before this line)
            logger.exception("The worker pool failed running %s", running.task.t_id)
        finally:
            if deadline is not None:
                self._deadlines.cancel(deadline)
            if deadline is None or self._end(running):
                kept = self._finish(running.task, outcome, keep=True)
            else:
                self._discard_late(running, outcome)
        return kept

    def _end(self, running: Running) -> bool:
        """Whether the caller ends this attempt (True once: for its thread or its deadline)."""
        with self._lock:
            return self._end_locked(running)

    def _time_out(self, running: Running) -> None:
        """The deadline of an attempt came first: cancel the handler (cooperatively) and end the
        attempt now, whether or not the handler stops."""
        task = running.task
        with self._lock:
            if not self._end_locked(running):
                return
            self._overrun[task.lease_id or ""] = running
        running.context.cancel("timeout")
        outcome = interrupted(task, running.context, self._config.retry)
        logger.warning(
            "Attempt %d of %s (%s) timed out after %g s",
            task.attempts,
            task.t_id,
            task.t_type,
            task.timeout_seconds or 0,
            extra={"task_id": task.t_id, "attempt": task.attempts},
        )
        self._finish(task, outcome)
        self._deadlines.add(STUCK_GRACE, lambda: self._report_stuck(running))

    def _end_locked(self, running: Running) -> bool:
        """:meth:`_end` with ``_cond`` held."""
        lease = running.task.lease_id or ""
        if lease not in self._live:
            return False
        self._live.discard(lease)
        return True

    def _report_stuck(self, running: Running) -> None:
        """Log, once, a handler still running after its timeout (it ignores cancellation)."""
        with self._lock:
            stuck = (running.task.lease_id or "") in self._overrun
        if stuck:
            task = running.task
            logger.warning(
                "A worker thread is stuck: the handler of %s (%s) still runs %g s after its "
                "timeout and ignores cancellation (call ctx.sleep or ctx.raise_if_cancelled); "
                "its result will be discarded",
                task.t_id,
                task.t_type,
                STUCK_GRACE,
                extra={"task_id": task.t_id, "attempt": task.attempts},
            )

    def _discard_late(self, running: Running, outcome: Outcome) -> None:
        """The handler returned after its attempt was ended at its deadline: drop what it did
        (its lease is gone, so the store would refuse it anyway)."""
        with self._lock:
            self._overrun.pop(running.task.lease_id or "", None)
            self._cond.notify_all()  # a slot that an overrun thread held may be free again
            started = self._take_waiting()
        self._launch(started)
        logger.info(
            "Discarded the late end (%s) of %s: its attempt had timed out",
            outcome.status.value,
            running.task.t_id,
            extra={"task_id": running.task.t_id},
        )

    def _attempt(self, running: Running) -> Outcome:
        task = running.task
        try:
            spec = self._registry.get(task.t_type)
        except UnknownTaskType as exc:
            return Outcome(TaskStatus.FAILED, error=exc.message)
        attempt = self._worker_factory(task, spec.func, running.context, self._config.retry)
        return attempt()

    def _finish(self, task: Task, outcome: Outcome, keep: bool = False) -> Running | None:
        """Record how an attempt ended (fenced by its lease) and free its worker slot; with
        ``keep`` (the attempt's own thread), return the waiting task that took the slot, if any,
        for the caller to run (see :meth:`_launch`).

        With a store that does I/O the end goes to the finisher (group commit); the task keeps its
        lease, renewed by the heartbeat, until the end is recorded.
        """
        # How long it ran here (a task claimed ahead waited before it began); until its deadline
        # for one that timed out
        began = self._began.pop(task.lease_id or "", None)
        ran = time.monotonic() - began if began is not None else 0.0
        self._ran(ran)
        if self.observers:
            self.observers.attempt_ended(task, outcome, ran)
        if self._finisher is not None:
            with self._lock:
                running = self._running.pop(task.t_id, None)
                if running is not None:
                    self._finishing[task.t_id] = running
                started = self._slot_freed()
            self._finisher.put(task, outcome)
            return self._launch(started, keep)
        try:
            saved = self._store.finish(task.t_id, task.lease_id or "", outcome)
        except PyQueueError:
            logger.exception("Could not record the end of %s; its lease will recover it", task.t_id)
            saved = None
        except BaseException:
            self._free_slot(task, outcome, keep=False)  # whoever took the slot still starts
            raise
        return self._free_slot(task, outcome, keep, saved)

    def _free_slot(
        self, task: Task, outcome: Outcome, keep: bool, saved: Task | None = None
    ) -> Running | None:
        """The end of ``task`` is recorded (``saved``, as the store has it now): free its slot
        and start what takes it."""
        with self._lock:
            self._running.pop(task.t_id, None)
            started = self._slot_freed()
        if outcome.status is TaskStatus.QUEUED:
            self._wake.set()  # it may be due again before the dispatcher's idle wait ends
        return self._launch(started, keep, saved)

    def _slot_freed(self) -> list[Running]:
        """A slot is free (caller holds ``_cond``): the waiting tasks that take it, to
        :meth:`_launch`; wake the dispatcher when it may claim, and stop() at the end."""
        started = self._take_waiting() if self._waiting else []
        room = self._room()
        if room in (1, self._batch_floor()) or not self._running:
            self._cond.notify_all()
        return started

    def _record(self, ends: list[tuple[Task, Outcome]]) -> None:
        """The finisher's work: record a batch of attempt ends in one transaction. The ended
        tasks are read back only for an event bus that wants them (not a worker process's)."""
        attempts = [AttemptEnd(task.t_id, task.lease_id or "", outcome) for task, outcome in ends]
        saved: list[Task | None] = []
        try:
            if self._events.wants_tasks:
                saved = self._store.finish_many(attempts)
            else:
                self._store.record_ends(attempts)
        except PyQueueError:
            logger.exception("Could not record %d attempt ends; their leases will", len(ends))
        with self._lock:
            for task, _ in ends:
                self._finishing.pop(task.t_id, None)
        self._events.publish_updated([recorded for recorded in saved if recorded is not None])
        if any(outcome.status is TaskStatus.QUEUED for _, outcome in ends):
            self._wake.set()
