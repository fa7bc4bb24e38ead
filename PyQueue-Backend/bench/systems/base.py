"""What a benchmarked system provides, and the scenarios measured the same way for each."""

from __future__ import annotations

import time
from typing import Any, ClassVar

from bench.stats import percentile
from bench.tally import TALLY, payloads

DRAIN_TIMEOUT = 120.0


class NotSupported(Exception):
    """The system has no such operation (the table shows n/a and this message)."""


class System:
    """One queue library on one backend, driven from this process.

    Subclasses implement ``setup``, ``reset``, ``enqueue`` and the worker's ``start``/``stop``;
    the scenarios below time them identically for every system.
    """

    name: ClassVar[str]
    concurrency: ClassVar[str] = ""
    size_factor: ClassVar[float] = 1.0
    """Slower systems run a fraction of the tasks so that a full run fits in about ten minutes:
    in memory 1 (20,000), SQLite and Redis 0.5, PostgreSQL 0.25, procrastinate 0.1, RQ 0.05."""

    def setup(self, kind: str) -> None:
        raise NotImplementedError

    def reset(self) -> None:
        raise NotImplementedError

    def enqueue(self, items: list[dict[str, Any]], batch: int) -> None:
        """Enqueue ``items``: one call per task when ``batch`` is 1, else ``batch`` per call."""
        raise NotImplementedError

    def start(self) -> None:
        raise NotImplementedError

    def stop(self) -> None:
        raise NotImplementedError

    def close(self) -> None:
        """Release connections and files."""

    # -- scenarios ----------------------------------------------------------------------------
    def measure_enqueue(self, n: int, batch: int) -> float:
        """Tasks enqueued per second."""
        self.reset()
        items = payloads(n)
        started = time.perf_counter()
        self.enqueue(items, batch)
        return n / (time.perf_counter() - started)

    def measure_process(self, n: int) -> float:
        """Tasks processed per second from a backlog of ``n``, worker start included."""
        self.reset()
        self.enqueue(payloads(n), 500)
        TALLY.reset(n)
        started = time.perf_counter()
        self.start()
        finished = TALLY.wait(DRAIN_TIMEOUT)
        elapsed = time.perf_counter() - started
        self.stop()
        if not finished:
            raise TimeoutError(f"{self.name}: {TALLY.count} of {n} tasks ran")
        return n / elapsed

    def measure_latency(self, n: int, rate: float) -> tuple[float, float]:
        """Enqueue→start p50 and p99 in milliseconds, one task at a time at ``rate`` per second."""
        self.reset()
        TALLY.reset(n)
        self.start()
        time.sleep(0.3)  # let the workers settle into their idle wait
        interval = 1.0 / rate
        begin = time.monotonic()
        for i in range(n):
            delay = begin + i * interval - time.monotonic()
            if delay > 0:
                time.sleep(delay)
            self.enqueue([{"i": i, "t": time.monotonic()}], 1)
        finished = TALLY.wait(DRAIN_TIMEOUT)
        self.stop()
        if not finished:
            raise TimeoutError(f"{self.name}: {TALLY.count} of {n} tasks ran")
        lat = [x * 1000 for x in TALLY.latencies]
        return percentile(lat, 50), percentile(lat, 99)
