"""What the stores share: the task columns, JSON encoding, claim order, named SQL files, and the
load → transition → save step of the manual actions.

Both SQL stores keep one row per task with the :class:`~pyqueue.models.task.Task` fields as columns
plus ``run_at``, the moment a QUEUED task became eligible (its retry time, else its last
transition). Claims take the highest ``priority`` first and, within a priority, the smallest
``run_at`` (then ``t_id``), so a retry that is due waits behind the tasks of its priority that were
ready before it and ahead of those that came after. A delayed task is QUEUED with ``next_run_at``
set, like a retry: its ``run_at`` is that time and no claim takes it before then.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib import resources
from typing import Any, LiteralString

from pyqueue.enums import TaskStatus
from pyqueue.models.failures import with_payload
from pyqueue.models.task import Task, build_task, utcnow

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
    "priority",
    "timeout_seconds",
    "idempotency_key",
    "progress",
    "progress_message",
)
"""The task columns, in the order of :class:`Task`'s fields."""

SELECT_LIST = ", ".join(COLUMNS)
WRITE_LIST = ", ".join((*COLUMNS, "run_at"))
UNCHANGING_COLUMNS = frozenset(
    {"t_id", "t_type", "payload", "max_retries", "created_at", "priority", "timeout_seconds"}
    | {"idempotency_key"}
)
TRANSITION_COLUMNS = tuple(c for c in (*COLUMNS, "run_at") if c not in UNCHANGING_COLUMNS)
"""The columns a claim, an attempt's end or a lease recovery may change (:meth:`Task.claimed`,
:meth:`Task.finished`, :meth:`Task.lease_lost`): never the type, payload, retries, priority,
timeout, key or creation time. An UPDATE that sets only these leaves the indexes on the others
alone (SQLite rewrites an index whenever its columns are SET, whether or not the value changes)
and does not encode the payload again: about 8% more tasks a second drained from SQLite."""


LEASE_BATCH = 256
"""The most lease ids :func:`lease_ids` is asked for at once, before a claim takes its lock."""


def lease_ids(count: int) -> list[str]:
    """``count`` new lease ids (32 hex digits, as ``uuid4().hex``) from one read of the OS's
    random source. A claim takes them before its lock: ``os.urandom`` lets go of the GIL, and a
    thread that does so holding a lock the other threads want makes them queue on it."""
    raw = os.urandom(16 * count).hex()
    return [raw[start : start + 32] for start in range(0, 32 * count, 32)]


def eligible_at(task: Task) -> datetime:
    """When ``task`` became (or becomes) eligible to be claimed, if it is QUEUED."""
    return task.next_run_at or task.updated_at


Row = tuple[Any, ...]


@dataclass(frozen=True, slots=True)
class RowCodec:
    """How a SQL store writes a task into its columns and reads it back: the columns in
    :data:`COLUMNS` order, then ``run_at``. Each store says how it keeps times and JSON."""

    stamp: Callable[[datetime | None], Any]
    """A time (or ``None``) as the store keeps it."""
    unstamp: Callable[[Any], datetime | None]
    """A stored time back as an aware UTC datetime (``None`` stays ``None``)."""
    encode: Callable[[Any], Any]
    """A JSON value (payload, result) as the store keeps it."""
    decode: Callable[[Any], Any]
    """A stored JSON value back as Python data."""

    def to_row(self, task: Task, payload_text: str | None = None) -> Row:
        """The row of ``task``; ``payload_text`` is its payload already encoded, for a codec
        whose ``encode`` makes JSON text (``None``: encode it here)."""
        stamp, encode = self.stamp, self.encode
        return (
            task.t_id,
            task.t_type,
            encode(task.payload) if payload_text is None else payload_text,
            task.status.value,
            task.attempts,
            task.max_retries,
            stamp(task.created_at),
            stamp(task.updated_at),
            stamp(task.started_at),
            stamp(task.finished_at),
            stamp(task.next_run_at),
            task.last_error,
            None if task.result is None else encode(task.result),
            task.cancel_requested,
            task.lease_id,
            stamp(task.lease_expires_at),
            task.priority,
            task.timeout_seconds,
            task.idempotency_key,
            task.progress,
            task.progress_message,
            stamp(eligible_at(task)),
        )

    def to_transition_row(self, task: Task) -> Row:
        """:data:`TRANSITION_COLUMNS`, then the id (an UPDATE's parameters)."""
        stamp = self.stamp
        return (
            task.status.value,
            task.attempts,
            stamp(task.updated_at),
            stamp(task.started_at),
            stamp(task.finished_at),
            stamp(task.next_run_at),
            task.last_error,
            None if task.result is None else self.encode(task.result),
            task.cancel_requested,
            task.lease_id,
            stamp(task.lease_expires_at),
            task.progress,
            task.progress_message,
            stamp(eligible_at(task)),
            task.t_id,
        )

    def from_row(self, row: Row) -> Task:
        unstamp = self.unstamp
        created, updated = unstamp(row[6]), unstamp(row[7])
        assert created is not None
        assert updated is not None
        return build_task(  # by position, a fifth of Task(...)'s cost: every claimed row is one
            row[0],  # t_id
            row[1],  # t_type
            self.decode(row[2]),  # payload
            TaskStatus(row[3]),
            row[4],  # attempts
            row[5],  # max_retries
            created,
            updated,
            unstamp(row[8]),  # started_at
            unstamp(row[9]),  # finished_at
            unstamp(row[10]),  # next_run_at
            row[11],  # last_error
            None if row[12] is None else self.decode(row[12]),  # result
            bool(row[13]),  # cancel_requested
            row[14],  # lease_id
            unstamp(row[15]),  # lease_expires_at
            row[16],  # priority
            row[17],  # timeout_seconds
            row[18],  # idempotency_key
            row[19],  # progress
            row[20],  # progress_message
        )


