"""Periodic tasks: a :class:`Schedule` (a task type, a payload, a cron expression in a time zone)
and the arithmetic of its ticks.

Cron expressions are parsed by ``croniter`` (never by hand): five fields (minute hour day month
weekday), six with a leading *seconds* field (``*/5 * * * * *`` = every five seconds), or an alias
such as ``@hourly``. Ticks are computed in the schedule's IANA time zone (so ``0 9 * * *`` in
``Europe/Berlin`` follows daylight saving time) and kept in UTC.

Each tick becomes one task whose payload is the schedule's payload (a JSON object) plus two keys:
``scheduled_for`` (the tick, ISO 8601 UTC) and ``schedule_id``. Its id is derived from the schedule
and the tick, so the same tick can never become two tasks, even in a store where the
compare-and-swap on ``next_run_at`` (which decides which process fires a tick) were bypassed.
"""

from __future__ import annotations

import hashlib
import os
import re
import time
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any, Literal
from zoneinfo import ZoneInfo, available_timezones

from croniter import CroniterError, croniter

from pyqueue.errors import ConfigurationError, InvalidSchedule
from pyqueue.models.task import JSON, task_id_from

ScheduleSource = Literal["api", "code"]

MAX_CRON_LENGTH = 200
RESERVED_KEYS = ("scheduled_for", "schedule_id")
"""Keys the scheduler adds to each tick's payload; a schedule's own payload may not use them."""
CODE_PREFIX = "code:"
"""Schedules declared with ``@task(..., schedule=...)`` have the id ``code:<type>``."""


@dataclass(frozen=True, slots=True)
class Schedule:
    """A task type enqueued at every tick of ``cron`` in ``timezone``."""

    id: str
    t_type: str
    payload: dict[str, Any]
    cron: str
    timezone: str
    paused: bool
    next_run_at: datetime
    """The next tick to enqueue (UTC); the scheduler fires it, once, when it is due."""
    last_run_at: datetime | None
    """The last tick enqueued (UTC), if any."""
    source: ScheduleSource
    created_at: datetime
    updated_at: datetime

    @classmethod
    def create(
        cls,
        t_type: str,
        cron: str,
        payload: dict[str, Any] | None = None,
        timezone: str = "UTC",
        paused: bool = False,
        *,
        schedule_id: str | None = None,
        source: ScheduleSource = "api",
        now: datetime | None = None,
    ) -> Schedule:
        """A new schedule, validated; its first tick is the first one after ``now``."""
        now = now or datetime.now(UTC)
        cron = check_cron(cron)
        timezone = check_timezone(timezone)
        payload = check_payload(payload)
        return cls(
            id=schedule_id or new_schedule_id(),
            t_type=t_type,
            payload=payload,
            cron=cron,
            timezone=timezone,
            paused=paused,
            next_run_at=next_tick(cron, timezone, now),
            last_run_at=None,
            source=source,
            created_at=now,
            updated_at=now,
        )

    def fired(self, now: datetime) -> tuple[datetime, Schedule]:
        """The tick to enqueue now (the latest one due: after downtime, missed ticks are not
        caught up one by one) and the schedule advanced past ``now``."""
        tick = max(self.next_run_at, latest_tick(self.cron, self.timezone, now))
        advanced = replace(
            self,
            next_run_at=next_tick(self.cron, self.timezone, max(now, tick)),
            last_run_at=tick,
            updated_at=now,
        )
        return tick, advanced

    def with_paused(self, paused: bool, now: datetime) -> Schedule:
        """Paused or resumed; a resumed schedule's next tick is the first one after ``now`` (the
        ticks missed while paused are not enqueued)."""
        if paused == self.paused:
            return self
        next_run_at = self.next_run_at if paused else next_tick(self.cron, self.timezone, now)
        return replace(self, paused=paused, next_run_at=next_run_at, updated_at=now)

    def redeclared(self, declared: Schedule, now: datetime) -> Schedule:
        """This stored code schedule updated to what the code declares now. The cron or time zone
        changed: the next tick is recomputed. Paused, last run and creation time are kept."""
        if (declared.cron, declared.timezone) != (self.cron, self.timezone):
            return replace(
                self,
                cron=declared.cron,
                timezone=declared.timezone,
                payload=declared.payload,
                next_run_at=next_tick(declared.cron, declared.timezone, now),
                updated_at=now,
            )
        if declared.payload != self.payload:
            return replace(self, payload=declared.payload, updated_at=now)
        return self

    def tick_payload(self, tick: datetime) -> dict[str, Any]:
        """The payload of the task enqueued for ``tick``."""
        return {**self.payload, "scheduled_for": iso(tick), "schedule_id": self.id}

    def tick_task_id(self, tick: datetime) -> str:
        """The id of the task for ``tick``: the same for every process that computes it."""
        digest = hashlib.blake2b(f"{self.id}\n{iso(tick)}".encode(), digest_size=10).digest()
        millis = int(tick.timestamp() * 1000)
        return task_id_from(millis, int.from_bytes(digest, "big"))


