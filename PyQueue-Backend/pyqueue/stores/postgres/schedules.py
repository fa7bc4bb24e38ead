"""The PostgreSQL store's schedules; their statements are in ``schedules.sql`` beside this module.

Firing a tick is one transaction: the compare-and-swap on ``next_run_at`` (one process's UPDATE
wins, the others find the value moved on) and, only when it won, the tick's task and a NOTIFY.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

import psycopg
import psycopg.errors

from pyqueue.errors import InvalidTaskState, ScheduleNotFound
from pyqueue.models.schedule import Schedule
from pyqueue.models.task import Task, utcnow
from pyqueue.stores.common import RowCodec, load_queries
from pyqueue.stores.postgres.connection import Database
from pyqueue.stores.schedule_rows import SCHEDULE_SELECT, schedule_from_row, schedule_to_row

Conn = psycopg.Connection[Any]


Q = load_queries(
    "pyqueue.stores.postgres", "schedules.sql", {"{schedule_columns}": SCHEDULE_SELECT}
)


class PostgresSchedules:
    """Mixed into :class:`~pyqueue.stores.postgres.PostgresStore`, which provides the database,
    the codec, ``_insert`` and ``_notify``."""

    _db: Database
    _codec: RowCodec

    def _insert(self, conn: Conn, chunk: Sequence[Task]) -> dict[str, Task]:
        raise NotImplementedError

    def _notify(self, conn: Conn, what: str = "work") -> None:
        raise NotImplementedError

    def _row(self, schedule: Schedule) -> tuple[Any, ...]:
        return schedule_to_row(self._codec, schedule)

    def _read(self, row: tuple[Any, ...]) -> Schedule:
        return schedule_from_row(self._codec, row)

    def _one_schedule(self, conn: Conn, name: str, schedule_id: str) -> Schedule | None:
        row = conn.execute(Q[name], (schedule_id,)).fetchone()
        return None if row is None else self._read(row)

    def _saved(self, conn: Conn, schedule: Schedule) -> None:
        row = self._row(schedule)
        conn.execute(Q["save"], (*row[2:8], row[10], schedule.id))

    def add_schedule(self, schedule: Schedule) -> None:
        try:
            with self._db.transaction() as conn:
                conn.execute(Q["insert"], self._row(schedule))
        except psycopg.errors.UniqueViolation as exc:
            message = f"A schedule with the id {schedule.id} already exists"
            raise InvalidTaskState(message) from exc

    def declare_schedule(self, declared: Schedule) -> Schedule:
        with self._db.transaction() as conn:
            if conn.execute(Q["insert_if_absent"], self._row(declared)).rowcount == 1:
                return declared
            stored = self._one_schedule(conn, "get_for_update", declared.id)
            if stored is None:  # deleted between the two statements: declare it again
                conn.execute(Q["insert"], self._row(declared))
                return declared
            result = stored.redeclared(declared, utcnow())
            if result is not stored:
                self._saved(conn, result)
            return result

    def get_schedule(self, schedule_id: str) -> Schedule | None:
        with self._db.connection() as conn:
            return self._one_schedule(conn, "get", schedule_id)

    def list_schedules(self) -> list[Schedule]:
        with self._db.connection() as conn:
            return [self._read(r) for r in conn.execute(Q["list"]).fetchall()]

    def pause_schedule(self, schedule_id: str, paused: bool) -> Schedule:
        with self._db.transaction() as conn:
            stored = self._one_schedule(conn, "get_for_update", schedule_id)
            if stored is None:
                raise ScheduleNotFound(schedule_id)
            changed = stored.with_paused(paused, utcnow())
            if changed is not stored:
                self._saved(conn, changed)
            return changed

    def delete_schedule(self, schedule_id: str) -> Schedule | None:
        with self._db.connection() as conn:
            row = conn.execute(Q["delete"], (schedule_id,)).fetchone()
        return None if row is None else self._read(row)

    def due_schedules(self, now: datetime, limit: int) -> list[Schedule]:
        with self._db.connection() as conn:
            rows = conn.execute(Q["due"], (now, limit)).fetchall()
        return [self._read(r) for r in rows]

    def next_schedule_at(self) -> datetime | None:
        with self._db.connection() as conn:
            row = conn.execute(Q["next"]).fetchone()
        return None if row is None else self._codec.unstamp(row[0])

    def fire_schedule(self, expected: datetime, advanced: Schedule, task: Task) -> bool:
        params = (
            advanced.next_run_at,
            advanced.last_run_at,
            advanced.updated_at,
            advanced.id,
            expected,
        )
        with self._db.transaction() as conn:
            if conn.execute(Q["advance"], params).rowcount != 1:
                return False
            if conn.execute(Q["task_exists"], (task.t_id,)).fetchone() is not None:
                return False
            self._insert(conn, [task])
            self._notify(conn)
        return True
