"""Handlers of the servers the client tests start
(``PYQUEUE_TASK_MODULES=tests.client.handlers``)."""

from __future__ import annotations

from typing import Any

from pyqueue import TaskContext, task


@task("ECHO", description="Returns its payload")
def echo(payload: Any, ctx: TaskContext) -> Any:
    return {"echo": payload}


@task("SLOW", description="Works for payload['ms'] milliseconds, then returns")
def slow(payload: Any, ctx: TaskContext) -> Any:
    ctx.sleep(float(payload.get("ms", 0)) / 1000)
    return {"slept_ms": payload.get("ms", 0)}


@task("HOLD", description="Runs until cancelled")
def hold(payload: Any, ctx: TaskContext) -> Any:
    while True:
        ctx.sleep(0.01)


@task("FAIL", description="Raises with payload['message']")
def fail(payload: Any, ctx: TaskContext) -> Any:
    raise RuntimeError(str(payload.get("message", "failed on purpose")))


@task("PARKED", description="Enqueued with a delay by the tests, so that it stays QUEUED")
def parked(payload: Any, ctx: TaskContext) -> Any:
    return None
