"""Periodic tasks: what the API and Python code do with schedules, and the scheduler loop.

Every process that runs workers runs one scheduler thread. It sleeps until the earliest
``next_run_at`` (at most ``poll`` seconds, so schedules created or resumed by other processes are
noticed), then fires what is due: for each due schedule it computes the tick to enqueue (the
latest one due: after downtime a schedule runs once, not once per missed tick) and the next one,
and asks the store to :meth:`~pyqueue.stores.base.ScheduleStore.fire_schedule` — one transaction
that advances ``next_run_at`` only if it still has the value read (compare-and-swap) and adds the
tick's task only if that swap won. However many processes race for a tick, one task is added.
The task's id is derived from the schedule and the tick too, so a tick can never be two tasks.

Schedules declared in code (``@task("REPORT", schedule="0 * * * *")``) are written to the store at
start-up under the id ``code:<type>`` (an upsert: restarting never duplicates them; a changed cron
or time zone takes effect at once; a pause set over the API is kept). A declaration removed from
the code leaves its schedule in the store, where it keeps firing; delete it over the API (a
process that still declares it writes it back when it starts).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime
from typing import Any

from pyqueue.errors import (
    InvalidPayload,
    InvalidSchedule,
    PayloadTooLarge,
    PyQueueError,
    ScheduleNotFound,
    UnknownTaskType,
)
from pyqueue.models.handlers import HandlerRegistry
from pyqueue.models.schedule import Schedule
from pyqueue.models.task import Task, strict_json, utcnow
from pyqueue.stores import ScheduleStore

logger = logging.getLogger("pyqueue.scheduler")

FIRE_BATCH = 100
"""Due schedules read per pass (more are fired on the next pass, at once)."""
MAX_SLEEP = 1.0
"""The longest the scheduler sleeps: a schedule created by another process is seen within it."""


class Schedules:
    """The schedules of one queue: create, list, pause, delete, and the scheduler loop."""

    def __init__(
        self,
        store: ScheduleStore,
        registry: HandlerRegistry,
        *,
        max_retries: int,
        max_payload_bytes: int,
        poll: float,
        on_enqueued: Callable[[Task], None],
    ) -> None:
        self._store = store
        self._registry = registry
        self._max_retries = max_retries
        self._max_payload_bytes = max_payload_bytes
        self._poll = min(poll, MAX_SLEEP)
        self._on_enqueued = on_enqueued
        self._wake = threading.Event()
        self._declared = False
        self._unknown: set[str] = set()

    # -- what the API and Python code call ----------------------------------------------------
    def all(self) -> list[Schedule]:
        """Every schedule, oldest first."""
        return self._store.list_schedules()

    def get(self, schedule_id: str) -> Schedule:
        schedule = self._store.get_schedule(schedule_id)
        if schedule is None:
            raise ScheduleNotFound(schedule_id)
        return schedule

    def create(
        self,
        t_type: str,
        cron: str,
        payload: dict[str, Any] | None = None,
        timezone: str = "UTC",
        paused: bool = False,
    ) -> Schedule:
        """A new schedule of a registered type; its first tick is the first one after now.
        A bad field raises :class:`InvalidSchedule` naming it."""
        try:
            t_type = self._registry.resolve(t_type)
        except UnknownTaskType as exc:
            raise InvalidSchedule("t_type", exc.message) from None
        schedule = Schedule.create(t_type, cron, payload, timezone, paused)
        self._check_size(schedule)
        self._store.add_schedule(schedule)
        self.wake()
        logger.info("Schedule %s created: %s every %r", schedule.id, t_type, schedule.cron)
        return schedule

    def _check_size(self, schedule: Schedule) -> None:
        try:
            size = len(strict_json(schedule.tick_payload(schedule.next_run_at)))
        except (TypeError, ValueError) as exc:
            raise InvalidPayload(f"payload: is not storable JSON: {exc}") from None
        if size > self._max_payload_bytes:
            raise PayloadTooLarge(
                f"payload: each tick's payload is {size} bytes; the limit is "
                f"{self._max_payload_bytes} bytes"
            )

    def pause(self, schedule_id: str, paused: bool = True) -> Schedule:
        """Pause, or resume (from the next tick after now: ticks missed while paused are not
        enqueued)."""
        schedule = self._store.pause_schedule(schedule_id, paused)
        self.wake()
        return schedule

    def delete(self, schedule_id: str) -> Schedule:
        """Remove a schedule; the tasks it enqueued stay."""
        schedule = self._store.delete_schedule(schedule_id)
        if schedule is None:
            raise ScheduleNotFound(schedule_id)
        return schedule

    # -- the scheduler ------------------------------------------------------------------------
    def declare_code_schedules(self) -> list[Schedule]:
        """Write the schedules declared with ``@task(..., schedule=...)`` to the store."""
        now = utcnow()
        declared = [
            self._store.declare_schedule(spec.schedule.schedule_for(spec.name, now))
            for spec in self._registry.specs()
            if spec.schedule is not None
        ]
        self._declared = True
        return declared

    def wake(self) -> None:
        """Look at the schedules again now (one was created, resumed, or the queue stops)."""
        self._wake.set()

    def run(self, stopping: threading.Event) -> None:
        """Fire due schedules until ``stopping`` is set (:meth:`wake` ends the wait)."""
        while not stopping.is_set():
            delay = self._poll
            try:
                if not self._declared:
                    self.declare_code_schedules()
                delay = self.fire_due()
            except PyQueueError as exc:
                logger.warning("Scheduler pass failed: %s", exc)
            except Exception:  # never let the thread die: the next pass tries again
                logger.exception("Scheduler pass failed unexpectedly")
            self._wake.wait(delay)
            self._wake.clear()

    def fire_due(self) -> float:
        """Fire every due schedule; the seconds until the next one is due (at most the poll)."""
        now = utcnow()
        due = self._store.due_schedules(now, FIRE_BATCH)
        for schedule in due:
            try:
                self.fire(schedule, now)
            except PyQueueError:
                raise  # the store: the whole pass waits for the next one
            except Exception:  # one broken schedule must not hold up the others
                logger.exception("Schedule %s could not be fired", schedule.id)
        if len(due) == FIRE_BATCH:
            return 0.0
        upcoming = self._store.next_schedule_at()
        if upcoming is None:
            return self._poll
        wait = (upcoming - utcnow()).total_seconds()
        # Still due after this pass: a type this process does not know, or a tick another
        # process is firing right now. Check again after the poll, never in a busy loop.
        return self._poll if wait <= 0 else min(wait, self._poll)

    def fire(self, schedule: Schedule, now: datetime | None = None) -> Task | None:
        """Enqueue ``schedule``'s due tick unless another process already did; the task added,
        or ``None``."""
        if schedule.t_type not in self._registry:
            if schedule.t_type not in self._unknown:
                self._unknown.add(schedule.t_type)
                logger.warning(
                    "Schedule %s: task type %s is not registered in this process; another "
                    "process that has it will enqueue it",
                    schedule.id,
                    schedule.t_type,
                )
            return None
        now = now or utcnow()
        tick, advanced = schedule.fired(now)
        task = Task.create(schedule.t_type, schedule.tick_payload(tick), self._max_retries)
        task = replace(task, t_id=schedule.tick_task_id(tick))
        if not self._store.fire_schedule(schedule.next_run_at, advanced, task):
            return None
        logger.info("Schedule %s enqueued %s for %s", schedule.id, task.t_id, tick.isoformat())
        self._on_enqueued(task)
        return task
