"""procrastinate on psycopg: one worker; concurrency 8 (its default is 1; 8 is faster here)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Any

from bench.servers import fresh_database
from bench.systems.aio import LoopThread
from bench.systems.base import System
from bench.tally import abody

CONCURRENCY = 8


class Procrastinate(System):
    name = "procrastinate"
    concurrency = f"one worker, concurrency {CONCURRENCY}"
    size_factor = 0.1

    def setup(self, kind: str) -> None:
        import procrastinate

        logging.getLogger("procrastinate").setLevel(logging.WARNING)
        self.kind = kind
        self.url = fresh_database(self.name)
        self.app = procrastinate.App(
            connector=procrastinate.SyncPsycopgConnector(conninfo=self.url)
        )
        self.task = self.app.task(name="bench")(_noop)
        self.app.open()
        self.app.schema_manager.apply_schema()

    def reset(self) -> None:
        self.app.connector.execute_query("TRUNCATE procrastinate_jobs CASCADE")

    def enqueue(self, items: list[dict[str, Any]], batch: int) -> None:
        if batch == 1:
            for item in items:
                self.task.defer(payload=item)
            return
        for start in range(0, len(items), batch):
            jobs: list[Any] = [{"payload": i} for i in items[start : start + batch]]
            self.task.batch_defer(*jobs)

    def start(self) -> None:
        import procrastinate

        kind = self.kind
        app = procrastinate.App(connector=procrastinate.PsycopgConnector(conninfo=self.url))

        @app.task(name="bench")
        async def bench_task(payload: Any) -> None:
            await abody(kind, payload)

        holder: dict[str, asyncio.Task[None]] = {}

        async def main() -> None:
            async with app.open_async():
                worker = asyncio.create_task(
                    app.run_worker_async(
                        concurrency=CONCURRENCY, install_signal_handlers=False, wait=True
                    )
                )
                holder["worker"] = worker
                with contextlib.suppress(asyncio.CancelledError):
                    await worker

        def on_stop() -> None:
            holder["worker"].cancel()

        self.worker = LoopThread(main, on_stop)
        self.worker.start()

    def stop(self) -> None:
        self.worker.stop()

    def close(self) -> None:
        self.app.close()


def _noop(payload: Any) -> None:
    """The producer's stand-in: the worker process registers the real task under this name."""
