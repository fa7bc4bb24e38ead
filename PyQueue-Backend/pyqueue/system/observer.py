"""What the running side tells observers (the API's metrics) about the work of this process.

The pool and the heartbeat call a :class:`PoolObserver`; the Queue holds :class:`Observers`, a
fan-out that the application adds to (``queue.observers.add(metrics)``), so the service never
imports what observes it. Observers are called on worker and heartbeat threads: they must be quick
and must not raise (an observer that raises is logged and otherwise ignored).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence
from typing import Protocol

from pyqueue.models.task import Outcome, Task

logger = logging.getLogger("pyqueue.queue")


class PoolObserver(Protocol):
    def attempt_started(self, task: Task) -> None:
        """``task`` (just claimed, INPROGRESS) starts an attempt in this process."""

    def attempt_ended(self, task: Task, outcome: Outcome, seconds: float) -> None:
        """An attempt of ``task`` ran ``seconds`` and ended with ``outcome`` (before the store
        records it)."""

    def leases_expired(self, tasks: Sequence[Task]) -> None:
        """This process's heartbeat recovered ``tasks`` whose lease ran out (their process died
        or hung)."""


class Observers:
    """A :class:`PoolObserver` that calls every observer added to it."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._observers: tuple[PoolObserver, ...] = ()

    def add(self, observer: PoolObserver) -> None:
        with self._lock:
            self._observers = (*self._observers, observer)

    def remove(self, observer: PoolObserver) -> None:
        with self._lock:
            self._observers = tuple(o for o in self._observers if o is not observer)

    def __bool__(self) -> bool:
        """Whether anyone observes (the pool skips its timing when nobody does)."""
        return bool(self._observers)

    def attempt_started(self, task: Task) -> None:
        for observer in self._observers:
            try:
                observer.attempt_started(task)
            except Exception:
                logger.exception("An observer failed on the start of %s", task.t_id)

    def attempt_ended(self, task: Task, outcome: Outcome, seconds: float) -> None:
        for observer in self._observers:
            try:
                observer.attempt_ended(task, outcome, seconds)
            except Exception:
                logger.exception("An observer failed on the end of %s", task.t_id)

    def leases_expired(self, tasks: Sequence[Task]) -> None:
        if not tasks:
            return
        for observer in self._observers:
            try:
                observer.leases_expired(tasks)
            except Exception:
                logger.exception("An observer failed on %d recovered tasks", len(tasks))