_COMPACT = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False)
"""Made once: ``json.dumps`` with options builds an encoder on every call."""


def dumps(value: Any) -> str:
    """Compact JSON text for payloads and results (never pickle)."""
    return _COMPACT.encode(value)


def literal(text: str) -> LiteralString:
    """SQL that comes from this package's own files (never from input)."""
    return text  # type checkers other than mypy check LiteralString


def read_sql(package: str, name: str) -> str:
    """The text of the file ``name`` (``folder/file.sql`` allowed) in ``package``."""
    node = resources.files(package)
    for part in name.split("/"):
        node = node.joinpath(part)
    return node.read_text(encoding="utf-8")


def sql_names(package: str, folder: str) -> list[str]:
    """The ``.sql`` files in ``folder`` of ``package``, in name order."""
    root = resources.files(package).joinpath(folder)
    return sorted(p.name for p in root.iterdir() if p.name.endswith(".sql"))


def load_queries(
    package: str, name: str = "queries.sql", placeholders: Mapping[str, str] | None = None
) -> dict[str, LiteralString]:
    """The statements of a named-query file: each follows a ``-- name: x`` line; ``{columns}``
    stands for the task column list, and each other key of ``placeholders`` for its value."""
    text = read_sql(package, name)
    parts = re.split(r"^-- name: (\w+)[ \t]*$", text, flags=re.MULTILINE)
    fills = {"{columns}": SELECT_LIST, **(placeholders or {})}
    queries = {}
    for query, body in zip(parts[1::2], parts[2::2], strict=True):
        sql = body.strip()
        for placeholder, value in fills.items():
            sql = sql.replace(placeholder, value)
        queries[query] = literal(sql)
    return queries


class ManualActions:
    """``request_cancel`` and ``requeue`` as one load → transition → save step.

    A store provides :meth:`_update_one`, which reads the task under its lock or transaction,
    applies the change (which may raise :class:`~pyqueue.errors.InvalidTaskState`) and saves it.
    """

    def _update_one(self, task_id: str, change: Callable[[Task], Task]) -> Task:
        raise NotImplementedError

    def request_cancel(self, task_id: str) -> Task:
        """QUEUED → CANCELLED; INPROGRESS → ``cancel_requested``; else InvalidTaskState."""
        return self._update_one(task_id, lambda task: task.cancel(utcnow()))

    def requeue(self, task_id: str) -> Task:
        """Manual retry: FAILED or CANCELLED → QUEUED with a fresh retry budget."""
        return self._update_one(task_id, lambda task: task.retry_by_hand(utcnow()))

    def edit_payload(self, task_id: str, payload: Any) -> Task:
        """Replace a FAILED or CANCELLED task's payload (then retry it by hand)."""
        return self._update_one(task_id, lambda task: with_payload(task, payload, utcnow()))


_CROCKFORD_VALUE = {c: i for i, c in enumerate("0123456789ABCDEFGHJKMNPQRSTVWXYZ")}


def ulid_time(task_id: str) -> datetime | None:
    """The creation millisecond in a ``Task-`` + ULID id (``None`` for any other id)."""
    if not task_id.startswith("Task-") or len(task_id) != 31:
        return None
    ms = 0
    for char in task_id[5:15]:
        value = _CROCKFORD_VALUE.get(char)
        if value is None:
            return None
        ms = ms * 32 + value
    return datetime.fromtimestamp(ms / 1000, UTC)
