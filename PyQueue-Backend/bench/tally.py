"""The task bodies every system runs, and the thread-safe tally that times them.

A task's payload is ``{"i": n}``, plus ``"t"`` (``time.monotonic()`` at enqueue, which is
system-wide on Linux) when its enqueue→start latency is measured.
"""

from __future__ import annotations

import threading
import time
from typing import Any

KINDS = ("noop", "1ms")
SLEEP = {"noop": 0.0, "1ms": 0.001}


class Tally:
    """Counts finished task bodies; ``wait`` returns when ``target`` of them ran."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._count = 0
        self._target = 0
        self._done = threading.Event()
        self.latencies: list[float] = []

    def reset(self, target: int) -> None:
        with self._lock:
            self._count = 0
            self._target = target
            self._done.clear()
            self.latencies = []

    def hit(self, payload: Any, started: float) -> None:
        stamp = payload.get("t") if isinstance(payload, dict) else None
        with self._lock:
            if stamp is not None:
                self.latencies.append(started - stamp)
            self._count += 1
            if self._count >= self._target:
                self._done.set()

    @property
    def count(self) -> int:
        return self._count

    def wait(self, timeout: float) -> bool:
        return self._done.wait(timeout)


TALLY = Tally()


def body(kind: str, payload: Any) -> None:
    """What every benchmark task does: nothing, or sleep 1 ms; then it is counted."""
    started = time.monotonic()
    seconds = SLEEP[kind]
    if seconds:
        time.sleep(seconds)
    TALLY.hit(payload, started)


def payloads(n: int) -> list[dict[str, Any]]:
    return [{"i": i} for i in range(n)]


async def abody(kind: str, payload: Any) -> None:
    """The same task for asyncio libraries: the 1 ms wait is ``asyncio.sleep``."""
    import asyncio

    started = time.monotonic()
    seconds = SLEEP[kind]
    if seconds:
        await asyncio.sleep(seconds)
    TALLY.hit(payload, started)
