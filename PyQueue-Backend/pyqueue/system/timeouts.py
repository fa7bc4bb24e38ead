"""Execution timeouts: one thread that calls each callback when its deadline comes.

The worker pool registers a deadline when an attempt with a timeout starts and cancels it when the
attempt ends first; when the deadline comes, the pool cancels the handler cooperatively and ends
the attempt itself (see :mod:`pyqueue.system.pool`). A heap and one thread, not a timer thread
per task, so thousands of running tasks cost one thread.
"""

from __future__ import annotations

import heapq
import itertools
import logging
import threading
import time
from collections.abc import Callable

logger = logging.getLogger("pyqueue.queue")


class Deadlines:
    def __init__(self, name: str = "pyqueue-timeouts") -> None:
        self._name = name
        self._cond = threading.Condition()
        self._heap: list[tuple[float, int]] = []
        self._callbacks: dict[int, Callable[[], None]] = {}
        self._tokens = itertools.count(1)
        self._thread: threading.Thread | None = None
        self._stopped = False

    def add(self, seconds: float, callback: Callable[[], None]) -> int:
        """Call ``callback`` (on this object's thread) ``seconds`` from now; returns a token for
        :meth:`cancel`."""
        with self._cond:
            token = next(self._tokens)
            self._callbacks[token] = callback
            heapq.heappush(self._heap, (time.monotonic() + seconds, token))
            if self._thread is None and not self._stopped:
                self._thread = threading.Thread(target=self._loop, name=self._name, daemon=True)
                self._thread.start()
            self._cond.notify()
        return token

    def cancel(self, token: int) -> None:
        """Forget the callback of ``token`` (a no-op when it already ran)."""
        with self._cond:
            self._callbacks.pop(token, None)

    def stop(self) -> None:
        with self._cond:
            self._stopped = True
            self._callbacks.clear()
            self._cond.notify()
        if self._thread is not None:
            self._thread.join(5)

    def _loop(self) -> None:
        while True:
            with self._cond:
                while not self._stopped:
                    while self._heap and self._heap[0][1] not in self._callbacks:
                        heapq.heappop(self._heap)  # cancelled
                    if self._heap and self._heap[0][0] <= time.monotonic():
                        break
                    wait = self._heap[0][0] - time.monotonic() if self._heap else None
                    self._cond.wait(wait)
                if self._stopped:
                    return
                _, token = heapq.heappop(self._heap)
                callback = self._callbacks.pop(token)
            try:
                callback()
            except Exception:  # a bug in one callback must not stop every later timeout
                logger.exception("A timeout callback failed")
