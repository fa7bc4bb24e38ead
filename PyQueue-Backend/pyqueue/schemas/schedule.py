"""Public DTOs of the schedules API (periodic tasks)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import (
    AfterValidator,
    AliasChoices,
    BaseModel,
    ConfigDict,
    Field,
    JsonValue,
    StringConstraints,
    field_validator,
)

from pyqueue.errors import InvalidSchedule
from pyqueue.models.handlers import MAX_TYPE_LENGTH
from pyqueue.models.schedule import (
    CODE_PREFIX,
    MAX_CRON_LENGTH,
    RESERVED_KEYS,
    check_cron,
    check_payload,
    check_timezone,
)
from pyqueue.schemas.params import printable
from pyqueue.schemas.task import limit_nesting

MAX_SCHEDULE_ID_LENGTH = len(CODE_PREFIX) + MAX_TYPE_LENGTH

ScheduleId = Annotated[
    str,
    StringConstraints(min_length=1, max_length=MAX_SCHEDULE_ID_LENGTH),
    AfterValidator(printable),
]
"""A schedule id as a client sends it: ``Schedule-…`` or ``code:<type>``."""


def _checked(check: object, value: object) -> object:
    """Run a model check; its :class:`InvalidSchedule` becomes a validation error (422)."""
    try:
        return check(value)  # type: ignore[operator]
    except InvalidSchedule as exc:
        raise ValueError(exc.message.split(": ", 1)[1]) from None


class ScheduleIn(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "t_type": "EMAIL",
                    "payload": {"to": "ops@example.com"},
                    "cron": "0 9 * * 1-5",
                    "timezone": "Europe/Berlin",
                }
            ]
        },
    )

    t_type: str = Field(
        min_length=1,
        max_length=MAX_TYPE_LENGTH,
        validation_alias=AliasChoices("t_type", "type"),
        description="A registered task type (see GET /api/types), matched in any case",
    )
    payload: Annotated[dict[str, JsonValue], AfterValidator(limit_nesting)] = Field(
        default_factory=dict,
        description="A JSON object; each tick's task gets it plus `scheduled_for` (the tick, "
        f"ISO 8601 UTC) and `schedule_id`, so it may not contain {', '.join(RESERVED_KEYS)}",
    )
    cron: str = Field(
        min_length=1,
        max_length=MAX_CRON_LENGTH,
        description="5 fields (minute hour day month weekday), 6 with seconds first "
        "(`*/10 * * * * *`), or an alias such as `@hourly`",
    )
    timezone: str = Field(
        "UTC", max_length=64, description="The IANA time zone the cron expression is read in"
    )
    paused: bool = Field(False, strict=True, description="Create it paused")

    @field_validator("cron")
    @classmethod
    def _cron(cls, value: str) -> str:
        return str(_checked(check_cron, value))

    @field_validator("timezone")
    @classmethod
    def _timezone(cls, value: str) -> str:
        return str(_checked(check_timezone, value))

    @field_validator("payload")
    @classmethod
    def _payload(cls, value: dict[str, JsonValue]) -> dict[str, JsonValue]:
        _checked(check_payload, value)
        return value


class SchedulePatch(BaseModel):
    model_config = ConfigDict(extra="forbid")

    paused: bool = Field(
        strict=True,
        description="true pauses it; false resumes it from the "
        "next tick after now (ticks missed while paused are not enqueued)",
    )


class ScheduleOut(BaseModel):
    id: str = Field(examples=["Schedule-01JDZ8Q3M4X7K2B9C5N6P8R0ST", "code:REPORT"])
    t_type: str
    payload: dict[str, JsonValue]
    cron: str
    timezone: str
    paused: bool
    next_run_at: datetime = Field(description="The next tick it enqueues (UTC)")
    last_run_at: datetime | None = Field(description="The last tick it enqueued")
    source: Literal["api", "code"] = Field(
        description="`code`: declared with @task(..., schedule=...), written back at start-up"
    )
    created_at: datetime
    updated_at: datetime
