"""``huey_consumer bench.deployed.huey_worker.huey``: Huey on the SQLite file in ``BENCH_DSN``."""

from __future__ import annotations

import os
from typing import Any

from huey import SqliteHuey  # type: ignore[import-untyped]

huey = SqliteHuey("bench", filename=os.environ["BENCH_DSN"])


@huey.task(name="bench")
def bench(payload: Any) -> None:
    """Does nothing: the benchmark measures the queue."""
