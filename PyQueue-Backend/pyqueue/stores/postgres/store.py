"""``postgresql://…``: one queue shared by any number of processes on any number of machines.

psycopg 3 with a connection pool. Claims take up to ``limit`` due tasks in one statement with
``FOR UPDATE SKIP LOCKED``, so claimers never wait for each other; ``finish`` is one statement
fenced by the lease id. Claim, renew and finish commit with ``synchronous_commit = off`` (a commit
lost in a server crash only makes a lease run out and the task run again); ``add`` always commits
durably. Adding or requeueing work sends a NOTIFY; :meth:`PostgresStore.set_wakeup` starts a
listener so an idle dispatcher starts new work within milliseconds. A server that cannot be reached
raises :class:`~pyqueue.errors.StoreUnavailable`; the pool reconnects when it returns.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any, LiteralString

import psycopg
import psycopg.errors
from psycopg.types.json import Json

from pyqueue.enums import TaskStatus
from pyqueue.errors import InvalidTaskState, TaskNotFound
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
from pyqueue.stores.common import COLUMNS, ManualActions, RowCodec, dumps, load_queries
from pyqueue.stores.postgres.connection import Database, retry_conflicts
from pyqueue.stores.postgres.listener import CHANNEL, Listener
from pyqueue.stores.postgres.migrate import migrate

logger = logging.getLogger("pyqueue.stores.postgres")

QUERIES = load_queries("pyqueue.stores.postgres")
_PRIORITY = COLUMNS.index("priority")
_INSERT_ROW = "(" + ", ".join(["%s"] * (len(COLUMNS) + 1)) + ")"
_CHUNK = 500


def _json(value: Any) -> Json:
    return Json(value, dumps=dumps)


def _utc(value: datetime | None) -> datetime | None:
    return None if value is None else value.astimezone(UTC)


def _same(value: Any) -> Any:
    return value


CODEC = RowCodec(stamp=_same, unstamp=_utc, encode=_json, decode=_same)
_to_row, _from_row = CODEC.to_row, CODEC.from_row


def _where(status: TaskStatus | None, t_type: str | None) -> tuple[LiteralString, list[Any]]:
    if status is not None and t_type is not None:
        return " WHERE status = %s AND t_type = %s", [status.value, t_type]
    if status is not None:
        return " WHERE status = %s", [status.value]
    if t_type is not None:
        return " WHERE t_type = %s", [t_type]
    return "", []


class PostgresStore(ManualActions):
    blocking = True

    def __init__(
        self,
        url: str,
        pool_size: int | None = None,
        connect_timeout: float = 10.0,
        wait_timeout: float = 5.0,
    ) -> None:
        self._url = url
        self._listener: Listener | None = None
        self._db = Database(url, pool_size, connect_timeout, wait_timeout)
        with self._db.connection() as conn:
            migrate(conn)
        self._trims = 0
        logger.info("PostgreSQL store ready (pool of up to %d)", self._db.max_size)

    # -- helpers ------------------------------------------------------------------------------
    def _one(self, conn: psycopg.Connection[Any], name: str, task_id: str) -> Task | None:
        row = conn.execute(QUERIES[name], {"t_id": task_id}).fetchone()
        return None if row is None else _from_row(row)

    def _require(self, conn: psycopg.Connection[Any], task_id: str) -> Task:
        task = self._one(conn, "get_for_update", task_id)
        if task is None:
            raise TaskNotFound(task_id)
        return task

    @staticmethod
    def _save(conn: psycopg.Connection[Any], tasks: Iterable[Task]) -> None:
        rows = [(*_to_row(t)[1:], t.t_id) for t in tasks]
        if rows:
            with conn.cursor() as cur:
                cur.executemany(QUERIES["update"], rows)

    @staticmethod
    def _notify(conn: psycopg.Connection[Any], what: str = "work") -> None:
        conn.execute(QUERIES["notify"], {"channel": CHANNEL, "what": what})

    def set_wakeup(self, callback: Callable[[], None]) -> Listener:
        """Call ``callback`` whenever any process adds or requeues work (LISTEN/NOTIFY)."""
        if self._listener is not None:
            self._listener.stop()
        self._listener = Listener(self._url, callback)
        self._listener.start()
        return self._listener

    # -- the protocol -------------------------------------------------------------------------
    def add(self, tasks: Sequence[Task]) -> None:
        try:
            with self._db.transaction() as conn:
                for start in range(0, len(tasks), _CHUNK):
                    chunk = tasks[start : start + _CHUNK]
                    values = ", ".join([_INSERT_ROW] * len(chunk))
                    params = [value for task in chunk for value in _to_row(task)]
                    conn.execute(QUERIES["insert"] + " " + values, params)
                self._notify(conn)
        except psycopg.errors.UniqueViolation as exc:
            raise InvalidTaskState("A job with one of these ids already exists") from exc

    def get(self, task_id: str) -> Task | None:
        with self._db.connection() as conn:
            return self._one(conn, "get", task_id)

    def list_tasks(self, query: TaskQuery) -> tuple[list[Task], int]:
        where, params = _where(query.status, query.t_type)
        order: LiteralString = "ASC" if query.order == "asc" else "DESC"
        page = QUERIES["select"] + where + " ORDER BY t_id " + order
        total_sql = f"SELECT coalesce(sum(n), 0) FROM pyqueue_counts{where}"  # noqa: S608
        with self._db.connection() as conn:
            with conn.pipeline():
                rows = conn.execute(
                    page + " LIMIT %s OFFSET %s", [*params, query.limit, query.offset]
                )
                total = conn.execute(total_sql, params)
            found = total.fetchone()
            return [_from_row(r) for r in rows.fetchall()], int(found[0]) if found else 0

    def claim(self, limit: int, lease_seconds: float) -> list[Task]:
        now = utcnow()
        expires = now + timedelta(seconds=lease_seconds)
        rows = self._db.fast(QUERIES["claim"], {"now": now, "limit": limit, "expires": expires})
        # in claim order: highest priority, then the run_at each had while QUEUED, then id
        rows.sort(key=lambda r: (-r[_PRIORITY], r[-1], r[0]))
        return [_from_row(r) for r in rows]

    def finish(self, task_id: str, lease_id: str, outcome: Outcome) -> Task | None:
        return self.finish_many([AttemptEnd(task_id, lease_id, outcome)])[0]

    def finish_many(self, ends: Sequence[AttemptEnd]) -> list[Task | None]:
        """One transaction, one round trip (a pipelined ``executemany``), committed without
        waiting for the WAL flush: a lost commit only means the attempt runs again. Rows are
        updated in id order, as ``renew`` locks them, so concurrent batches never deadlock."""
        if not ends:
            return []
        order = sorted(range(len(ends)), key=lambda i: ends[i].task_id)
        in_order = [ends[i] for i in order]
        saved = retry_conflicts(lambda: self._finish_sorted(in_order))
        results: list[Task | None] = [None] * len(ends)
        for position, task in zip(order, saved, strict=True):
            results[position] = task
        return results

    def _finish_sorted(self, ends: Sequence[AttemptEnd]) -> list[Task | None]:
        now = utcnow()
        params = [_finish_params(e.task_id, e.lease_id, e.outcome, now) for e in ends]
        results: list[Task | None] = []
        with self._db.transaction(fast=True) as conn:
            cur = conn.cursor()
            cur.executemany(QUERIES["finish"], params, returning=True)
            while True:
                row = cur.fetchone()
                results.append(None if row is None else _from_row(row))
                if not cur.nextset():
                    break
            requeued = any(t is not None and t.status is TaskStatus.QUEUED for t in results)
            if requeued:
                self._notify(conn)
        return results

    def renew(self, leases: Mapping[str, str], lease_seconds: float) -> RenewResult:
        expires = utcnow() + timedelta(seconds=lease_seconds)
        params = {"expires": expires, "ids": list(leases), "leases": list(leases.values())}
        rows = retry_conflicts(lambda: self._db.fast(QUERIES["renew"], params))
        kept = {task_id for task_id, _ in rows}
        return RenewResult(
            lost=set(leases) - kept,
            cancel_requested={task_id for task_id, cancel in rows if cancel},
        )

    def recover_expired(self) -> list[Task]:
        now = utcnow()
        with self._db.transaction() as conn:
            rows = conn.execute(QUERIES["expired"], {"now": now}).fetchall()
            recovered = [_from_row(r).lease_lost(now) for r in rows]
            self._save(conn, recovered)
            if any(t.status is TaskStatus.QUEUED for t in recovered):
                self._notify(conn)
            self._trims = (self._trims + 1) % 600
            if self._trims == 1:
                conn.execute(QUERIES["trim_minutes"], {"before": now - THROUGHPUT_KEEP})
        return recovered

    def _update_one(self, task_id: str, change: Callable[[Task], Task]) -> Task:
        """Load, change and save one task; tells other processes when it has work or must stop."""
        with self._db.transaction() as conn:
            task = change(self._require(conn, task_id))
            self._save(conn, [task])
            if task.status is TaskStatus.QUEUED:
                self._notify(conn)
            elif task.cancel_requested:
                self._notify(conn, "cancel")
        return task

    def requeue_failed(self, t_type: str | None = None) -> list[Task]:
        now = utcnow()
        with self._db.transaction() as conn:
            rows = conn.execute(QUERIES["failed_for_update"], {"t_type": t_type}).fetchall()
            tasks = [_from_row(r).requeued(now) for r in rows]
            self._save(conn, tasks)
            if tasks:
                self._notify(conn)
        return tasks

    def delete(self, task_id: str) -> Task | None:
        with self._db.connection() as conn:
            return self._one(conn, "delete", task_id)

    def clear(self, status: TaskStatus | None = None, t_type: str | None = None) -> int:
        where, params = _where(status, t_type)
        with self._db.connection() as conn:
            cur = conn.execute(f"DELETE FROM pyqueue_tasks{where}", params)  # noqa: S608
            return cur.rowcount

    def counts(self) -> Counts:
        with self._db.connection() as conn:
            rows = conn.execute(QUERIES["counts"]).fetchall()
        return Counts.from_rows(rows)

    def throughput(self, since: datetime) -> list[MinuteCount]:
        with self._db.connection() as conn:
            rows = conn.execute(QUERIES["throughput"], {"since": since}).fetchall()
        return [MinuteCount(m.astimezone(UTC), int(c), int(f)) for m, c, f in rows]

    def changed_since(self, since: datetime, limit: int) -> list[Task]:
        """Tasks changed at or after ``since``, oldest change first (the event relay's feed)."""
        with self._db.connection() as conn:
            rows = conn.execute(QUERIES["changed_since"], {"since": since, "limit": limit})
            return [_from_row(r) for r in rows.fetchall()]

    def report_workers(self, process_id: str, busy: int, total: int) -> None:
        name = "report_workers" if total else "forget_workers"
        params = {"process_id": process_id, "busy": busy, "total": total, "seen_at": utcnow()}
        with self._db.connection() as conn:
            conn.execute(QUERIES[name], params)

    def worker_totals(self, fresh_since: datetime, exclude: str) -> WorkerTotals:
        params = {"fresh_since": fresh_since, "exclude": exclude}
        with self._db.connection() as conn:
            row = conn.execute(QUERIES["worker_totals"], params).fetchone()
        return WorkerTotals(*row) if row else WorkerTotals()

    def next_due(self) -> datetime | None:
        with self._db.connection() as conn:
            row = conn.execute(QUERIES["next_due"]).fetchone()
        return _utc(row[0]) if row else None

    def close(self) -> None:
        """Stop the listener and close every pooled connection."""
        if self._listener is not None:
            self._listener.stop()
            self._listener = None
        self._db.close()


def _finish_params(task_id: str, lease_id: str, outcome: Outcome, now: datetime) -> dict[str, Any]:
    """The parameters of the ``finish`` statement, which mirrors :meth:`Task.finished`."""
    return {
        "t_id": task_id,
        "lease_id": lease_id,
        "status": outcome.status.value,
        "refund": 1 if outcome.refund_attempt else 0,
        "now": now,
        "finished_at": now if outcome.status.is_final else None,
        "next_run_at": outcome.next_run_at,
        "run_at": outcome.next_run_at or now,
        "error": outcome.error,
        "result": None if outcome.result is None else _json(outcome.result),
    }
