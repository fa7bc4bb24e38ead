"""Periodic upkeep of the store by processes that run workers: retention.

Finished tasks are purged ``PYQUEUE_RETENTION_COMPLETED`` after they finished (COMPLETED and
CANCELLED) and ``PYQUEUE_RETENTION_FAILED`` after (FAILED); ``None`` keeps them forever. A purge
removes at most :data:`PURGE_BATCH` tasks per transaction and pauses :data:`PURGE_PAUSE` seconds
between batches, so claims and finishes (which need the same write lock in SQLite) never wait
behind a large purge; PostgreSQL's purge skips rows other transactions hold. Several processes
may purge at once: each batch deletes what is still there.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from pyqueue.enums import TaskStatus
from pyqueue.errors import PyQueueError
from pyqueue.models.task import utcnow
from pyqueue.stores import TaskStore

logger = logging.getLogger("pyqueue.maintenance")

PURGE_BATCH = 500
"""Tasks removed per transaction."""
PURGE_PAUSE = 0.05
"""Seconds between two batches: other writers get the store in between."""
MAINTENANCE_SECONDS = 60.0
"""How often a worker process purges (it also purges once when it starts)."""


@dataclass(frozen=True, slots=True)
class Retention:
    """How long finished tasks are kept; ``None`` keeps them forever."""

    completed: timedelta | None = timedelta(days=7)
    """COMPLETED and CANCELLED tasks."""
    failed: timedelta | None = timedelta(days=30)

    def cutoffs(self, now: datetime) -> list[tuple[TaskStatus, datetime]]:
        """Each final status to purge, and the time before which its tasks finished."""
        keep = {
            TaskStatus.COMPLETED: self.completed,
            TaskStatus.CANCELLED: self.completed,
            TaskStatus.FAILED: self.failed,
        }
        return [(status, now - age) for status, age in keep.items() if age is not None]


class Maintenance:
    """Purges finished tasks every ``period`` seconds; ``on_purged(count)`` after a pass that
    removed any."""

    def __init__(
        self,
        store: TaskStore,
        retention: Retention,
        on_purged: Callable[[int], None],
        period: float = MAINTENANCE_SECONDS,
        batch: int = PURGE_BATCH,
        pause: float = PURGE_PAUSE,
    ) -> None:
        self._store = store
        self._retention = retention
        self._on_purged = on_purged
        self._period = period
        self._batch = batch
        self._pause = pause

    @property
    def enabled(self) -> bool:
        return bool(self._retention.cutoffs(utcnow()))

    def run(self, stopping: threading.Event) -> None:
        """Purge at once, then every ``period`` seconds until ``stopping`` is set."""
        while not stopping.is_set():
            try:
                self.purge(stopping)
            except PyQueueError as exc:
                logger.warning("Retention purge failed (it runs again later): %s", exc)
            if stopping.wait(self._period):
                break

    def purge(self, stopping: threading.Event | None = None) -> int:
        """One pass: every batch of finished tasks past its retention; returns how many."""
        stopping = stopping or threading.Event()
        removed = 0
        for status, before in self._retention.cutoffs(utcnow()):
            while not stopping.is_set():
                ids = self._store.purge_finished(status, before, self._batch)
                removed += len(ids)
                if len(ids) < self._batch:
                    break
                stopping.wait(self._pause)  # let claims and finishes in between batches
        if removed:
            logger.info("Retention purged %d finished tasks", removed)
            self._on_purged(removed)
        return removed
