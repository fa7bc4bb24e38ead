"""The task record and its allowed transitions.

A :class:`Task` is an immutable snapshot: stores hand out copies and replace them whole under their
own lock or transaction, so a reader never sees a half-updated task.
"""

from __future__ import annotations

import json
import os
import threading
import time
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any, cast

from pyqueue.enums import TaskStatus
from pyqueue.errors import InvalidTaskState
from pyqueue.models.frozen import draft_class

JSON = Any
"""Any JSON-serialisable value (payloads and results)."""

_CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
_DIGIT_PAIRS = [high + low for high in _CROCKFORD for low in _CROCKFORD]
_MILLIS_SHIFTS = range(40, -1, -10)
_RANDOM_SHIFTS = range(70, -1, -10)
_id_lock = threading.Lock()
_last_ms = 0
_last_rand = 0
_last_ms_digits = ""
_STRICT = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False, allow_nan=False)
"""Made once: ``json.dumps`` with options builds an encoder on every call."""


def strict_json(value: JSON) -> bytes:
    """``value`` as compact UTF-8 JSON; ``ValueError``/``TypeError`` when JSON cannot carry it
    faithfully (NaN, Infinity, lone surrogates, objects that are not JSON). Never pickles."""
    return strict_json_text(value).encode()


def strict_json_text(value: JSON) -> str:
    """:func:`strict_json` as text; ``.encode()`` raises on a lone surrogate."""
    return _STRICT.encode(value)


def utcnow() -> datetime:
    return datetime.now(UTC)


def _ulid(millis: int, rand: int) -> str:
    """The 26 Crockford base32 digits of 48 bits of ``millis`` then 80 bits of ``rand``: the 130-bit
    number (two leading zero bits) read as 13 ten-bit pieces, each looked up as two digits. The
    first five pieces hold only ``millis`` and the last eight only ``rand``."""
    return _millis_digits(millis) + _random_digits(rand)


def _millis_digits(millis: int) -> str:
    millis &= 0xFFFF_FFFF_FFFF
    return "".join([_DIGIT_PAIRS[millis >> shift & 1023] for shift in _MILLIS_SHIFTS])


def _random_digits(rand: int) -> str:
    return "".join([_DIGIT_PAIRS[rand >> shift & 1023] for shift in _RANDOM_SHIFTS])


def new_task_id() -> str:
    """Return ``Task-`` and a ULID: 48 bits of milliseconds then 80 random bits.

    Ids sort by creation time, are unique across processes and restarts (the random part), and are
    strictly increasing within one process (the random part is incremented inside a millisecond).
    """
    return new_task_ids(1)[0]


def new_task_ids(count: int) -> list[str]:
    """``count`` ids as :func:`new_task_id` makes them one by one (a batch takes the lock once)."""
    global _last_ms, _last_rand, _last_ms_digits
    with _id_lock:
        ms = time.time_ns() // 1_000_000
        if ms <= _last_ms:
            rand = _last_rand + 1
        else:
            rand = int.from_bytes(os.urandom(10), "big") >> 1  # leave room to increment
            _last_ms, _last_ms_digits = ms, _millis_digits(ms)
        _last_rand = rand + count - 1
        prefix = "Task-" + _last_ms_digits
    if count == 1:
        return [prefix + _random_digits(rand)]
    # Consecutive numbers differ in their low 20 bits (the last four digits) but for a carry:
    # the digits above are made once per carry rather than once per id.
    ids = []
    high, above = -1, ""
    for r in range(rand, rand + count):
        if r >> 20 != high:
            high = r >> 20
            above = prefix + _random_digits(r)[:-4]
        ids.append(above + _DIGIT_PAIRS[r >> 10 & 1023] + _DIGIT_PAIRS[r & 1023])
    return ids


def task_id_from(millis: int, rand: int) -> str:
    """A task id (``Task-`` and a ULID) from its two parts: milliseconds and 80 bits."""
    return "Task-" + _ulid(millis, rand)


