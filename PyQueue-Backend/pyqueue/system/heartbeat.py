"""The background threads that keep a process's view of a shared store honest.

The :class:`Heartbeat` renews the leases of the tasks this process holds (a task whose lease runs
out is taken to be orphaned), relays cancellations requested elsewhere to the running attempts,
returns tasks whose lease ran out (another process died) to the queue, and reports this process's
worker pool. The :class:`Relay` publishes changes made by other processes to this process's event
stream while someone listens.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from datetime import timedelta

from pyqueue.errors import PyQueueError
from pyqueue.models.task import Task, utcnow
from pyqueue.stores import ChangeFeed, TaskStore
from pyqueue.system.events import EventBus
from pyqueue.system.pool import WorkerPool

logger = logging.getLogger("pyqueue.queue")

RELAY_INTERVAL = 0.5
RELAY_OVERLAP = timedelta(seconds=2)
RELAY_LIMIT = 2000


class Heartbeat:
    def __init__(
        self,
        store: TaskStore,
        pool: WorkerPool,
        process_id: str,
        period: float,
        lease_seconds: float,
        on_requeued: Callable[[Task], None],
    ) -> None:
        self._store = store
        self._pool = pool
        self._process_id = process_id
        self._period = period
        self._lease_seconds = lease_seconds
        self._on_requeued = on_requeued

    def run(self, stopping: threading.Event) -> None:
        """Beat every ``period`` seconds until ``stopping`` is set."""
        steps = (self.renew_leases, self.recover_expired, self.report_pool)
        while not stopping.wait(self._period):
            for step in steps:  # leases first: they are what keeps a task from running twice
                try:
                    step()
                except PyQueueError as exc:
                    logger.warning("Heartbeat step %s failed: %s", step.__name__, exc)

    def renew_leases(self) -> None:
        leases = self._pool.held_leases()
        if not leases:
            return
        result = self._store.renew(leases, self._lease_seconds)
        for task_id in result.lost:
            self._pool.cancel(task_id, "lease lost")
        for task_id in result.cancel_requested:
            self._pool.cancel(task_id, "cancelled")

    def recover_expired(self) -> None:
        recovered = self._store.recover_expired()
        for task in recovered:
            logger.warning("Recovered %s after its lease ran out", task.t_id)
            self._on_requeued(task)
        self._pool.observers.leases_expired(recovered)

    def report_pool(self) -> None:
        self.report(self._pool.workers)

    def report(self, total: int) -> None:
        """Tell the store about this process's pool (so every API process's stats include it)."""
        if self._pool.workers:
            self._store.report_workers(self._process_id, self._pool.busy, total)


class Relay:
    """Publishes changes made by other processes while someone listens to the event stream.

    Reads the store's change feed every ``RELAY_INTERVAL`` seconds, re-reading an overlap window
    so that a change committed late (or stamped by a slightly slower clock) is not skipped; the
    bus drops versions it has already published. A burst too large to relay becomes ``resync``.
    """

    def __init__(self, feed: ChangeFeed, events: EventBus) -> None:
        self._feed = feed
        self._events = events

    def run(self, stopping: threading.Event) -> None:
        cursor = utcnow()
        while not stopping.wait(RELAY_INTERVAL):
            if not self._events.subscriber_count:
                cursor = utcnow()
                continue
            try:
                changes = self._feed.changed_since(cursor - RELAY_OVERLAP, RELAY_LIMIT)
            except PyQueueError as exc:
                logger.debug("Event relay paused: %s", exc)
                continue
            if len(changes) >= RELAY_LIMIT:
                self._events.publish("resync")
                cursor = utcnow()
                continue
            for task in changes:
                self._events.publish_foreign(task)
                cursor = max(cursor, task.updated_at)
