"""``procrastinate --app=bench.deployed.procrastinate_worker.app worker``: a no-op task."""

from __future__ import annotations

import os
from typing import Any

import procrastinate

app = procrastinate.App(connector=procrastinate.PsycopgConnector(conninfo=os.environ["BENCH_DSN"]))


@app.task(name="bench")
async def bench(payload: Any) -> None:
    """Does nothing: the benchmark measures the queue."""
