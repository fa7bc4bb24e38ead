"""Dramatiq with its stub (in-memory) and Redis brokers; one worker with 8 threads (its default)."""

from __future__ import annotations

import logging
from typing import Any

from bench.servers import REDIS_URL
from bench.systems.base import NotSupported, System
from bench.tally import body

THREADS = 8


class DramatiqSystem(System):
    concurrency = f"Worker with {THREADS} threads (the default)"

    def make_broker(self) -> Any:
        raise NotImplementedError

    def setup(self, kind: str) -> None:
        import dramatiq

        logging.getLogger("dramatiq").setLevel(logging.WARNING)
        self.broker = self.make_broker()
        dramatiq.set_broker(self.broker)

        def bench_task(payload: Any) -> None:
            body(kind, payload)

        decorate = dramatiq.actor(
            actor_name="bench", queue_name="bench", broker=self.broker, max_retries=0
        )
        self.actor = decorate(bench_task)

    def reset(self) -> None:
        self.broker.flush_all()

    def measure_enqueue(self, n: int, batch: int) -> float:
        if batch > 1:
            raise NotSupported("Dramatiq has no batch enqueue")
        return super().measure_enqueue(n, batch)

    def enqueue(self, items: list[dict[str, Any]], batch: int) -> None:
        send = self.actor.send
        for item in items:
            send(item)

    def start(self) -> None:
        from dramatiq import Worker

        self.worker = Worker(self.broker, worker_threads=THREADS)
        self.worker.start()

    def stop(self) -> None:
        self.worker.stop()

    def close(self) -> None:
        self.broker.close()


class DramatiqStub(DramatiqSystem):
    name = "dramatiq-stub"

    def make_broker(self) -> Any:
        from dramatiq.brokers.stub import StubBroker

        broker = StubBroker()
        broker.emit_after("process_boot")
        return broker


class DramatiqRedis(DramatiqSystem):
    name = "dramatiq-redis"
    size_factor = 0.5

    def make_broker(self) -> Any:
        from dramatiq.brokers.redis import RedisBroker

        return RedisBroker(url=REDIS_URL)  # type: ignore[no-untyped-call]
