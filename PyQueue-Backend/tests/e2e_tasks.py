"""The handlers the dashboard's end-to-end tests add to their servers (``PYQUEUE_TASK_MODULES``).

A demo task runs for a set time, so a slow browser may find it already ended; these wait for
the test instead. ``HOLD`` runs until it is cancelled, so a test can find a task INPROGRESS, or
every worker busy. ``STEPS`` reports its progress half way, then waits for the file its payload
names (the test creates it: the browser and the server share the machine) before it goes on.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from pyqueue import TaskContext, task

HOLD_SECONDS = 60.0
"""The longest either waits for the test."""

STEPS = 10


@task("HOLD", description="End-to-end tests: runs until cancelled (a minute at most)")
def hold(payload: Any, ctx: TaskContext) -> None:
    ctx.sleep(HOLD_SECONDS)


@task("STEPS", description="End-to-end tests: progress in ten steps, the last five once released")
def steps(payload: Any, ctx: TaskContext) -> dict[str, int]:
    release = Path(str(payload["release"]))
    deadline = time.monotonic() + HOLD_SECONDS
    for step in range(1, STEPS + 1):
        ctx.sleep(0.05)
        while step > STEPS // 2 and not release.exists():
            if time.monotonic() > deadline:
                raise TimeoutError(f"{release} did not appear within {HOLD_SECONDS:g} s")
            ctx.sleep(0.05)
        ctx.progress(step / STEPS, f"STEPS: step {step} of {STEPS}")
    return {"steps": STEPS}
