"""``sqlite:///path.db``: the embedded durable store (stdlib ``sqlite3``, WAL).

Each claim and transition is one write transaction (see :mod:`.connection`), so it is atomic
across threads and processes on one machine. Counts per (status, type) live in a small table kept
by triggers, so page totals and ``counts()`` never scan the tasks. The SQL is in ``schema.sql``
and ``queries.sql`` beside this module.
"""

from __future__ import annotations

import json
import logging
import sqlite3
import uuid
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from pyqueue.enums import TaskStatus
from pyqueue.errors import ConfigurationError, InvalidTaskState, TaskNotFound
from pyqueue.models.task import Outcome, Task, utcnow
from pyqueue.models.values import (
    THROUGHPUT_KEEP,
    AttemptEnd,
    Counts,
    MinuteCount,
    RenewResult,
    TaskQuery,
    WorkerTotals,
)
from pyqueue.stores.common import ManualActions, RowCodec, dumps, load_queries, read_sql
from pyqueue.stores.sqlite.connection import Database
from pyqueue.stores.sqlite.watcher import CommitWatcher

logger = logging.getLogger("pyqueue.stores.sqlite")

SCHEMA_VERSION = 3
"""The ``PRAGMA user_version`` of a file with the current schema."""

UPGRADE_COLUMNS = (("tasks", "priority", "INTEGER NOT NULL DEFAULT 0"),)
"""Columns that a newer schema added to a table an older file has (version 3: ``priority``)."""

