"""Public DTOs of the REST API. Internal names (``t_id``) never appear here; ``t_type`` is the
request field clients have always sent (``type`` is accepted too)."""

from __future__ import annotations

from datetime import datetime
from itertools import chain
from typing import Annotated, Literal

from pydantic import AfterValidator, AliasChoices, BaseModel, ConfigDict, Field, JsonValue

from pyqueue.enums import TaskStatus
from pyqueue.schemas.params import TaskId

MAX_BATCH = 1000
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
        max_length=64,
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
        description="Set while QUEUED waiting for an automatic retry"
    )
    last_error: str | None
    result: JsonValue
    cancel_requested: bool


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


class MinuteOut(BaseModel):
    minute: datetime
    completed: int
    failed: int


class TaskTypeOut(BaseModel):
    name: str
    description: str


class HealthOut(BaseModel):
    status: Literal["ok"] = "ok"


class ErrorOut(BaseModel):
    detail: str
