"""Group commit: the ends of attempts, recorded in batches by one or a few threads.

With a store that does I/O, recording each attempt's end in a transaction of its own costs a commit
per task. Worker threads instead hand their outcome to the :class:`Finisher` and go on to the next
task; its thread records whatever has gathered in one ``finish_many`` transaction. A task stays
leased (and its lease renewed) until its end is recorded, so a crash in between only means the
attempt runs again: the at-least-once guarantee is unchanged.

With ``threads`` > 1 (a store whose writes lock only their own rows, :attr:`TaskStore.writers`),
one batch is recorded while the next gathers and goes out on another connection: on PostgreSQL a
single finisher thread spent 96% of a drain waiting for the server (measured), so it paced it.
Each end is in exactly one batch, and ends of different tasks commute.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable

from pyqueue.models.task import Outcome, Task

BATCH = 256
"""The most attempt ends recorded in one transaction."""

Ends = list[tuple[Task, Outcome]]


class Finisher:
    def __init__(
        self, record: Callable[[Ends], None], idle_wait: float = 1.0, threads: int = 1
    ) -> None:
        self._record = record
        self._idle_wait = idle_wait
        self._ends: deque[tuple[Task, Outcome]] = deque()
        self._cond = threading.Condition()
        self._closing = False
        self._threads = [
            threading.Thread(target=self._loop, name=f"pyqueue-finisher-{n}", daemon=True)
            for n in range(max(1, threads))
        ]

    def start(self) -> None:
        for thread in self._threads:
            thread.start()

    def put(self, task: Task, outcome: Outcome) -> None:
        with self._cond:
            self._ends.append((task, outcome))
            self._cond.notify()

    def close(self, timeout: float) -> bool:
        """Record what is pending, then stop; True when every thread ended in time."""
        with self._cond:
            self._closing = True
            self._cond.notify_all()
        deadline = time.monotonic() + timeout
        for thread in self._threads:
            thread.join(max(0.0, deadline - time.monotonic()))
        return not any(thread.is_alive() for thread in self._threads)

    def _loop(self) -> None:
        while True:
            with self._cond:
                while not self._ends:
                    if self._closing:
                        return
                    self._cond.wait(self._idle_wait)
                ends = self._ends
                batch = [ends.popleft() for _ in range(min(BATCH, len(ends)))]
            self._record(batch)