def iso(moment: datetime) -> str:
    """A UTC time as ISO 8601 with ``Z``-free ``+00:00`` offset, as the API writes times."""
    return moment.astimezone(UTC).isoformat()


def new_schedule_id() -> str:
    """``Schedule-`` and a ULID-like value (sortable by creation time, unique across processes)."""
    ulid = task_id_from(time.time_ns() // 1_000_000, int.from_bytes(os.urandom(10), "big"))
    return "Schedule-" + ulid.removeprefix("Task-")


def code_schedule_id(t_type: str) -> str:
    """The stable id of the schedule ``@task(t_type, schedule=...)`` declares."""
    return CODE_PREFIX + t_type


_RANDOM_FIELD = re.compile(r"r(\(\d+-\d+\))?(/\d+)?", re.IGNORECASE)
"""croniter's ``R`` (random) field: it would differ between processes (and calls)."""


@lru_cache(maxsize=1)
def _zones() -> frozenset[str]:
    return frozenset(available_timezones() | {"UTC"})


def check_timezone(name: str) -> str:
    """An IANA time zone name (``Europe/Berlin``), else :class:`InvalidSchedule`."""
    if not isinstance(name, str) or name not in _zones():
        raise InvalidSchedule(
            "timezone", f"unknown time zone {name!r}; use an IANA name such as 'Europe/Berlin'"
        )
    return name


def check_cron(expression: str) -> str:
    """A cron expression croniter accepts with 5 fields, or 6 with seconds first, or an alias
    (``@hourly``), that has a next tick; else :class:`InvalidSchedule`."""
    if not isinstance(expression, str):
        raise InvalidSchedule("cron", "must be a string")
    text = " ".join(expression.split())
    if not text.isprintable():
        raise InvalidSchedule("cron", "must not contain control characters")
    if not text or len(text) > MAX_CRON_LENGTH:
        raise InvalidSchedule("cron", f"must be 1 to {MAX_CRON_LENGTH} characters")
    fields = len(text.split(" "))
    if not text.startswith("@") and fields not in (5, 6):
        raise InvalidSchedule(
            "cron",
            f"{text!r} has {fields} fields; give 5 (minute hour day month weekday) or 6 "
            "(seconds first)",
        )
    if any(_RANDOM_FIELD.fullmatch(field) for field in text.split(" ")):
        raise InvalidSchedule(
            "cron", f"{text!r} has a random field (R): every process would pick other ticks"
        )
    try:
        croniter(text, datetime.now(UTC), second_at_beginning=True).get_next(datetime)
    except (CroniterError, ValueError, TypeError, KeyError, IndexError) as exc:
        raise InvalidSchedule("cron", f"{text!r} is not a valid cron expression: {exc}") from None
    return text


def check_payload(payload: JSON) -> dict[str, Any]:
    """A schedule's payload: a JSON object (``None`` is ``{}``) without the reserved keys."""
    if payload is None:
        return {}
    if not isinstance(payload, dict):
        raise InvalidSchedule("payload", "must be a JSON object (its keys go to every tick's task)")
    taken = [key for key in RESERVED_KEYS if key in payload]
    if taken:
        raise InvalidSchedule(
            "payload", f"must not contain {', '.join(taken)}: the scheduler sets them on each tick"
        )
    return payload


def _iterator(cron: str, timezone: str, start: datetime) -> croniter:
    local = start.astimezone(ZoneInfo(timezone))
    return croniter(cron, local, second_at_beginning=True)


def next_tick(cron: str, timezone: str, after: datetime) -> datetime:
    """The first tick strictly after ``after``, in UTC."""
    found: datetime = _iterator(cron, timezone, after).get_next(datetime)
    return found.astimezone(UTC)


def latest_tick(cron: str, timezone: str, now: datetime) -> datetime:
    """The last tick at or before ``now``, in UTC."""
    previous: datetime = _iterator(cron, timezone, now).get_prev(datetime)
    following = next_tick(cron, timezone, previous)
    return following if following <= now else previous.astimezone(UTC)


@dataclass(frozen=True, slots=True)
class ScheduleSpec:
    """A schedule declared in code: ``@task("REPORT", schedule="0 * * * *")``."""

    cron: str
    timezone: str = "UTC"
    payload: dict[str, Any] | None = None

    @classmethod
    def declare(
        cls, t_type: str, cron: str, timezone: str = "UTC", payload: JSON = None
    ) -> ScheduleSpec:
        """Validated at import time: a bad declaration stops the process with one clear line."""
        try:
            return cls(check_cron(cron), check_timezone(timezone), check_payload(payload))
        except InvalidSchedule as exc:
            raise ConfigurationError(f"@task({t_type!r}, schedule=...): {exc.message}") from None

    def schedule_for(self, t_type: str, now: datetime) -> Schedule:
        """The stored form, with the stable id ``code:<type>``."""
        return Schedule.create(
            t_type,
            self.cron,
            self.payload,
            self.timezone,
            schedule_id=code_schedule_id(t_type),
            source="code",
            now=now,
        )