@dataclass(frozen=True, slots=True)
class Task:
    """One unit of work: ``t_id`` is its id, ``t_type`` the name of its handler."""

    t_id: str
    t_type: str
    payload: JSON
    status: TaskStatus
    attempts: int
    max_retries: int
    created_at: datetime
    updated_at: datetime
    started_at: datetime | None = None
    finished_at: datetime | None = None
    next_run_at: datetime | None = None
    last_error: str | None = None
    result: JSON = None
    cancel_requested: bool = False
    lease_id: str | None = None
    lease_expires_at: datetime | None = field(default=None, compare=False)
    priority: int = 0
    """Higher is claimed first; FIFO within a priority. Kept by every transition (retries too)."""
    timeout_seconds: float | None = None
    """How long one attempt may run before it is cancelled and fails (None: no limit)."""
    idempotency_key: str | None = None
    """While this task exists, enqueueing the same key returns it instead of a new task."""
    progress: float | None = None
    """What the running (or last) attempt reported with ``ctx.progress``: 0.0 to 1.0."""
    progress_message: str | None = None

    @classmethod
    def create(
        cls,
        t_type: str,
        payload: JSON,
        max_retries: int,
        priority: int = 0,
        run_at: datetime | None = None,
        *,
        timeout_seconds: float | None = None,
        idempotency_key: str | None = None,
        t_id: str | None = None,
        now: datetime | None = None,
    ) -> Task:
        """A new QUEUED task; with ``run_at`` it is delayed: ``next_run_at`` is set and no claim
        takes it before then. ``t_id`` and ``now`` default to a new id and the current time (a
        batch passes its own: ids from :func:`new_task_ids`, one time for all)."""
        if now is None:
            now = utcnow()
        # Every field by position, in the class's order (enqueue's hot path makes one per task)
        return build_task(
            new_task_id() if t_id is None else t_id,
            t_type,
            payload,
            TaskStatus.QUEUED,
            0,  # attempts
            max_retries,
            now,  # created_at
            now,  # updated_at
            None,  # started_at
            None,  # finished_at
            run_at,  # next_run_at
            None,  # last_error
            None,  # result
            False,  # cancel_requested
            None,  # lease_id
            None,  # lease_expires_at
            priority,
            timeout_seconds,
            idempotency_key,
            None,  # progress
            None,  # progress_message
        )

    @property
    def retries_left(self) -> bool:
        """Whether a failed attempt may be followed by another (``max_retries`` counts retries)."""
        return self.attempts <= self.max_retries

    def claimed(self, lease_id: str, lease_expires_at: datetime, now: datetime) -> Task:
        """QUEUED → INPROGRESS for one more attempt."""
        # Every field by position, in the class's order: a claim and an end make one each per task
        return build_task(
            self.t_id,
            self.t_type,
            self.payload,
            TaskStatus.INPROGRESS,
            self.attempts + 1,
            self.max_retries,
            self.created_at,
            now,  # updated_at
            now,  # started_at
            self.finished_at,
            None,  # next_run_at
            self.last_error,
            self.result,
            self.cancel_requested,
            lease_id,
            lease_expires_at,
            self.priority,
            self.timeout_seconds,
            self.idempotency_key,
            None,  # progress
            None,  # progress_message
        )

    def finished(self, outcome: Outcome, now: datetime) -> Task:
        """INPROGRESS → the outcome's status; the lease is released."""
        return build_task(
            self.t_id,
            self.t_type,
            self.payload,
            outcome.status,
            self.attempts - 1 if outcome.refund_attempt else self.attempts,
            self.max_retries,
            self.created_at,
            now,  # updated_at
            self.started_at,
            now if outcome.status.is_final else None,  # finished_at
            outcome.next_run_at,
            outcome.error if outcome.error is not None else self.last_error,
            outcome.result,
            False,  # cancel_requested
            None,  # lease_id
            None,  # lease_expires_at
            self.priority,
            self.timeout_seconds,
            self.idempotency_key,
            self.progress,
            self.progress_message,
        )

    def lease_lost(self, now: datetime) -> Task:
        """An INPROGRESS task whose lease ran out: the attempt counts as failed."""
        error = f"Lease expired during attempt {self.attempts}: the worker stopped or hung"
        if self.cancel_requested:
            return self.finished(Outcome(TaskStatus.CANCELLED, error=error), now)
        if self.retries_left:
            return self.finished(Outcome(TaskStatus.QUEUED, error=error), now)
        return self.finished(Outcome(TaskStatus.FAILED, error=error), now)

    def requeued(self, now: datetime, max_retries: int | None = None) -> Task:
        """A manual retry: FAILED/CANCELLED → QUEUED with a fresh retry budget, same id."""
        return replace(
            self,
            status=TaskStatus.QUEUED,
            attempts=0,
            max_retries=self.max_retries if max_retries is None else max_retries,
            updated_at=now,
            started_at=None,
            finished_at=None,
            next_run_at=None,
            cancel_requested=False,
            result=None,
            progress=None,
            progress_message=None,
        )

    def with_lease(self, lease_expires_at: datetime) -> Task:
        return replace(self, lease_expires_at=lease_expires_at)

    def with_progress(self, progress: float, message: str | None, now: datetime) -> Task:
        """What the running attempt reported (the store fences it by the lease)."""
        return replace(self, progress=progress, progress_message=message, updated_at=now)

    def cancel_flagged(self, now: datetime) -> Task:
        """An INPROGRESS task whose worker is asked to stop."""
        return replace(self, cancel_requested=True, updated_at=now)

    def cancel(self, now: datetime) -> Task:
        """A cancel request: QUEUED → CANCELLED at once; INPROGRESS → its worker is told to stop."""
        if self.status is TaskStatus.QUEUED:
            return self.cancelled(now)
        if self.status is TaskStatus.INPROGRESS:
            return self.cancel_flagged(now)
        raise InvalidTaskState(self.cancel_refusal())

    def retry_by_hand(self, now: datetime) -> Task:
        """A manual retry, only from FAILED or CANCELLED (so never racing a running attempt)."""
        if self.status not in (TaskStatus.FAILED, TaskStatus.CANCELLED):
            raise InvalidTaskState(self.requeue_refusal())
        return self.requeued(now)

    def cancel_refusal(self) -> str:
        return (
            f"Job {self.t_id} is {self.status.value}: "
            "only QUEUED or INPROGRESS jobs can be cancelled"
        )

    def requeue_refusal(self) -> str:
        if self.status is TaskStatus.QUEUED and self.next_run_at is not None:
            why = (
                "it is already waiting for its automatic retry"
                if self.attempts
                else "it is already waiting for its scheduled time"
            )
        elif self.status is TaskStatus.QUEUED:
            why = "it is already queued"
        elif self.status is TaskStatus.INPROGRESS:
            why = "it is running now"
        else:
            why = "it completed successfully"
        return (
            f"Job {self.t_id} cannot be retried: {why} (status {self.status.value}); "
            "only FAILED or CANCELLED jobs can be retried"
        )

    def cancelled(self, now: datetime) -> Task:
        """A QUEUED task cancelled before it ran."""
        return replace(
            self,
            status=TaskStatus.CANCELLED,
            updated_at=now,
            finished_at=now,
            next_run_at=None,
            cancel_requested=False,
        )


