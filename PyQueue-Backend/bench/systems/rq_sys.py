"""RQ: the standard worker forks a child per job; burst mode stops it when the queue is empty."""

from __future__ import annotations

import time
from typing import Any

from bench.servers import REDIS_URL
from bench.systems.base import NotSupported, System
from bench.tally import body


def bench_job(kind: str, payload: Any) -> None:
    body(kind, payload)


class RqSystem(System):
    name = "rq"
    concurrency = "one Worker, a forked child per job (the default)"
    size_factor = 0.05

    def setup(self, kind: str) -> None:
        from redis import Redis
        from rq import Queue

        self.kind = kind
        self.redis = Redis.from_url(REDIS_URL)
        self.queue = Queue("bench", connection=self.redis)

    def reset(self) -> None:
        self.redis.flushdb()

    def enqueue(self, items: list[dict[str, Any]], batch: int) -> None:
        from rq import Queue

        if batch == 1:
            for item in items:
                self.queue.enqueue(bench_job, self.kind, item)
            return
        for start in range(0, len(items), batch):
            chunk = items[start : start + batch]
            self.queue.enqueue_many([Queue.prepare_data(bench_job, (self.kind, i)) for i in chunk])

    def measure_process(self, n: int) -> float:
        from rq import Worker

        self.reset()
        self.enqueue([{"i": i} for i in range(n)], 500)
        worker = Worker([self.queue], connection=self.redis)
        started = time.perf_counter()
        worker.work(burst=True, logging_level="WARNING")
        elapsed = time.perf_counter() - started
        left = self.queue.count
        if left:
            raise RuntimeError(f"rq: {left} jobs left after the burst")
        return n / elapsed

    def measure_latency(self, n: int, rate: float) -> tuple[float, float]:
        raise NotSupported("jobs run in forked children; not measured")

    def close(self) -> None:
        self.redis.close()
