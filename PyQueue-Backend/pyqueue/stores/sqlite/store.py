"""``sqlite:///path.db``: the embedded durable store (stdlib ``sqlite3``, WAL).

Each claim and transition is one write transaction (see :mod:`.connection`), so it is atomic
across threads and processes on one machine. Counts per (status, type) live in a small table, kept
by triggers on insert and delete and by the store on a status change (:func:`_count_moves`), so
page totals and ``counts()`` never scan the tasks. The SQL is in ``schema.sql``
and ``queries.sql`` beside this module.
"""

from __future__ import annotations

import json
import logging
import os
import sqlite3
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from pyqueue.enums import TaskStatus
from pyqueue.errors import ConfigurationError, InvalidTaskState, StoreUnavailable, TaskNotFound
from pyqueue.models.audit import AuditEntry
from pyqueue.models.control import Attempt, AttemptOutcome, Pause, outcome_kind
from pyqueue.models.failures import FailureGroup, error_group, sort_groups
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
from pyqueue.stores.common import (
    TRANSITION_COLUMNS,
    ManualActions,
    Row,
    RowCodec,
    dumps,
    lease_ids,
    literal,
    load_queries,
    read_sql,
)
from pyqueue.stores.sqlite.connection import Database
from pyqueue.stores.sqlite.schedules import SQLiteSchedules
from pyqueue.stores.sqlite.watcher import CommitWatcher

logger = logging.getLogger("pyqueue.stores.sqlite")

SCHEMA_VERSION = 5
"""The ``PRAGMA user_version`` of a file with the current schema."""

UPGRADE_COLUMNS = (
    ("tasks", "priority", "INTEGER NOT NULL DEFAULT 0"),
    ("tasks", "timeout_seconds", "REAL"),
    ("tasks", "idempotency_key", "TEXT"),
    ("tasks", "progress", "REAL"),
    ("tasks", "progress_message", "TEXT"),
)
"""Columns that a newer schema added to a table an older file has (version 3: ``priority``;
version 4: ``timeout_seconds``, ``idempotency_key``, ``progress``, ``progress_message``)."""

_PACKAGE = "pyqueue.stores.sqlite"
QUERIES = load_queries(_PACKAGE)
OPERATIONS = load_queries(_PACKAGE, "operations.sql")
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


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def _us(value: datetime | None) -> int | None:
    """A timestamp as integer microseconds since the epoch (exact, sortable)."""
    if value is None:
        return None
    delta = value - _EPOCH
    return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds


def _dt(value: int | None) -> datetime | None:
    if value is None:
        return None
    return _EPOCH + timedelta(0, 0, value)


def _audit_entry(row: tuple[Any, ...]) -> AuditEntry:
    at = _dt(row[1])
    assert at is not None
    return AuditEntry(at, row[2], row[3], row[4], row[5], row[6], id=row[0])


CODEC = RowCodec(stamp=_us, unstamp=_dt, encode=dumps, decode=json.loads)
_to_row, _from_row = CODEC.to_row, CODEC.from_row
_IDS_PER_STATEMENT = 500
"""Ids in one ``IN (…)`` list (SQLite allows 32,766 parameters)."""
_TRANSITION = literal(
    "UPDATE tasks SET "  # noqa: S608
    + ", ".join(f"{column} = ?" for column in TRANSITION_COLUMNS)
    + " WHERE t_id = ?"
)
_CHART_STATUSES = {TaskStatus.COMPLETED.value: 0, TaskStatus.FAILED.value: 1}
"""The statuses the chart counts by the minute a task finished: their column in ``task_minutes``."""
_MINUTE_US = 60_000_000

Move = tuple[str, str, int | None, str, str, int | None]
"""One task's status change: its status, type and finish time (µs) before, then after."""


def _move(before: Task, after: Task) -> Move:
    return (
        before.status.value,
        before.t_type,
        _us(before.finished_at),
        after.status.value,
        after.t_type,
        _us(after.finished_at),
    )


