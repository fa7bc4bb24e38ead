"""The handler the dashboard's end-to-end tests add to their servers (``PYQUEUE_TASK_MODULES``).

``HOLD`` runs until it is cancelled (or a minute passes), so that a test can find a task
INPROGRESS, or every worker busy, however slowly the machine runs: a demo task that runs for a
set time may already have ended when a slow browser gets to it.
"""

from __future__ import annotations

from typing import Any

from pyqueue import TaskContext, task

HOLD_SECONDS = 60.0


@task("HOLD", description="End-to-end tests: runs until cancelled (a minute at most)")
def hold(payload: Any, ctx: TaskContext) -> None:
    ctx.sleep(HOLD_SECONDS)
