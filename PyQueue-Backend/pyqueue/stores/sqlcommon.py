"""What the SQL stores share: the column list, JSON encoding, claim order and SQL file loading.

Both SQL stores keep one row per task with the :class:`~pyqueue.models.task.Task` fields as columns
plus ``run_at``, the moment a QUEUED task became eligible (its retry time, else its last
transition). Claims take the smallest ``run_at`` first, so a retry that is due waits behind the
tasks that were ready before it and ahead of those that came after.
"""

from __future__ import annotations

import json
from datetime import datetime
from importlib import resources
from typing import Any

from pyqueue.models.task import Task

COLUMNS = (
    "t_id",
    "t_type",
    "payload",
    "status",
    "attempts",
    "max_retries",
    "created_at",
    "updated_at",
    "started_at",
    "finished_at",
    "next_run_at",
    "last_error",
    "result",
    "cancel_requested",
    "lease_id",
    "lease_expires_at",
)
"""The task columns, in the order of :class:`Task`'s fields."""

SELECT_LIST = ", ".join(COLUMNS)
WRITE_LIST = ", ".join((*COLUMNS, "run_at"))


def eligible_at(task: Task) -> datetime:
    """When ``task`` became (or becomes) eligible to be claimed, if it is QUEUED."""
    return task.next_run_at or task.updated_at


def dumps(value: Any) -> str:
    """Compact JSON text for payloads and results (never pickle)."""
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def read_sql(name: str) -> str:
    """The text of ``pyqueue/stores/sql/<name>``."""
    return resources.files("pyqueue.stores").joinpath("sql", name).read_text(encoding="utf-8")


def sql_names(folder: str) -> list[str]:
    """The ``.sql`` files of ``pyqueue/stores/sql/<folder>``, in name order."""
    root = resources.files("pyqueue.stores").joinpath("sql", folder)
    return sorted(p.name for p in root.iterdir() if p.name.endswith(".sql"))