_PACKAGE = "pyqueue.stores.sqlite"
QUERIES = load_queries(_PACKAGE)
_KEEP_MINUTES = int(THROUGHPUT_KEEP.total_seconds() // 60)


def sqlite_path(url: str) -> Path:
    """The file of a ``sqlite:///relative.db`` or ``sqlite:////absolute.db`` URL."""
    if not url.lower().startswith("sqlite://"):
        raise ConfigurationError(f"Not a SQLite URL: {url!r}")
    path = url[len("sqlite://") :].split("?", 1)[0]
    path = path[1:] if path.startswith("/") else path
    if not path:
        raise ConfigurationError(
            "A SQLite URL needs a file: sqlite:///relative/path.db or sqlite:////absolute/path.db"
        )
    return Path(path)


def _us(value: datetime | None) -> int | None:
    """A timestamp as integer microseconds since the epoch (exact, sortable)."""
    if value is None:
        return None
    delta = value - datetime(1970, 1, 1, tzinfo=UTC)
    return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds


def _dt(value: int | None) -> datetime | None:
    if value is None:
        return None
    return datetime(1970, 1, 1, tzinfo=UTC) + timedelta(microseconds=value)


CODEC = RowCodec(stamp=_us, unstamp=_dt, encode=dumps, decode=json.loads)
_to_row, _from_row = CODEC.to_row, CODEC.from_row


def page_sql(query: TaskQuery) -> tuple[str, list[Any]]:
    """The SQL and parameters of one filtered page, newest (or oldest) first by id."""
    where, params = _where(query.status, query.t_type)
    index = {(True, False): "tasks_status", (False, True): "tasks_type"}.get(
        (query.status is not None, query.t_type is not None), "tasks_status_type"
    )
    hint = f" INDEXED BY {index}" if where else ""
    order = "ASC" if query.order == "asc" else "DESC"
    sql = f"{QUERIES['select']}{hint}{where} ORDER BY t_id {order} LIMIT ? OFFSET ?"
    return sql, [*params, query.limit, query.offset]


def _where(status: TaskStatus | None, t_type: str | None) -> tuple[str, list[Any]]:
    clauses, params = [], []
    if status is not None:
        clauses.append("status = ?")
        params.append(status.value)
    if t_type is not None:
        clauses.append("t_type = ?")
        params.append(t_type)
    return (" WHERE " + " AND ".join(clauses) if clauses else ""), params


class SQLiteStore(ManualActions):
    blocking = True

    def __init__(self, path: str | Path, busy_timeout: float = 10.0) -> None:
        self.path = Path(path)
        self._watcher: CommitWatcher | None = None
        self._db = Database(self.path, busy_timeout)
        try:
            self._db.migrate(read_sql(_PACKAGE, "schema.sql"), SCHEMA_VERSION, UPGRADE_COLUMNS)
        except BaseException:
            self._db.close()
            raise
        logger.info("SQLite store at %s", self.path)

    # -- helpers ------------------------------------------------------------------------------
    @staticmethod
    def _one(conn: sqlite3.Connection, task_id: str) -> Task | None:
        row = conn.execute(QUERIES["get"], (task_id,)).fetchone()
        return None if row is None else _from_row(row)

    @staticmethod
    def _save(conn: sqlite3.Connection, tasks: Iterable[Task]) -> None:
        conn.executemany(QUERIES["update"], ((*_to_row(t)[1:], t.t_id) for t in tasks))

    def _require(self, conn: sqlite3.Connection, task_id: str) -> Task:
        task = self._one(conn, task_id)
        if task is None:
            raise TaskNotFound(task_id)
        return task

    # -- the protocol -------------------------------------------------------------------------
    def add(self, tasks: Sequence[Task]) -> None:
        rows = [_to_row(t) for t in tasks]
        try:
            with self._db.transaction() as conn:
                conn.executemany(QUERIES["insert"], rows)
        except sqlite3.IntegrityError as exc:
            raise InvalidTaskState("A job with one of these ids already exists") from exc

    def get(self, task_id: str) -> Task | None:
        with self._db.connection() as conn:
            return self._one(conn, task_id)

    def list_tasks(self, query: TaskQuery) -> tuple[list[Task], int]:
        page, page_params = page_sql(query)
        where, params = _where(query.status, query.t_type)
        with self._db.connection() as conn:
            rows = conn.execute(page, page_params).fetchall()
            count = f"SELECT SUM(n) FROM task_counts{where}"  # noqa: S608
            total = conn.execute(count, params).fetchone()[0]
        return [_from_row(r) for r in rows], total or 0

    def claim(self, limit: int, lease_seconds: float) -> list[Task]:
        now = utcnow()
        expires = now + timedelta(seconds=lease_seconds)
        with self._db.transaction() as conn:
            rows = conn.execute(QUERIES["claim"], (_us(now), limit)).fetchall()
            if not rows:
                return []
            claimed = [_from_row(r).claimed(uuid.uuid4().hex, expires, now) for r in rows]
            self._save(conn, claimed)
        return claimed

    def finish(self, task_id: str, lease_id: str, outcome: Outcome) -> Task | None:
        return self.finish_many([AttemptEnd(task_id, lease_id, outcome)])[0]

    def finish_many(self, ends: Sequence[AttemptEnd]) -> list[Task | None]:
        now = utcnow()
        results: list[Task | None] = []
        with self._db.transaction() as conn:
            for end in ends:
                task = self._one(conn, end.task_id)
                held = task is not None and task.lease_id == end.lease_id
                if task is None or not held or task.status is not TaskStatus.INPROGRESS:
                    results.append(None)
                    continue
                results.append(task.finished(end.outcome, now))
            self._save(conn, [t for t in results if t is not None])
        return results

    def renew(self, leases: Mapping[str, str], lease_seconds: float) -> RenewResult:
        result = RenewResult()
        expires = _us(utcnow() + timedelta(seconds=lease_seconds))
        with self._db.transaction() as conn:
            for task_id, lease_id in leases.items():
                row = conn.execute(QUERIES["renew"], (expires, task_id, lease_id)).fetchone()
                if row is None:
                    result.lost.add(task_id)
                elif row[0]:
                    result.cancel_requested.add(task_id)
        return result

    def recover_expired(self) -> list[Task]:
        now = utcnow()
        with self._db.connection() as conn:  # the common case: nothing expired, no write lock
            if conn.execute(QUERIES["expired"] + " LIMIT 1", (_us(now),)).fetchone() is None:
                return []
        with self._db.transaction() as conn:
            rows = conn.execute(QUERIES["expired"], (_us(now),)).fetchall()
            recovered = [_from_row(r).lease_lost(now) for r in rows]
            self._save(conn, recovered)
            oldest = int(now.timestamp() // 60) - _KEEP_MINUTES
            conn.execute(QUERIES["trim_minutes"], (oldest,))
        return recovered

    def _update_one(self, task_id: str, change: Callable[[Task], Task]) -> Task:
        with self._db.transaction() as conn:
            task = change(self._require(conn, task_id))
            self._save(conn, [task])
        return task

    def requeue_failed(self, t_type: str | None = None) -> list[Task]:
        where, params = _where(TaskStatus.FAILED, t_type)
        now = utcnow()
        with self._db.transaction() as conn:
            rows = conn.execute(f"{QUERIES['select']}{where} ORDER BY t_id", params).fetchall()
            tasks = [_from_row(r).requeued(now) for r in rows]
            self._save(conn, tasks)
        return tasks

    def delete(self, task_id: str) -> Task | None:
        with self._db.transaction() as conn:
            task = self._one(conn, task_id)
            if task is not None:
                conn.execute(QUERIES["delete"], (task_id,))
        return task

    def clear(self, status: TaskStatus | None = None, t_type: str | None = None) -> int:
        where, params = _where(status, t_type)
        with self._db.transaction() as conn:
            removed = conn.execute(f"DELETE FROM tasks{where}", params).rowcount  # noqa: S608
            if not where:
                conn.execute(QUERIES["forget_counts"])
        return removed

    def counts(self) -> Counts:
        with self._db.connection() as conn:
            rows = conn.execute(QUERIES["counts"]).fetchall()
        return Counts.from_rows(rows)

    def throughput(self, since: datetime) -> list[MinuteCount]:
        with self._db.connection() as conn:
            rows = conn.execute(QUERIES["throughput"], (int(since.timestamp() // 60),)).fetchall()
        return [MinuteCount(datetime.fromtimestamp(m * 60, UTC), c, f) for m, c, f in rows]

    def changed_since(self, since: datetime, limit: int) -> list[Task]:
        with self._db.connection() as conn:
            rows = conn.execute(QUERIES["changed_since"], (_us(since), limit)).fetchall()
        return [_from_row(r) for r in rows]

    def next_due(self) -> datetime | None:
        with self._db.connection() as conn:
            return _dt(conn.execute(QUERIES["next_due"]).fetchone()[0])

    def report_workers(self, process_id: str, busy: int, total: int) -> None:
        with self._db.transaction() as conn:
            if total:
                params = (process_id, busy, total, _us(utcnow()))
                conn.execute(QUERIES["report_workers"], params)
            else:
                conn.execute(QUERIES["forget_workers"], (process_id,))

    def worker_totals(self, fresh_since: datetime, exclude: str) -> WorkerTotals:
        params = (_us(fresh_since), exclude)
        with self._db.connection() as conn:
            processes, busy, total = conn.execute(QUERIES["worker_totals"], params).fetchone()
        return WorkerTotals(processes, busy, total)

    def set_wakeup(self, callback: Callable[[], None]) -> CommitWatcher:
        """Call ``callback`` whenever any connection, in any process, commits to the file."""
        if self._watcher is not None:
            self._watcher.stop()
        self._watcher = CommitWatcher(self.path, callback)
        self._watcher.start()
        return self._watcher

    def close(self) -> None:
        """Stop the watcher and close the store's connections; later calls raise
        :class:`StoreUnavailable`."""
        if self._watcher is not None:
            self._watcher.stop()
            self._watcher = None
        self._db.close()
