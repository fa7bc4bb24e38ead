"""pgqueuer: a QueueManager on asyncpg (its primary driver) with the default batch size (10).

Jobs are enqueued through pgqueuer's synchronous psycopg queries, as a web app would.
"""

from __future__ import annotations

import asyncio
import json
import logging
from typing import Any

from bench.servers import fresh_database
from bench.systems.aio import LoopThread
from bench.systems.base import System
from bench.tally import abody


class PgQueuer(System):
    name = "pgqueuer"
    size_factor = 0.25
    concurrency = "QueueManager on asyncpg, batch_size 10, no concurrency cap (the defaults)"

    def setup(self, kind: str) -> None:
        import psycopg
        from pgqueuer.queries import Queries

        logging.getLogger("pgqueuer").setLevel(logging.WARNING)
        self.kind = kind
        self.url = fresh_database(self.name)

        async def install() -> None:
            conn = await psycopg.AsyncConnection.connect(self.url, autocommit=True)
            await Queries.from_psycopg_connection(conn).install()
            await conn.close()

        asyncio.run(install())
        self.conn = psycopg.connect(self.url, autocommit=True)
        self.tables = [
            row[0]
            for row in self.conn.execute(
                "SELECT tablename FROM pg_tables WHERE tablename LIKE 'pgqueuer%'"
            )
        ]
        from pgqueuer.adapters.drivers.psycopg import SyncPsycopgDriver
        from pgqueuer.queries import SyncQueries

        self.queries = SyncQueries(SyncPsycopgDriver(self.conn))

    def reset(self) -> None:
        self.conn.execute("TRUNCATE " + ", ".join(self.tables))

    def enqueue(self, items: list[dict[str, Any]], batch: int) -> None:
        if batch == 1:
            for item in items:
                self.queries.enqueue("bench", json.dumps(item).encode())
            return
        for start in range(0, len(items), batch):
            chunk = items[start : start + batch]
            self.queries.enqueue(
                ["bench"] * len(chunk), [json.dumps(i).encode() for i in chunk], [0] * len(chunk)
            )

    def start(self) -> None:
        import asyncpg  # type: ignore[import-untyped]
        from pgqueuer.models import Job
        from pgqueuer.qm import QueueManager
        from pgqueuer.queries import Queries

        kind = self.kind
        holder: dict[str, QueueManager] = {}

        async def main() -> None:
            conn = await asyncpg.connect(self.url)
            manager = QueueManager(Queries.from_asyncpg_connection(conn))
            holder["qm"] = manager

            @manager.entrypoint("bench")
            async def bench_task(job: Job) -> None:
                await abody(kind, json.loads(job.payload or b"{}"))

            await manager.run()
            await conn.close()

        def on_stop() -> None:
            holder["qm"].shutdown.set()

        self.worker = LoopThread(main, on_stop)
        self.worker.start()

    def stop(self) -> None:
        self.worker.stop()

    def close(self) -> None:
        self.conn.close()