def _count_moves(conn: sqlite3.Connection, moves: Iterable[Move]) -> None:
    """Keep ``task_counts`` and ``task_minutes`` right for status changes this transaction made,
    with a few statements for the whole batch. Schema version 4 did it with row triggers, which
    made every UPDATE of the tasks a quarter dearer (a claim and an end are one each, per task).
    As those triggers did: a task counts under its (status, type); a task that reaches COMPLETED
    or FAILED with a finish time counts in its finish minute, and leaves that minute when it
    moves on (never below zero; a minute already trimmed stays gone)."""
    counts: dict[tuple[str, str], int] = {}
    added: dict[int, list[int]] = {}
    removed: dict[int, list[int]] = {}
    for old_status, old_type, old_finished, status, t_type, finished in moves:
        if old_status == status:
            continue
        counts[(old_status, old_type)] = counts.get((old_status, old_type), 0) - 1
        counts[(status, t_type)] = counts.get((status, t_type), 0) + 1
        column = _CHART_STATUSES.get(status)
        if column is not None and finished is not None:
            added.setdefault(finished // _MINUTE_US, [0, 0])[column] += 1
        column = _CHART_STATUSES.get(old_status)
        if column is not None and old_finished is not None:
            removed.setdefault(old_finished // _MINUTE_US, [0, 0])[column] += 1
    if not counts:
        return
    conn.executemany(QUERIES["count_down"], [(-n, s, t) for (s, t), n in counts.items() if n < 0])
    conn.executemany(QUERIES["count_up"], [(s, t, n) for (s, t), n in counts.items() if n > 0])
    if removed:
        conn.executemany(QUERIES["minute_down"], [(c, f, m) for m, (c, f) in removed.items()])
    if added:
        conn.executemany(QUERIES["minute_up"], [(m, c, f) for m, (c, f) in added.items()])


def _rows_by_ids(conn: sqlite3.Connection, select: str, task_ids: Sequence[str]) -> Iterator[Row]:
    """The rows of ``select`` (a statement ending in ``… IN``) for ``task_ids``: one statement
    per chunk of ids."""
    for start in range(0, len(task_ids), _IDS_PER_STATEMENT):
        chunk = task_ids[start : start + _IDS_PER_STATEMENT]
        yield from conn.execute(f"{select} ({', '.join('?' * len(chunk))})", chunk)


def page_sql(query: TaskQuery) -> tuple[str, list[Any]]:
    """The SQL and parameters of one filtered page, newest (or oldest) first by id."""
    where, params = _where(query.status, query.t_type)
    index = {(True, False): "tasks_status", (False, True): "tasks_type"}.get(
        (query.status is not None, query.t_type is not None), "tasks_status_type"
    )
    hint = f" INDEXED BY {index}" if where else ""
    order = "ASC" if query.order == "asc" else "DESC"
    if query.after is not None:  # the keyset cursor: past the previous page's last id
        where += (" AND " if where else " WHERE ") + ("t_id > ?" if order == "ASC" else "t_id < ?")
        params.append(query.after)
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


class SQLiteStore(ManualActions, SQLiteSchedules):
    blocking = True
    writers = 1
    _codec = CODEC

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
    def _many(conn: sqlite3.Connection, task_ids: Sequence[str]) -> dict[str, Task]:
        """The stored tasks among ``task_ids``, by id."""
        rows = _rows_by_ids(conn, f"{QUERIES['select']} WHERE t_id IN", task_ids)
        return {task.t_id: task for task in map(_from_row, rows)}

    @staticmethod
    def _save(conn: sqlite3.Connection, before: Sequence[Task], after: Sequence[Task]) -> None:
        """Save every column of the tasks ``after`` (each changed from the same place of
        ``before``), and count their status changes."""
        conn.executemany(QUERIES["update"], ((*_to_row(t)[1:], t.t_id) for t in after))
        _count_moves(conn, map(_move, before, after))

    @staticmethod
    def _save_transitions(
        conn: sqlite3.Connection, before: Sequence[Task], after: Sequence[Task]
    ) -> None:
        """Save tasks that a claim, an attempt's end or a lease recovery changed (``after``,
        each from the same place of ``before``): only the columns those change
        (:data:`~pyqueue.stores.common.TRANSITION_COLUMNS`); and count their status changes."""
        conn.executemany(_TRANSITION, map(CODEC.to_transition_row, after))
        _count_moves(conn, map(_move, before, after))

    def _require(self, conn: sqlite3.Connection, task_id: str) -> Task:
        task = self._one(conn, task_id)
        if task is None:
            raise TaskNotFound(task_id)
        return task

    # -- the protocol -------------------------------------------------------------------------
    def add(self, tasks: Sequence[Task], payloads: Sequence[str] | None = None) -> list[Task]:
        texts = payloads if payloads is not None else [None] * len(tasks)
        pairs = zip(tasks, texts, strict=True)
        plain = [_to_row(t, text) for t, text in pairs if t.idempotency_key is None]
        stored: dict[str, Task] = {}
        try:
            with self._db.transaction() as conn:
                conn.executemany(QUERIES["insert"], plain)
                for task in tasks:  # one write transaction: the key's owner cannot change here
                    if task.idempotency_key is not None:
                        stored[task.t_id] = self._add_unique(conn, task)
        except sqlite3.IntegrityError as exc:
            raise InvalidTaskState("A job with one of these ids already exists") from exc
        return [stored.get(t.t_id, t) for t in tasks]

    @staticmethod
    def _insert_tasks(conn: sqlite3.Connection, tasks: Sequence[Task]) -> None:
        """Insert ``tasks`` inside a caller's transaction (a fired schedule's tick)."""
        conn.executemany(QUERIES["insert"], [_to_row(t) for t in tasks])

    def _add_unique(self, conn: sqlite3.Connection, task: Task) -> Task:
        """Insert ``task`` unless a task has its key; either way, the task stored under it."""
        if conn.execute(QUERIES["insert_unique"], _to_row(task)).rowcount:
            return task
        row = conn.execute(QUERIES["get_by_key"], (task.idempotency_key,)).fetchone()
        return _from_row(row)

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

    def claim(self, limit: int, lease_seconds: float, worker: str = "") -> list[Task]:
        if limit <= 0:  # SQLite reads a negative LIMIT as none at all
            return []
        now = utcnow()
        expires = now + timedelta(seconds=lease_seconds)
        with self._db.transaction() as conn:
            rows = conn.execute(QUERIES["claim"], (_us(now), limit)).fetchall()
            if not rows:
                return []
            queued = [_from_row(r) for r in rows]
            leases = lease_ids(len(queued))
            claimed = [t.claimed(leases.pop(), expires, now) for t in queued]
            self._save_transitions(conn, queued, claimed)
            conn.executemany(
                QUERIES["open_attempt"], ((t.t_id, t.attempts, _us(now), worker) for t in claimed)
            )
        if self._watcher is not None:
            self._watcher.worked()
        return claimed

    def finish(self, task_id: str, lease_id: str, outcome: Outcome) -> Task | None:
        return self.finish_many([AttemptEnd(task_id, lease_id, outcome)])[0]

    def finish_many(self, ends: Sequence[AttemptEnd]) -> list[Task | None]:
        now = utcnow()
        results: list[Task | None] = []
        with self._db.transaction() as conn:
            current = self._many(conn, [end.task_id for end in ends])
            for end in ends:
                task = current.get(end.task_id)
                held = task is not None and task.lease_id == end.lease_id
                if task is None or not held or task.status is not TaskStatus.INPROGRESS:
                    results.append(None)
                    continue
                results.append(task.finished(end.outcome, now))
            ended = [t for t in results if t is not None]
            self._save_transitions(conn, [current[t.t_id] for t in ended], ended)
            closed = [(e.outcome, t.t_id) for e, t in zip(ends, results, strict=True) if t]
            conn.executemany(
                QUERIES["close_attempt"],
                ((_us(now), outcome_kind(o).value, o.error, o.traceback, i) for o, i in closed),
            )
        return results

    def record_ends(self, ends: Sequence[AttemptEnd]) -> int:
        """One read of the ended tasks' leases (no row decoded, no task built), then two
        statements for every end that holds its lease: close the attempt, end the task."""
        if not ends:
            return 0
        stamp = _us(utcnow())
        inprogress = TaskStatus.INPROGRESS.value
        with self._db.transaction() as conn:
            holders = self._lease_holders(conn, [end.task_id for end in ends])
            closes, finishes, moves = [], [], []
            for end in ends:
                held = holders.get(end.task_id)
                if held is None or held[0] != end.lease_id:
                    continue  # the lease was lost (recovered, or ended already): a late end
                del holders[end.task_id]
                t_type = held[1]
                outcome = end.outcome
                status = outcome.status.value
                finished = stamp if outcome.status.is_final else None
                kind = outcome_kind(outcome).value
                closes.append((stamp, kind, outcome.error, outcome.traceback, end.task_id))
                finishes.append(
                    (
                        status,
                        1 if outcome.refund_attempt else 0,
                        stamp,
                        finished,
                        _us(outcome.next_run_at),
                        outcome.error,
                        None if outcome.result is None else CODEC.encode(outcome.result),
                        _us(outcome.next_run_at) if outcome.next_run_at else stamp,
                        end.task_id,
                        end.lease_id,
                    )
                )
                moves.append((inprogress, t_type, None, status, t_type, finished))
            conn.executemany(QUERIES["close_attempt"], closes)
            recorded = conn.executemany(QUERIES["record_end"], finishes).rowcount
            _count_moves(conn, moves)
        return recorded

    @staticmethod
    def _lease_holders(conn: sqlite3.Connection, task_ids: list[str]) -> dict[str, tuple[str, str]]:
        """``{task_id: (lease_id, type)}`` of those of ``task_ids`` that are INPROGRESS."""
        rows = _rows_by_ids(conn, QUERIES["lease_holders"], task_ids)
        return {t_id: (lease_id, t_type) for t_id, lease_id, t_type in rows}

    def set_progress(
        self, task_id: str, lease_id: str, progress: float, message: str | None
    ) -> Task | None:
        params = (progress, message, _us(utcnow()), task_id, lease_id)
        with self._db.transaction() as conn:
            row = conn.execute(QUERIES["set_progress"], params).fetchone()
        return None if row is None else _from_row(row)

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
            held = [_from_row(r) for r in rows]
            recovered = [t.lease_lost(now) for t in held]
            self._save_transitions(conn, held, recovered)
            expired = AttemptOutcome.LEASE_EXPIRED.value
            conn.executemany(
                QUERIES["close_attempt"],
                ((_us(now), expired, t.last_error, None, t.t_id) for t in recovered),
            )
            oldest = int(now.timestamp() // 60) - _KEEP_MINUTES
            conn.execute(QUERIES["trim_minutes"], (oldest,))
        return recovered

    def _update_one(self, task_id: str, change: Callable[[Task], Task]) -> Task:
        with self._db.transaction() as conn:
            before = self._require(conn, task_id)
            task = change(before)
            self._save(conn, [before], [task])
        return task

    def requeue_failed(self, t_type: str | None = None) -> list[Task]:
        where, params = _where(TaskStatus.FAILED, t_type)
        now = utcnow()
        with self._db.transaction() as conn:
            rows = conn.execute(f"{QUERIES['select']}{where} ORDER BY t_id", params).fetchall()
            failed = [_from_row(r) for r in rows]
            tasks = [t.requeued(now) for t in failed]
            self._save(conn, failed, tasks)
        return tasks

    def failure_groups(self, limit: int) -> list[FailureGroup]:
        with self._db.connection() as conn:
            rows = conn.execute(QUERIES["failure_groups"], (limit,)).fetchall()
        groups = [FailureGroup(e, t, n, _dt(at) or utcnow()) for e, t, n, at in rows]
        return sort_groups(groups, limit)

    def requeue_failure_group(self, error: str | None, t_type: str) -> list[Task]:
        now = utcnow()
        with self._db.transaction() as conn:
            rows = conn.execute(QUERIES["failed_of_type"], (t_type,)).fetchall()
            found = [t for t in map(_from_row, rows) if error_group(t.last_error) == error]
            tasks = [t.requeued(now) for t in found]
            self._save(conn, found, tasks)
        return tasks

    def purge_finished(self, status: TaskStatus, before: datetime, limit: int) -> list[str]:
        with self._db.transaction() as conn:
            rows = conn.execute(QUERIES["purge"], (status.value, _us(before), limit)).fetchall()
        return [row[0] for row in rows]

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
            row = conn.execute(QUERIES["next_due"]).fetchone()
        return None if row is None else _dt(row[0])

    def attempts(self, task_id: str) -> list[Attempt]:
        with self._db.connection() as conn:
            rows = conn.execute(QUERIES["attempts"], (task_id,)).fetchall()
        return [
            Attempt(t, n, _dt(started) or utcnow(), w, _dt(ended), AttemptOutcome(o), e, tb)
            for t, n, started, ended, w, o, e, tb in rows
        ]

    def set_paused(self, name: str, paused: bool) -> bool:
        with self._db.transaction() as conn:
            if paused:
                cur = conn.execute(QUERIES["pause"], (name, _us(utcnow())))
            else:
                cur = conn.execute(QUERIES["resume"], (name,))
            return cur.rowcount > 0

    def pauses(self) -> list[Pause]:
        with self._db.connection() as conn:
            rows = conn.execute(QUERIES["pauses"]).fetchall()
        return [Pause(name, _dt(at) or utcnow()) for name, at in rows]

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

    # -- operations: audit log, readiness, metrics ---------------------------------------------
    def record_audit(self, entry: AuditEntry) -> AuditEntry:
        entry = entry.trimmed()
        row = (_us(entry.at), entry.role, entry.client, entry.action, entry.target, entry.count)
        with self._db.transaction() as conn:
            cursor = conn.execute(OPERATIONS["audit_insert"], row)
        return replace(entry, id=cursor.lastrowid)

    def audit_page(self, limit: int, offset: int) -> tuple[list[AuditEntry], int]:
        with self._db.connection() as conn:
            rows = conn.execute(OPERATIONS["audit_page"], (limit, offset)).fetchall()
            total = conn.execute(OPERATIONS["audit_count"]).fetchone()[0]
        return [_audit_entry(row) for row in rows], total

    def oldest_queued(self) -> dict[str, datetime]:
        oldest: dict[str, datetime] = {}
        with self._db.connection() as conn:
            for (t_type,) in conn.execute(OPERATIONS["queued_types"]).fetchall():
                due = _dt(conn.execute(OPERATIONS["oldest_queued"], (t_type,)).fetchone()[0])
                if due is not None:
                    oldest[t_type] = due
        return oldest

    def probe(self) -> None:
        """Whether this process may still write the file (a pooled connection keeps the access
        it was opened with, and SQLite reuses such file descriptors for new ones, so a file made
        read-only since would still take their writes), then one upsert of the readiness row."""
        if not os.access(self.path, os.W_OK):
            raise StoreUnavailable(
                f"The SQLite database {self.path} is read-only: this process may not write it"
            )
        with self._db.transaction() as conn:
            conn.execute(OPERATIONS["probe"], (_us(utcnow()),))

    def close(self) -> None:
        """Stop the watcher and close the store's connections; later calls raise
        :class:`StoreUnavailable`."""
        if self._watcher is not None:
            self._watcher.stop()
            self._watcher = None
        self._db.close()
