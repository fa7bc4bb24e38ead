"""Handlers for the control tests (timeouts, progress), registered through PYQUEUE_TASK_MODULES."""

from __future__ import annotations

import queue
import threading
from typing import Any

from pyqueue import TaskContext, task

started: queue.Queue[str] = queue.Queue()
unstick = threading.Event()
"""Lets every ``STUCK`` handler return."""
gate = threading.Event()
"""Lets every ``STEPS`` handler go on after its first report."""
stuck_returned = threading.Event()


@task("SLEEPY", description="Sleeps cooperatively for payload seconds")
def sleepy(payload: Any, ctx: TaskContext) -> Any:
    started.put(ctx.task_id)
    ctx.sleep(float(payload))
    return "slept"


@task("TIMED", description="Sleeps for payload seconds; times out after 0.2 s", timeout=0.2)
def timed(payload: Any, ctx: TaskContext) -> Any:
    ctx.sleep(float(payload))
    return "in time"


@task("STUCK", description="Ignores cancellation until the test lets it go")
def stuck(payload: Any, ctx: TaskContext) -> Any:
    started.put(ctx.task_id)
    unstick.wait(60)
    stuck_returned.set()
    return "late"


@task("STEPS", description="Reports half, waits for the gate, reports done")
def steps(payload: Any, ctx: TaskContext) -> Any:
    ctx.progress(0.5, "half way")
    started.put(ctx.task_id)
    while not gate.is_set():
        ctx.sleep(0.005)
    ctx.progress(1.0, "done")
    return "stepped"


@task("BADPROGRESS", description="Reports a progress out of range")
def bad_progress(payload: Any, ctx: TaskContext) -> Any:
    ctx.progress(payload)
    return "unreachable"


def reset() -> None:
    unstick.clear()
    gate.clear()
    stuck_returned.clear()
    while not started.empty():
        started.get_nowait()


def release() -> None:
    unstick.set()
    gate.set()
