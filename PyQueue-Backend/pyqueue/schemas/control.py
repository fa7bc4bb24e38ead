"""DTOs of the control routes: the attempt history of a task and the pause state of the queue."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

from pyqueue.models.control import AttemptOutcome


class AttemptOut(BaseModel):
    number: int = Field(
        description="The task's attempt count when it started (restarts at 1 after a manual "
        "retry; an INTERRUPTED attempt did not count, so the next one has the same number)"
    )
    started_at: datetime
    finished_at: datetime | None = Field(description="None while it runs")
    worker: str = Field(description="The process that ran it: host:pid:random")
    outcome: AttemptOutcome = Field(
        description="RUNNING until it ends; RETRY: it failed and another attempt is scheduled; "
        "LEASE_EXPIRED: its process died or hung and crash recovery ended it; INTERRUPTED: "
        "stopped by a shutdown, not counted"
    )
    error: str | None
    traceback: str | None = Field(
        description="The last lines (at most 20, 4 KB) of a failed handler's traceback"
    )


class QueueStateOut(BaseModel):
    paused: bool = Field(description="True while the whole queue is paused: nothing is claimed")
    paused_at: datetime | None
    paused_types: list[str] = Field(description="Task types paused one by one")
