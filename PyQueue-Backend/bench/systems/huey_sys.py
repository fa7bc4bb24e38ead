"""Huey with its memory, SQLite and Redis storages; the consumer runs 8 worker threads here."""

from __future__ import annotations

import logging
import tempfile
from pathlib import Path
from typing import Any, ClassVar

from bench.servers import REDIS_URL
from bench.systems.base import NotSupported, System
from bench.tally import body


class HueySystem(System):
    threads: ClassVar[int] = 8
    concurrency = "consumer with 8 worker threads (-k thread -w 8)"

    def make_huey(self) -> Any:
        raise NotImplementedError

    def setup(self, kind: str) -> None:
        logging.getLogger("huey").setLevel(logging.WARNING)
        self.huey = self.make_huey()

        def bench_task(payload: Any) -> None:
            body(kind, payload)

        self.task = self.huey.task(name="bench")(bench_task)

    def reset(self) -> None:
        self.huey.flush()

    def measure_enqueue(self, n: int, batch: int) -> float:
        if batch > 1:
            raise NotSupported("Huey has no batch enqueue")
        return super().measure_enqueue(n, batch)

    def enqueue(self, items: list[dict[str, Any]], batch: int) -> None:
        task = self.task
        for item in items:
            task(item)

    def start(self) -> None:
        self.consumer = self.huey.create_consumer(workers=self.threads, worker_type="thread")
        self.consumer.start()

    def stop(self) -> None:
        self.consumer.stop(graceful=True)


class HueyMemory(HueySystem):
    name = "huey-memory"

    def make_huey(self) -> Any:
        from huey import MemoryHuey  # type: ignore[import-untyped]

        return MemoryHuey("bench")


class HueyMemoryOneWorker(HueyMemory):
    name = "huey-memory-w1"
    threads = 1
    concurrency = "consumer with 1 worker thread (the default)"


class HueySqlite(HueySystem):
    name = "huey-sqlite"
    size_factor = 0.5

    def make_huey(self) -> Any:
        from huey import SqliteHuey

        self._dir = tempfile.TemporaryDirectory(prefix="huey-bench-")
        return SqliteHuey("bench", filename=str(Path(self._dir.name) / "huey.db"))

    def close(self) -> None:
        self._dir.cleanup()


class HueyRedis(HueySystem):
    name = "huey-redis"
    size_factor = 0.5

    def make_huey(self) -> Any:
        from huey import RedisHuey

        return RedisHuey("bench", url=REDIS_URL)
