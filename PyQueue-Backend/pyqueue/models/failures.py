"""Dead letters: FAILED tasks grouped by their error, and editing a failed task's payload.

A failure's *group* is its task type and the first line of its ``last_error`` (a traceback's
later lines, or a message's details on further lines, do not split a group). Every store groups
with the same rule, in SQL or in Python, so "retry this group" retries exactly the tasks counted.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from pyqueue.enums import TaskStatus
from pyqueue.errors import InvalidTaskState
from pyqueue.models.task import Task

MAX_FAILURE_GROUPS = 200
"""The most groups one listing returns (the largest first)."""


def error_group(error: str | None) -> str | None:
    """The part of an error that names its group: the text before the first line break."""
    return None if error is None else error.split("\n", 1)[0]


@dataclass(frozen=True, slots=True)
class FailureGroup:
    """FAILED tasks of one type whose errors share their first line."""

    error: str | None
    t_type: str
    count: int
    latest_at: datetime
    """When the most recent of them failed (its ``finished_at``, else ``updated_at``)."""


def sort_groups(groups: list[FailureGroup], limit: int) -> list[FailureGroup]:
    """The order every store answers in: most tasks first, then the latest failure first."""
    ordered = sorted(
        groups, key=lambda g: (-g.count, -g.latest_at.timestamp(), g.t_type, g.error or "")
    )
    return ordered[:limit]


def with_payload(task: Task, payload: Any, now: datetime) -> Task:
    """A FAILED or CANCELLED task with a new payload (to be retried by hand after); any other
    status is :class:`InvalidTaskState` (a queued or running task must not change under a
    worker)."""
    if task.status not in (TaskStatus.FAILED, TaskStatus.CANCELLED):
        raise InvalidTaskState(
            f"Job {task.t_id} is {task.status.value}: only FAILED or CANCELLED jobs can have "
            "their payload edited"
        )
    return replace(task, payload=payload, updated_at=now)
