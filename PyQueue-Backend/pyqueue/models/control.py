"""Attempt history and pauses: what the stores record beside the tasks themselves.

Every claim opens an :class:`Attempt` (its number, when it started, which process ran it) in the
same transaction as the claim; the end of the attempt closes it in the transaction that records
the end, so the history never disagrees with the task. A pause is a row keyed by a task type, or by
:data:`QUEUE_KEY` for the whole queue: claims skip what is paused (enqueue still works).
"""

from __future__ import annotations

import traceback
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any, cast

from pyqueue.enums import TaskStatus
from pyqueue.enums.task_status import FINAL_STATUSES
from pyqueue.logs import redact
from pyqueue.models.frozen import draft_class
from pyqueue.models.task import Outcome

QUEUE_KEY = ""
"""The pause key of the whole queue: no task type is empty, so it can never name one."""

TRACEBACK_LINES = 20
TRACEBACK_BYTES = 4096
"""How much of a failed attempt's traceback is kept: its last lines, at most this many bytes."""


class AttemptOutcome(StrEnum):
    """How an attempt ended (``RUNNING`` while it has not)."""

    RUNNING = "RUNNING"
    COMPLETED = "COMPLETED"
    FAILED = "FAILED"
    RETRY = "RETRY"
    """It failed and another attempt is scheduled."""
    LEASE_EXPIRED = "LEASE_EXPIRED"
    """Its process stopped renewing the lease (it died or hung); crash recovery ended it."""
    CANCELLED = "CANCELLED"
    INTERRUPTED = "INTERRUPTED"
    """Stopped by a shutdown: it does not count, the task runs again with the same number."""


def outcome_kind(outcome: Outcome) -> AttemptOutcome:
    """The history's name for how an attempt ended, from the outcome the worker reported."""
    if outcome.status is TaskStatus.QUEUED:
        return AttemptOutcome.INTERRUPTED if outcome.refund_attempt else AttemptOutcome.RETRY
    return _KIND_OF_END[outcome.status]


_KIND_OF_END = {status: AttemptOutcome(status.value) for status in FINAL_STATUSES}
"""A final status's attempt outcome (a dict: an enum looked up by value costs more)."""


@dataclass(frozen=True, slots=True)
class Attempt:
    """One run of a task's handler."""

    task_id: str
    number: int
    """The task's attempt count when it started (restarts at 1 after a manual retry)."""
    started_at: datetime
    worker: str
    """The process that ran it (``host:pid:random``), as it reports its worker pool."""
    finished_at: datetime | None = None
    outcome: AttemptOutcome = AttemptOutcome.RUNNING
    error: str | None = None
    traceback: str | None = None

    @staticmethod
    def began(task_id: str, number: int, started_at: datetime, worker: str) -> Attempt:
        """The attempt a claim opens (still running)."""
        return _build(task_id, number, started_at, worker, None, AttemptOutcome.RUNNING, None, None)

    def ended(
        self, kind: AttemptOutcome, error: str | None, trace: str | None, now: datetime
    ) -> Attempt:
        return _build(
            self.task_id, self.number, self.started_at, self.worker, now, kind, error, trace
        )


_AttemptDraft = draft_class(Attempt)


def _build(
    task_id: str,
    number: int,
    started_at: datetime,
    worker: str,
    finished_at: datetime | None,
    outcome: AttemptOutcome,
    error: str | None,
    trace: str | None,
) -> Attempt:
    """``Attempt(...)`` by position (see :mod:`pyqueue.models.frozen`): the memory store makes
    one at each claim and one at each end."""
    made: Any = _AttemptDraft()
    made.task_id = task_id
    made.number = number
    made.started_at = started_at
    made.worker = worker
    made.finished_at = finished_at
    made.outcome = outcome
    made.error = error
    made.traceback = trace
    made.__class__ = Attempt
    return cast(Attempt, made)


def traceback_tail(exc: BaseException) -> str:
    """The last :data:`TRACEBACK_LINES` lines (at most :data:`TRACEBACK_BYTES` bytes) of the
    traceback of ``exc``, with credentials masked as in the logs."""
    text = "".join(traceback.format_exception(exc)).rstrip("\n")
    lines = text.split("\n")[-TRACEBACK_LINES:]
    tail = "\n".join(lines)
    encoded = tail.encode()
    if len(encoded) > TRACEBACK_BYTES:
        tail = encoded[-TRACEBACK_BYTES:].decode(errors="ignore")
        tail = tail.split("\n", 1)[1] if "\n" in tail else tail  # start at a whole line
    return redact(tail)


@dataclass(frozen=True, slots=True)
class Pause:
    """A paused task type (``name``) or the whole queue (``name == QUEUE_KEY``)."""

    name: str
    paused_at: datetime


@dataclass(frozen=True, slots=True)
class TypeState:
    """A task type as ``GET /api/types`` lists it: registered here, or only seen in the store
    (tasks of a handler this process does not load) or paused."""

    name: str
    description: str
    registered: bool
    tasks: int
    """How many tasks of this type the store holds, in any status."""
    paused_at: datetime | None = None

    @property
    def paused(self) -> bool:
        return self.paused_at is not None


@dataclass(frozen=True, slots=True)
class QueueState:
    """Whether the whole queue is paused, and which types are."""

    paused_at: datetime | None
    paused_types: list[str]

    @property
    def paused(self) -> bool:
        return self.paused_at is not None
