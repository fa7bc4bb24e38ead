"""The SQLite store's schedules; their statements are in ``schedules.sql`` beside this module.

Every change is one ``BEGIN IMMEDIATE`` transaction, so firing a tick (the compare-and-swap on
``next_run_at``, then the task) is atomic across threads and processes sharing the file.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from pyqueue.errors import InvalidTaskState, ScheduleNotFound
from pyqueue.models.schedule import Schedule
from pyqueue.models.task import Task, utcnow
from pyqueue.stores.common import RowCodec, load_queries
from pyqueue.stores.schedule_rows import SCHEDULE_SELECT, schedule_from_row, schedule_to_row
from pyqueue.stores.sqlite.connection import Database

Q = load_queries("pyqueue.stores.sqlite", "schedules.sql", {"{schedule_columns}": SCHEDULE_SELECT})


class SQLiteSchedules:
    """Mixed into :class:`~pyqueue.stores.sqlite.SQLiteStore`, which provides the database, the
    codec and ``_insert_tasks``."""

    _db: Database
    _codec: RowCodec

    def _insert_tasks(self, conn: sqlite3.Connection, tasks: Sequence[Task]) -> None:
        raise NotImplementedError

    def _row(self, schedule: Schedule) -> tuple[Any, ...]:
        return schedule_to_row(self._codec, schedule)

    def _read(self, row: tuple[Any, ...]) -> Schedule:
        return schedule_from_row(self._codec, row)

    def _saved(self, conn: sqlite3.Connection, schedule: Schedule) -> None:
        row = self._row(schedule)
        conn.execute(Q["save"], (*row[2:8], row[10], schedule.id))

    def _locked(self, conn: sqlite3.Connection, schedule_id: str) -> Schedule | None:
        row = conn.execute(Q["get"], (schedule_id,)).fetchone()
        return None if row is None else self._read(row)

    def add_schedule(self, schedule: Schedule) -> None:
        try:
            with self._db.transaction() as conn:
                conn.execute(Q["insert"], self._row(schedule))
        except sqlite3.IntegrityError as exc:
            message = f"A schedule with the id {schedule.id} already exists"
            raise InvalidTaskState(message) from exc

    def declare_schedule(self, declared: Schedule) -> Schedule:
        with self._db.transaction() as conn:
            stored = self._locked(conn, declared.id)
            if stored is None:
                conn.execute(Q["insert"], self._row(declared))
                return declared
            result = stored.redeclared(declared, utcnow())
            if result is not stored:
                self._saved(conn, result)
            return result

    def get_schedule(self, schedule_id: str) -> Schedule | None:
        with self._db.connection() as conn:
            return self._locked(conn, schedule_id)

    def list_schedules(self) -> list[Schedule]:
        with self._db.connection() as conn:
            return [self._read(r) for r in conn.execute(Q["list"]).fetchall()]

    def pause_schedule(self, schedule_id: str, paused: bool) -> Schedule:
        with self._db.transaction() as conn:
            stored = self._locked(conn, schedule_id)
            if stored is None:
                raise ScheduleNotFound(schedule_id)
            changed = stored.with_paused(paused, utcnow())
            if changed is not stored:
                self._saved(conn, changed)
            return changed

    def delete_schedule(self, schedule_id: str) -> Schedule | None:
        with self._db.transaction() as conn:
            stored = self._locked(conn, schedule_id)
            if stored is not None:
                conn.execute(Q["delete"], (schedule_id,))
            return stored

    def due_schedules(self, now: datetime, limit: int) -> list[Schedule]:
        with self._db.connection() as conn:
            rows = conn.execute(Q["due"], (self._codec.stamp(now), limit)).fetchall()
        return [self._read(r) for r in rows]

    def next_schedule_at(self) -> datetime | None:
        with self._db.connection() as conn:
            return self._codec.unstamp(conn.execute(Q["next"]).fetchone()[0])

    def fire_schedule(self, expected: datetime, advanced: Schedule, task: Task) -> bool:
        stamp = self._codec.stamp
        params = (
            stamp(advanced.next_run_at),
            stamp(advanced.last_run_at),
            stamp(advanced.updated_at),
            advanced.id,
            stamp(expected),
        )
        with self._db.transaction() as conn:
            if conn.execute(Q["advance"], params).rowcount != 1:
                return False
            if conn.execute(Q["task_exists"], (task.t_id,)).fetchone() is not None:
                return False
            self._insert_tasks(conn, [task])
        return True
