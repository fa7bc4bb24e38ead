"""PyQueue itself, in-process: ``build_queue`` with the memory, SQLite or PostgreSQL store."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any, ClassVar

from bench.servers import fresh_database
from bench.systems.base import System
from bench.tally import body
from pyqueue import NewTask, Queue, Settings, TaskContext, build_queue, task
from pyqueue.system.worker import worker_factory

TYPE = "BENCH"
WORKERS = 8


class PyQueueSystem(System):
    store: ClassVar[str]
    concurrency = f"{WORKERS} worker threads (the default)"

    def database_url(self) -> str:
        raise NotImplementedError

    def setup(self, kind: str) -> None:
        def handler(payload: Any, ctx: TaskContext) -> None:
            body(kind, payload)

        task(TYPE, description="benchmark task")(handler)
        self.url = self.database_url()
        settings = Settings(
            database_url=self.url, workers=WORKERS, log_level="WARNING", static_dir=None
        )
        self.queue = build_queue(settings)
        self._fresh = True

    def reset(self) -> None:
        if not self._fresh:
            old = self.queue
            self.queue = Queue(old.store, worker_factory, old.registry, old.config)
        self.queue.store.clear()
        self._fresh = True

    def enqueue(self, items: list[dict[str, Any]], batch: int) -> None:
        queue = self.queue
        if batch == 1:
            for item in items:
                queue.enqueue(TYPE, item)
            return
        for start in range(0, len(items), batch):
            queue.enqueue_many([NewTask(TYPE, item) for item in items[start : start + batch]])

    def start(self) -> None:
        self._fresh = False
        self.queue.start()

    def stop(self) -> None:
        self.queue.wait_idle(timeout=30)
        self.queue.stop()

    def close(self) -> None:
        self.queue.close()


class PyQueueMemory(PyQueueSystem):
    name = "pyqueue-memory"

    def database_url(self) -> str:
        return "memory://"


class PyQueueSqlite(PyQueueSystem):
    name = "pyqueue-sqlite"
    size_factor = 0.5

    def database_url(self) -> str:
        self._dir = tempfile.TemporaryDirectory(prefix="pyqueue-bench-")
        return f"sqlite:///{Path(self._dir.name) / 'bench.db'}"

    def close(self) -> None:
        super().close()
        self._dir.cleanup()


class PyQueuePostgres(PyQueueSystem):
    name = "pyqueue-postgres"
    size_factor = 0.25

    def database_url(self) -> str:
        return fresh_database(self.name)
