"""Handlers for PyQueue servers started by the benchmark (``PYQUEUE_TASK_MODULES``)."""

from __future__ import annotations

from typing import Any

from pyqueue import TaskContext, task


@task("BENCH", description="Benchmark no-op")
def bench_noop(payload: Any, ctx: TaskContext) -> None:
    """Does nothing: the benchmark measures the queue, not the work."""
