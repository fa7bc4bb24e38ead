"""Handlers the tests register through ``PYQUEUE_TASK_MODULES`` (the custom-handler path)."""

from __future__ import annotations

import queue
import threading
from collections import Counter
from typing import Any

from pyqueue import TaskContext, task

runs: Counter[str] = Counter()
runs_lock = threading.Lock()
started: queue.Queue[str] = queue.Queue()
release = threading.Event()


@task("ECHO", description="Returns its payload")
def echo(payload: Any, ctx: TaskContext) -> Any:
    return {"echo": payload, "attempt": ctx.attempt}


@task("COUNT", description="Counts how often each payload ran")
def count(payload: Any, ctx: TaskContext) -> Any:
    with runs_lock:
        runs[str(payload)] += 1
    return None


@task("FLAKY", description="Fails until its third attempt")
def flaky(payload: Any, ctx: TaskContext) -> Any:
    if ctx.attempt < 3:
        raise ValueError(f"flaky failure {ctx.attempt}")
    return {"attempt": ctx.attempt}


@task("CRASH", description="Raises an unexpected exception")
def crash(payload: Any, ctx: TaskContext) -> Any:
    raise KeyError("boom")


@task("BLOCK", description="Runs until released or cancelled")
def block(payload: Any, ctx: TaskContext) -> Any:
    started.put(ctx.task_id)
    while not release.is_set():
        ctx.sleep(0.005)
    return "released"


@task("NAP", description="Runs for payload seconds")
def nap(payload: Any, ctx: TaskContext) -> Any:
    ctx.sleep(float(payload))
    return None


@task("NOTJSON", description="Returns something that is not JSON")
def not_json(payload: Any, ctx: TaskContext) -> Any:
    return {1, 2} if payload == "set" else float("nan")


running_now: set[str] = set()
overlaps: list[str] = []


@task("RACE", description="Fails after a moment; records overlapping runs of one task")
def race(payload: Any, ctx: TaskContext) -> Any:
    with runs_lock:
        if ctx.task_id in running_now:
            overlaps.append(ctx.task_id)
        running_now.add(ctx.task_id)
        runs[ctx.task_id] += 1
    try:
        ctx.sleep(0.001)
        raise RuntimeError("race task fails")
    finally:
        with runs_lock:
            running_now.discard(ctx.task_id)


def reset() -> None:
    """Forget every run and block ``BLOCK`` handlers again (before each test)."""
    release.clear()
    with runs_lock:
        runs.clear()
        overlaps.clear()
        running_now.clear()
    while not started.empty():
        started.get_nowait()
