"""``pgq run bench.deployed.pgq_worker:create``: pgqueuer's own CLI, a no-op entrypoint."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from pgqueuer import PgQueuer
from pgqueuer.models import Job


@asynccontextmanager
async def create() -> AsyncIterator[PgQueuer]:
    import asyncpg  # type: ignore[import-untyped]

    connection = await asyncpg.connect(os.environ["BENCH_DSN"])
    pgq = PgQueuer.from_asyncpg_connection(connection)

    @pgq.entrypoint("bench")
    async def bench(job: Job) -> None:
        """Does nothing: the benchmark measures the queue."""

    try:
        yield pgq
    finally:
        await connection.close()
