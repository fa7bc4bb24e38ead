"""DTOs of the dead-letter routes: failure groups, retrying one, editing a failed task's payload."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, JsonValue

from pyqueue.models.handlers import MAX_TYPE_LENGTH
from pyqueue.schemas.task import MAX_PAYLOAD_DEPTH, limit_nesting

MAX_ERROR_LENGTH = 2000
"""The longest error a group can have (``last_error`` is cut to this length)."""


class FailureGroupOut(BaseModel):
    error: str | None = Field(
        description="The first line of the tasks' `last_error` (null when they have none)"
    )
    t_type: str = Field(description="The tasks' type")
    count: int = Field(description="How many FAILED tasks are in the group")
    latest_at: datetime = Field(description="When the most recent of them failed")


class FailureGroupRequest(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"error": "ValueError: bad address", "t_type": "EMAIL"}]},
    )

    error: str | None = Field(
        max_length=MAX_ERROR_LENGTH,
        description="The group's `error`, exactly as GET /api/failures answered it",
    )
    t_type: str = Field(min_length=1, max_length=MAX_TYPE_LENGTH, description="The group's type")


class PayloadEditRequest(BaseModel):
    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"payload": {"to": "ada@example.com"}}]}
    )

    payload: Annotated[JsonValue, AfterValidator(limit_nesting)] = Field(
        description=f"The new payload: any JSON value nested at most {MAX_PAYLOAD_DEPTH} levels "
        "deep, within PYQUEUE_MAX_PAYLOAD_BYTES"
    )