_TaskDraft = draft_class(Task)


def build_task(
    t_id: str,
    t_type: str,
    payload: JSON,
    status: TaskStatus,
    attempts: int,
    max_retries: int,
    created_at: datetime,
    updated_at: datetime,
    started_at: datetime | None,
    finished_at: datetime | None,
    next_run_at: datetime | None,
    last_error: str | None,
    result: JSON,
    cancel_requested: bool,
    lease_id: str | None,
    lease_expires_at: datetime | None,
    priority: int,
    timeout_seconds: float | None,
    idempotency_key: str | None,
    progress: float | None,
    progress_message: str | None,
) -> Task:
    """``Task(...)`` with every field by position, in a fifth of its time (see
    :mod:`pyqueue.models.frozen`): enqueue makes one per task, a claim and an end one each, and a
    SQL store one per row it reads."""
    made: Any = _TaskDraft()
    made.t_id = t_id
    made.t_type = t_type
    made.payload = payload
    made.status = status
    made.attempts = attempts
    made.max_retries = max_retries
    made.created_at = created_at
    made.updated_at = updated_at
    made.started_at = started_at
    made.finished_at = finished_at
    made.next_run_at = next_run_at
    made.last_error = last_error
    made.result = result
    made.cancel_requested = cancel_requested
    made.lease_id = lease_id
    made.lease_expires_at = lease_expires_at
    made.priority = priority
    made.timeout_seconds = timeout_seconds
    made.idempotency_key = idempotency_key
    made.progress = progress
    made.progress_message = progress_message
    made.__class__ = Task
    return cast(Task, made)


@dataclass(frozen=True, slots=True)
class Outcome:
    """How one attempt ended, as the worker reports it to the store."""

    status: TaskStatus
    result: JSON = None
    error: str | None = None
    next_run_at: datetime | None = None
    refund_attempt: bool = False
    """The attempt was interrupted (shutdown) rather than failed: it does not count."""
    traceback: str | None = None
    """The last lines of a failed attempt's traceback, kept in its attempt history."""
