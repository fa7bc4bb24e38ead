"""Group commit: the ends of attempts, recorded in batches by one thread.

With a store that does I/O, recording each attempt's end in a transaction of its own costs a commit
per task. Worker threads instead hand their outcome to the :class:`Finisher` and go on to the next
task; its thread records whatever has gathered in one ``finish_many`` transaction. A task stays
leased (and its lease renewed) until its end is recorded, so a crash in between only means the
attempt runs again: the at-least-once guarantee is unchanged.
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Callable

from pyqueue.models.task import Outcome, Task

BATCH = 256
"""The most attempt ends recorded in one transaction."""

Ends = list[tuple[Task, Outcome]]


class Finisher:
    def __init__(self, record: Callable[[Ends], None], idle_wait: float = 1.0) -> None:
        self._record = record
        self._idle_wait = idle_wait
        self._ends: deque[tuple[Task, Outcome]] = deque()
        self._ready = threading.Event()
        self._closing = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="pyqueue-finisher", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def put(self, task: Task, outcome: Outcome) -> None:
        self._ends.append((task, outcome))
        self._ready.set()

    def close(self, timeout: float) -> bool:
        """Record what is pending, then stop; True when the thread ended in time."""
        self._closing.set()
        self._ready.set()
        self._thread.join(timeout)
        return not self._thread.is_alive()

    def _loop(self) -> None:
        while True:
            if not self._ends:
                if self._closing.is_set():
                    return
                self._ready.wait(self._idle_wait)
                self._ready.clear()
            batch: Ends = []
            while self._ends and len(batch) < BATCH:
                batch.append(self._ends.popleft())
            if batch:
                self._record(batch)
