"""Handlers for the multi-process fault tests. Every run appends one line to a run log:
``<task id> <attempt> <pid>`` (small ``O_APPEND`` writes are atomic), so a test can count how often
each task ran, and where, across processes that it kills."""

from __future__ import annotations

import os
from typing import Any

from pyqueue import TaskContext, task


def _log_run(ctx: TaskContext) -> None:
    path = os.environ["PYQUEUE_TEST_RUNLOG"]
    line = f"{ctx.task_id} {ctx.attempt} {os.getpid()}\n".encode()
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    try:
        os.write(fd, line)
    finally:
        os.close(fd)


@task("WORK", description="Logs its run, then works for payload['ms'] milliseconds")
def work(payload: Any, ctx: TaskContext) -> Any:
    _log_run(ctx)
    ctx.sleep(float(payload.get("ms", 0)) / 1000)
    return {"pid": os.getpid()}


@task("HOLD", description="Logs its run, then runs until cancelled")
def hold(payload: Any, ctx: TaskContext) -> Any:
    _log_run(ctx)
    while True:
        ctx.sleep(0.01)
