"""Handlers of the dead-letter, retention and async-handler tests (``PYQUEUE_TASK_MODULES``)."""

from __future__ import annotations

import asyncio
import threading
from typing import Any

from pyqueue import TaskContext, task

async_started = threading.Event()


@task("VALIDATE", description="Fails unless its payload has ok: true")
def validate(payload: Any, ctx: TaskContext) -> Any:
    if not (isinstance(payload, dict) and payload.get("ok") is True):
        raise ValueError(f"payload needs ok: true\ngot {payload!r}")
    return {"valid": payload}


@task("AECHO", description="An async handler that returns its payload")
async def async_echo(payload: Any, ctx: TaskContext) -> Any:
    await asyncio.sleep(0)
    return {"echo": payload, "attempt": ctx.attempt}


@task("AFAIL", description="An async handler that raises")
async def async_fail(payload: Any, ctx: TaskContext) -> Any:
    await asyncio.sleep(0)
    raise RuntimeError("async failure")


@task("ASLEEP", description="An async handler that sleeps with ctx.asleep until cancelled")
async def async_sleep(payload: Any, ctx: TaskContext) -> Any:
    async_started.set()
    await ctx.asleep(60)
    return "woke"


@task("AWAIT", description="An async handler that awaits plain asyncio.sleep until cancelled")
async def async_wait(payload: Any, ctx: TaskContext) -> Any:
    async_started.set()
    await asyncio.sleep(60)
    return "woke"
