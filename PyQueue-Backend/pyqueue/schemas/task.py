"""Public DTOs of the REST API. Internal names (``t_id``) never appear here; ``t_type`` is the
request field clients have always sent (``type`` is accepted too)."""

from __future__ import annotations

import unicodedata
from datetime import datetime
from itertools import chain
from typing import Annotated, Literal

from pydantic import (
    AfterValidator,
    AliasChoices,
    AwareDatetime,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    JsonValue,
    model_validator,
)

from pyqueue.enums import TaskStatus
from pyqueue.models.handlers import MAX_TYPE_LENGTH
from pyqueue.models.values import (
    MAX_DELAY,
    MAX_IDEMPOTENCY_KEY,
    MAX_PRIORITY,
    MAX_TIMEOUT,
    MIN_PRIORITY,
)
from pyqueue.schemas.params import TaskId

MAX_BATCH = 1000
MAX_DELAY_SECONDS = int(MAX_DELAY.total_seconds())
MAX_TIMEOUT_SECONDS = int(MAX_TIMEOUT.total_seconds())
MAX_PAYLOAD_DEPTH = 64
"""How deeply a payload's arrays and objects may nest (deeper ones cannot be answered as JSON)."""


def limit_nesting(value: JsonValue) -> JsonValue:
    """Refuse a payload nested deeper than :data:`MAX_PAYLOAD_DEPTH`.

    One pass per level; the per-element work (``type``, flattening) runs at C speed: a small
    payload costs about a microsecond, a flat list of 100,000 numbers a few milliseconds.
    """
    level: list[JsonValue] = [value]
    depth = 0
    while True:
        kinds = set(map(type, level))
        if dict not in kinds and list not in kinds:
            return value
        depth += 1
        if depth > MAX_PAYLOAD_DEPTH:
            raise ValueError(f"nests deeper than {MAX_PAYLOAD_DEPTH} levels of arrays and objects")
        level = list(
            chain.from_iterable(
                item.values() if isinstance(item, dict) else item
                for item in level
                if isinstance(item, dict | list)
            )
        )


def no_control_characters(value: str) -> str:
    """Refuse text with a control character (an idempotency key is compared and shown as is)."""
    if any(unicodedata.category(c) == "Cc" for c in value):
        raise ValueError("must not contain control characters")
    return value


_ISO_TIME = "must be an ISO 8601 time with an offset, such as 2030-01-01T09:00:00Z"


def iso_time(value: object) -> object:
    """Only text (or a datetime) for a time: never a number of seconds, as text or not."""
    if isinstance(value, datetime):
        return value
    if not isinstance(value, str):
        raise ValueError(_ISO_TIME)
    try:
        float(value)
    except ValueError:
        return value  # pydantic parses it and requires its offset
    raise ValueError(_ISO_TIME)


class EnqueueRequest(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"payload": {"to": "ada@example.com"}, "t_type": "EMAIL"}]},
    )

    payload: Annotated[JsonValue, AfterValidator(limit_nesting)] = Field(
        description=f"Any JSON value nested at most {MAX_PAYLOAD_DEPTH} levels deep; "
        "handed to the task's handler"
    )
    t_type: str = Field(
        min_length=1,
        max_length=MAX_TYPE_LENGTH,
        validation_alias=AliasChoices("t_type", "type"),
        description="A registered task type (see GET /api/types), matched in any case; "
        "`type` is accepted too",
    )
    max_retries: int | None = Field(
        None,
        ge=0,
        le=100,
        strict=True,
        description="Retries after the first attempt (default from settings); an integer, "
        "never a boolean or a string",
    )
    priority: int = Field(
        0,
        ge=MIN_PRIORITY,
        le=MAX_PRIORITY,
        strict=True,
        description="Higher runs first; first in, first out within a priority. An integer, "
        "never a boolean or a string",
    )
    delay_seconds: float | None = Field(
        None,
        ge=0,
        le=MAX_DELAY_SECONDS,
        strict=True,
        allow_inf_nan=False,
        description="Run no sooner than this many seconds from now (the task waits QUEUED with "
        "`next_run_at` set); not with `run_at`",
    )
    run_at: Annotated[AwareDatetime, BeforeValidator(iso_time)] | None = Field(
        None,
        description="Run no sooner than this ISO 8601 time, which needs an offset (`Z` or "
        f"`+02:00`); a time already past runs now; at most {MAX_DELAY_SECONDS} seconds ahead; "
        "not with `delay_seconds`",
    )

    timeout_seconds: float | None = Field(
        None,
        gt=0,
        le=MAX_TIMEOUT_SECONDS,
        strict=True,
        allow_inf_nan=False,
        description="Cancel an attempt that runs longer than this many seconds; it then fails "
        "with `Timed out after N s` and the retry policy applies (default: the type's timeout, "
        "then PYQUEUE_DEFAULT_TIMEOUT, else none)",
    )
    idempotency_key: Annotated[str, AfterValidator(no_control_characters)] | None = Field(
        None,
        min_length=1,
        max_length=MAX_IDEMPOTENCY_KEY,
        description="While a task with this key exists (until it is deleted or purged), "
        "enqueueing the key again returns that task (200) instead of creating one (201)",
    )

    @model_validator(mode="after")
    def _one_way_to_delay(self) -> EnqueueRequest:
        if self.delay_seconds is not None and self.run_at is not None:
            raise ValueError("Give delay_seconds or run_at, not both")
        return self


class BatchEnqueueRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    tasks: list[EnqueueRequest] = Field(min_length=1, max_length=MAX_BATCH)


class TaskOut(BaseModel):
    id: str = Field(examples=["Task-01JDZ8Q3M4X7K2B9C5N6P8R0ST"])
    payload: JsonValue
    type: str
    status: TaskStatus
    attempts: int = Field(description="Attempts started so far")
    max_retries: int = Field(description="Retries allowed after the first attempt")
    created_at: datetime
    updated_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    next_run_at: datetime | None = Field(
        description="Set while QUEUED waiting for an automatic retry or for the time it was "
        "delayed to; it is not claimed before then"
    )
    last_error: str | None
    result: JsonValue
    cancel_requested: bool
    priority: int = Field(description="Higher runs first; FIFO within a priority")
    timeout_seconds: float | None = Field(
        description="The execution timeout of each attempt, in seconds (none: no limit)"
    )
    idempotency_key: str | None = Field(
        description="Enqueueing this key again returns this task while it exists"
    )
    progress: float | None = Field(
        description="0.0 to 1.0, as the running (or last) attempt reported it; null before any"
    )
    progress_message: str | None = Field(description="What the attempt said with its progress")


class BatchItemOut(TaskOut):
    created: bool = Field(
        description="False when a task with the item's idempotency_key existed: this is it"
    )


class MessageOut(BaseModel):
    message: str


class DeletedOut(MessageOut):
    id: str


class ClearedOut(MessageOut):
    removed: int


class RetriedOut(MessageOut):
    count: int


class BulkRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    action: Literal["retry", "cancel", "delete"]
    ids: list[TaskId] = Field(min_length=1, max_length=MAX_BATCH)


class BulkItemOut(BaseModel):
    id: str
    ok: bool
    detail: str | None = None


class BulkOut(BaseModel):
    results: list[BulkItemOut]
    succeeded: int
    failed: int


class WorkersOut(BaseModel):
    busy: int = Field(description="Worker threads running a task, in every process")
    total: int = Field(description="Worker threads in every process sharing the store")
    processes: int = Field(description="Processes with a worker pool")


class StatsOut(BaseModel):
    by_status: dict[TaskStatus, int]
    by_type: dict[str, int]
    total: int
    workers: WorkersOut
    stuck_workers: int = Field(
        description="Worker threads of this process still running a handler whose attempt "
        "already ended at its timeout (the handler ignores cancellation)"
    )


class MinuteOut(BaseModel):
    minute: datetime
    completed: int
    failed: int


class TaskTypeOut(BaseModel):
    name: str
    description: str
    registered: bool = Field(
        True,
        description="False for a type only seen in the store (or paused) whose handler this "
        "process does not load: it cannot be enqueued here",
    )
    tasks: int = Field(0, description="Tasks of this type in the store, in any status")
    paused: bool = Field(False, description="Paused: its tasks stay QUEUED, none is claimed")
    paused_at: datetime | None = None


class HealthOut(BaseModel):
    status: Literal["ok"] = "ok"


class ErrorOut(BaseModel):
    detail: str
