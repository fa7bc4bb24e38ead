"""What the SQL stores share about schedules: the columns and how a schedule becomes a row and
back (with the task codec's times and JSON). The rules of each change (pause, redeclare, fire) are
:class:`~pyqueue.models.schedule.Schedule` methods, applied in each store's lock or transaction."""

from __future__ import annotations

from typing import Any

from pyqueue.models.schedule import Schedule
from pyqueue.stores.common import RowCodec

SCHEDULE_COLUMNS = (
    "id",
    "t_type",
    "payload",
    "cron",
    "timezone",
    "paused",
    "next_run_at",
    "last_run_at",
    "source",
    "created_at",
    "updated_at",
)
"""The schedule columns, in the order of :class:`Schedule`'s fields."""

SCHEDULE_SELECT = ", ".join(SCHEDULE_COLUMNS)


def schedule_to_row(codec: RowCodec, schedule: Schedule) -> tuple[Any, ...]:
    stamp = codec.stamp
    return (
        schedule.id,
        schedule.t_type,
        codec.encode(schedule.payload),
        schedule.cron,
        schedule.timezone,
        schedule.paused,
        stamp(schedule.next_run_at),
        stamp(schedule.last_run_at),
        schedule.source,
        stamp(schedule.created_at),
        stamp(schedule.updated_at),
    )


def schedule_from_row(codec: RowCodec, row: tuple[Any, ...]) -> Schedule:
    unstamp = codec.unstamp
    next_run_at, created, updated = unstamp(row[6]), unstamp(row[9]), unstamp(row[10])
    assert next_run_at is not None
    assert created is not None
    assert updated is not None
    return Schedule(
        id=row[0],
        t_type=row[1],
        payload=codec.decode(row[2]),
        cron=row[3],
        timezone=row[4],
        paused=bool(row[5]),
        next_run_at=next_run_at,
        last_run_at=unstamp(row[7]),
        source=row[8],
        created_at=created,
        updated_at=updated,
    )
