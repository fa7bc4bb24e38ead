"""``postgresql://…``: one queue shared by any number of processes on any number of machines.

psycopg 3 with a connection pool. Claims take up to ``limit`` due tasks in one statement with
``FOR UPDATE SKIP LOCKED``, so claimers never wait for each other; a batch of ends is one
statement, each end fenced by its lease id. Claim, renew and finish commit with
``synchronous_commit = off`` (a commit lost in a server crash only makes a lease run out and the
task run again); ``add`` always commits durably. Adding or requeueing work sends a NOTIFY;
:meth:`PostgresStore.set_wakeup` starts a listener so an idle dispatcher starts new work within
milliseconds. A server that cannot be reached raises :class:`~pyqueue.errors.StoreUnavailable`;
the pool reconnects when it returns.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Any, LiteralString

import psycopg
import psycopg.errors
from psycopg.types.json import Json

from pyqueue.enums import TaskStatus
from pyqueue.errors import InvalidTaskState, StoreUnavailable, TaskNotFound
from pyqueue.models.audit import AuditEntry
from pyqueue.models.control import Attempt, AttemptOutcome, Pause, outcome_kind
from pyqueue.models.failures import FailureGroup, sort_groups
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
    COLUMNS,
    WRITE_LIST,
    ManualActions,
    RowCodec,
    dumps,
    literal,
    load_queries,
)
from pyqueue.stores.postgres.connection import Database, retry_conflicts
from pyqueue.stores.postgres.listener import CHANNEL, Listener
from pyqueue.stores.postgres.migrate import migrate
from pyqueue.stores.postgres.schedules import PostgresSchedules

logger = logging.getLogger("pyqueue.stores.postgres")

QUERIES = load_queries(
    "pyqueue.stores.postgres",
    placeholders={"{returned}": ", ".join(f"t.{c}" for c in COLUMNS)},  # UPDATE … FROM's own
)
_RECORD_ENDS = load_queries(
    "pyqueue.stores.postgres", placeholders={"{returned}": "t.t_id, t.status"}
)["finish_batch"]
"""``finish_batch`` returning only what ``record_ends`` counts (no row sent back and decoded)."""
OPERATIONS = load_queries("pyqueue.stores.postgres", "operations.sql")
_PRIORITY = COLUMNS.index("priority")
_CHUNK = 500
_ONE_STATEMENT = 32
"""Up to this many tasks without idempotency keys are added by one statement; more by COPY."""
_KEY_TRIES = 5
"""How often enqueue reads the owner of a key that vanished between its insert and its read."""


def _json(value: Any) -> Json:
    return Json(value, dumps=dumps)


def _utc(value: datetime | None) -> datetime | None:
    return None if value is None else value.astimezone(UTC)


def _same(value: Any) -> Any:
    return value


CODEC = RowCodec(stamp=_same, unstamp=_utc, encode=_json, decode=_same)
_to_row, _from_row = CODEC.to_row, CODEC.from_row
_ARRAY_CODEC = RowCodec(stamp=_same, unstamp=_utc, encode=dumps, decode=_same)
"""Rows for :func:`_arrays`: JSON as text (cast to ``json`` by the statement)."""


@dataclass(frozen=True, slots=True)
class _Inserts:
    """The ways ``add`` writes new rows, built once from the table's column types.

    - ``unnest``: ``INSERT … SELECT FROM unnest(…)`` with one array parameter per column, sent in
      binary: one short statement whatever the batch size, where a ``VALUES`` list of a batch of
      500 has nearly 10,000 placeholders for the driver to parse (measured about 3x slower).
    - ``unnest_notify``: the same and its NOTIFY as one statement, so a small batch without
      idempotency keys is one round trip and one commit (a transaction of the two, even pipelined,
      measured 0.8 ms against 0.5 ms for one task).
    - ``one_notify``: one task's row as ``VALUES`` and its NOTIFY, one statement: scalar
      parameters, where one-element arrays cost the driver and the server more (0.37 against
      0.47 ms a task, one at a time).
    - ``copy`` and ``copy_types``: ``COPY … FROM STDIN`` in binary for a larger batch without keys;
      psycopg formats its rows in C, where it dumps the arrays of ``unnest`` element by element in
      Python (a batch of 500 measured 1.4x the rate).
    """

    unnest: LiteralString
    unnest_notify: LiteralString
    one_notify: LiteralString
    copy: LiteralString
    copy_types: tuple[str, ...]

    @classmethod
    def build(cls, conn: psycopg.Connection[Any]) -> _Inserts:
        types = dict(conn.execute(QUERIES["column_types"]).fetchall())
        names = WRITE_LIST.split(", ")
        arrays = ", ".join(f"%b::{'text' if types[n] == 'json' else types[n]}[]" for n in names)
        values = ", ".join(f"{n}::json" if types[n] == "json" else n for n in names)
        unnest = literal(
            f"INSERT INTO pyqueue_tasks ({WRITE_LIST}) SELECT {values} "  # noqa: S608
            f"FROM unnest({arrays}) AS u({WRITE_LIST})"
        )
        one = ", ".join("%s::json" if types[n] == "json" else "%s" for n in names)
        notify = f"SELECT pg_notify('{CHANNEL}', 'work') WHERE EXISTS (SELECT FROM added)"  # noqa: S608
        return cls(
            unnest=unnest,
            unnest_notify=literal(f"WITH added AS ({unnest} RETURNING 1) {notify}"),
            one_notify=literal(
                f"WITH added AS (INSERT INTO pyqueue_tasks ({WRITE_LIST}) "  # noqa: S608
                f"VALUES ({one}) RETURNING 1) {notify}"
            ),
            copy=literal(f"COPY pyqueue_tasks ({WRITE_LIST}) FROM STDIN (FORMAT BINARY)"),
            # json travels as its text: in binary COPY a json value is the text itself
            copy_types=tuple("text" if types[n] == "json" else types[n] for n in names),
        )


def _arrays(tasks: Sequence[Task]) -> list[list[Any]]:
    """The parameters of :attr:`_Inserts.unnest`: one list per column."""
    return _columns(map(_ARRAY_CODEC.to_row, tasks))


def _columns(rows: Iterable[tuple[Any, ...]]) -> list[list[Any]]:
    """Rows turned into one list per column."""
    return [list(column) for column in zip(*rows, strict=True)]


_STATUSES = [status.value for status in TaskStatus]


def _where(status: TaskStatus | None, t_type: str | None) -> tuple[LiteralString, list[Any]]:
    if status is not None and t_type is not None:
        return " WHERE status = %s AND t_type = %s", [status.value, t_type]
    if status is not None:
        return " WHERE status = %s", [status.value]
    if t_type is not None:  # every status named: a walk of pyqueue_tasks_status_type per status
        return " WHERE status = ANY(%s) AND t_type = %s", [_STATUSES, t_type]
    return "", []


def page_sql(query: TaskQuery) -> tuple[LiteralString, list[Any]]:
    """The SQL and parameters of one page of tasks, newest (or oldest) first by id.

    A page of one type (whatever the status) is one branch per status, each a walk of
    ``pyqueue_tasks_status_type`` in id order that stops after the page, merged: so no index on
    (type, id) is kept up to date by every insert and every transition."""
    order: LiteralString = "ASC" if query.order == "asc" else "DESC"
    past: LiteralString = "t_id > %s" if order == "ASC" else "t_id < %s"
    cursor = [] if query.after is None else [query.after]
    if query.status is None and query.t_type is not None:
        branch: LiteralString = QUERIES["select"] + " WHERE status = %s AND t_type = %s"
        if cursor:  # the keyset cursor: past the previous page's last id
            branch += " AND " + past
        branch += " ORDER BY t_id " + order + " LIMIT %s"
        branches = " UNION ALL ".join([f"({branch})"] * len(TaskStatus))
        params: list[Any] = []
        for status in TaskStatus:
            params += [status.value, query.t_type, *cursor, query.limit + query.offset]
        merged = f"SELECT * FROM ({branches}) AS page ORDER BY t_id {order}"  # noqa: S608
        sql = literal(merged + " LIMIT %s OFFSET %s")
        return sql, [*params, query.limit, query.offset]
    where, params = _where(query.status, query.t_type)
    if cursor:
        where += (" AND " if where else " WHERE ") + past
    sql = QUERIES["select"] + where + " ORDER BY t_id " + order + " LIMIT %s OFFSET %s"
    return sql, [*params, *cursor, query.limit, query.offset]


class PostgresStore(ManualActions, PostgresSchedules):
    blocking = True
    writers = 2
    _codec = CODEC

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
            self._inserts = _Inserts.build(conn)
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
    def add(self, tasks: Sequence[Task], payloads: Sequence[str] | None = None) -> list[Task]:
        if not tasks:
            return []
        try:
            if any(t.idempotency_key is not None for t in tasks):
                return self._add_keyed(tasks)
            texts = payloads if payloads is not None else [None] * len(tasks)
            to_row = _ARRAY_CODEC.to_row
            rows = (to_row(t, text) for t, text in zip(tasks, texts, strict=True))
            if len(tasks) <= _ONE_STATEMENT:
                with self._db.connection() as conn:  # autocommit: one statement, one commit
                    if len(tasks) == 1:
                        conn.execute(self._inserts.one_notify, next(rows))
                    else:
                        conn.execute(self._inserts.unnest_notify, _columns(rows))
                return list(tasks)
            with self._db.transaction() as conn:
                with conn.cursor() as cursor, cursor.copy(self._inserts.copy) as copy:
                    copy.set_types(self._inserts.copy_types)
                    for row in rows:
                        copy.write_row(row)
                self._notify(conn)
            return list(tasks)
        except psycopg.errors.UniqueViolation as exc:
            raise InvalidTaskState("A job with one of these ids already exists") from exc

    def _add_keyed(self, tasks: Sequence[Task]) -> list[Task]:
        """``add`` when some task has an idempotency key: an insert that skips a key in use,
        then a read of the tasks that have the keys skipped."""
        stored: dict[str, Task] = {}
        with self._db.transaction(pipeline=True) as conn:  # BEGIN, INSERT, NOTIFY, COMMIT
            for start in range(0, len(tasks), _CHUNK):
                stored.update(self._insert(conn, tasks[start : start + _CHUNK]))
            if len(stored) < len(tasks):  # some were inserted
                self._notify(conn)
        return [stored.get(t.t_id, t) for t in tasks]

    def _insert(self, conn: psycopg.Connection[Any], chunk: Sequence[Task]) -> dict[str, Task]:
        """Insert ``chunk``; ``{id: task stored instead}`` for each task whose idempotency key
        another task has (nothing is inserted for it)."""
        keyed = [t for t in chunk if t.idempotency_key is not None]
        if not keyed:
            conn.execute(self._inserts.unnest, _arrays(chunk))
            return {}
        sql = self._inserts.unnest + " " + QUERIES["on_key_conflict"]
        inserted = {row[0] for row in conn.execute(sql, _arrays(chunk)).fetchall()}
        instead: dict[str, Task] = {}
        waiting = [t for t in keyed if t.t_id not in inserted]
        for _ in range(_KEY_TRIES):
            if not waiting:
                return instead
            keys = [t.idempotency_key for t in waiting]
            rows = conn.execute(QUERIES["get_by_keys"], {"keys": keys}).fetchall()
            owners = {task.idempotency_key: task for task in map(_from_row, rows)}
            gone = [t for t in waiting if t.idempotency_key not in owners]
            instead.update({t.t_id: owners[t.idempotency_key] for t in waiting if t not in gone})
            waiting = []
            for task in gone:  # its owner was deleted since the insert: try again
                row = conn.execute(sql, _arrays([task])).fetchone()
                if row is None:
                    waiting.append(task)
        if waiting:  # a key's owner kept vanishing between the insert and the read
            raise InvalidTaskState(
                f"The idempotency key {waiting[0].idempotency_key!r} is being changed by others; "
                "try again"
            )
        return instead

    def get(self, task_id: str) -> Task | None:
        with self._db.connection() as conn:
            return self._one(conn, "get", task_id)

    def list_tasks(self, query: TaskQuery) -> tuple[list[Task], int]:
        where, params = _where(query.status, query.t_type)
        total_sql = f"SELECT coalesce(sum(n), 0) FROM pyqueue_counts{where}"  # noqa: S608
        page, page_params = page_sql(query)
        with self._db.connection() as conn:
            with conn.pipeline():
                rows = conn.execute(page, page_params)
                total = conn.execute(total_sql, params)
            found = total.fetchone()
            return [_from_row(r) for r in rows.fetchall()], int(found[0]) if found else 0

    def claim(self, limit: int, lease_seconds: float, worker: str = "") -> list[Task]:
        if limit <= 0:  # LIMIT refuses a negative count
            return []
        now = utcnow()
        expires = now + timedelta(seconds=lease_seconds)
        params = {"now": now, "limit": limit, "expires": expires, "worker": worker}
        rows = self._db.fast(QUERIES["claim"], params, ordered_walk=True)
        # in claim order: highest priority, then the run_at each had while QUEUED, then id
        rows.sort(key=lambda r: (-r[_PRIORITY], r[-1], r[0]))
        return [_from_row(r) for r in rows]

    def explain_claim(self, limit: int = 8) -> str:
        """The plan of :meth:`claim` as it runs now (``EXPLAIN``, nothing claimed): it should be
        an ordered walk of ``pyqueue_tasks_ready`` that stops after ``limit`` due tasks."""
        now = utcnow()
        params = {"now": now, "limit": limit, "expires": now, "worker": ""}
        rows = self._db.fast("EXPLAIN " + QUERIES["claim"], params, ordered_walk=True)
        return "\n".join(str(row[0]) for row in rows)

    def finish(self, task_id: str, lease_id: str, outcome: Outcome) -> Task | None:
        return self.finish_many([AttemptEnd(task_id, lease_id, outcome)])[0]

    def finish_many(self, ends: Sequence[AttemptEnd]) -> list[Task | None]:
        """One statement for the whole batch (``UPDATE … FROM unnest(…)``, so the count triggers
        run once per batch, not once per task: drains 2,150 → 2,580/s), in one round trip,
        committed without waiting for the WAL flush: a lost commit only means the attempt runs
        again. Rows are locked in id order, as ``renew`` locks them, so concurrent batches never
        deadlock; the statement sends the NOTIFY itself when an end requeued a task."""
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
        saved = {
            task.t_id: task
            for task in map(
                _from_row, self._db.fast(QUERIES["finish_batch"], _batch(ends), by_key=True)
            )
        }
        return [saved.get(e.task_id) for e in ends]

    def record_ends(self, ends: Sequence[AttemptEnd]) -> int:
        """``finish_many``'s statement, returning only ids: nothing sent back to decode."""
        if not ends:
            return 0
        in_order = sorted(ends, key=lambda end: end.task_id)
        return len(
            retry_conflicts(lambda: self._db.fast(_RECORD_ENDS, _batch(in_order), by_key=True))
        )

    def explain_record_ends(self, ends: Sequence[AttemptEnd]) -> str:
        """The plan of :meth:`record_ends` (and :meth:`finish_many`) as it runs now (``EXPLAIN``,
        nothing recorded): its rows should be read by primary key, whatever the statistics say."""
        in_order = sorted(ends, key=lambda end: end.task_id)
        rows = self._db.fast("EXPLAIN " + _RECORD_ENDS, _batch(in_order), by_key=True)
        return "\n".join(str(row[0]) for row in rows)

    def set_progress(
        self, task_id: str, lease_id: str, progress: float, message: str | None
    ) -> Task | None:
        params = {
            "t_id": task_id,
            "lease_id": lease_id,
            "progress": progress,
            "message": message,
            "now": utcnow(),
        }
        with self._db.connection() as conn:
            row = conn.execute(QUERIES["set_progress"], params).fetchone()
        return None if row is None else _from_row(row)

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
            if recovered:
                expired = AttemptOutcome.LEASE_EXPIRED.value
                with conn.cursor() as cur:
                    cur.executemany(
                        QUERIES["close_attempt"],
                        [
                            {"now": now, "outcome": expired, "error": t.last_error, "t_id": t.t_id}
                            for t in recovered
                        ],
                    )
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

    def failure_groups(self, limit: int) -> list[FailureGroup]:
        with self._db.connection() as conn:
            rows = conn.execute(QUERIES["failure_groups"], {"limit": limit}).fetchall()
        groups = [FailureGroup(e, t, int(n), at.astimezone(UTC)) for e, t, n, at in rows]
        return sort_groups(groups, limit)

    def requeue_failure_group(self, error: str | None, t_type: str) -> list[Task]:
        now = utcnow()
        params = {"t_type": t_type, "error": error}
        with self._db.transaction() as conn:
            rows = conn.execute(QUERIES["failed_group_for_update"], params).fetchall()
            tasks = [_from_row(r).requeued(now) for r in rows]
            self._save(conn, tasks)
            if tasks:
                self._notify(conn)
        return tasks

    def purge_finished(self, status: TaskStatus, before: datetime, limit: int) -> list[str]:
        params = {"status": status.value, "before": before, "limit": limit}
        with self._db.transaction() as conn:
            return [row[0] for row in conn.execute(QUERIES["purge"], params).fetchall()]

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

    # -- operations: audit log, readiness, metrics ---------------------------------------------
    def record_audit(self, entry: AuditEntry) -> AuditEntry:
        entry = entry.trimmed()
        params = {
            "at": entry.at,
            "role": entry.role,
            "client": entry.client,
            "action": entry.action,
            "target": entry.target,
            "count": entry.count,
        }
        with self._db.connection() as conn:
            row = conn.execute(OPERATIONS["audit_insert"], params).fetchone()
        assert row is not None
        return replace(entry, id=int(row[0]))

    def audit_page(self, limit: int, offset: int) -> tuple[list[AuditEntry], int]:
        with self._db.connection() as conn:
            with conn.pipeline():
                rows = conn.execute(OPERATIONS["audit_page"], {"limit": limit, "offset": offset})
                count = conn.execute(OPERATIONS["audit_count"])
            found = count.fetchone()
            entries = [
                AuditEntry(at.astimezone(UTC), role, client, action, target, n, id=int(i))
                for i, at, role, client, action, target, n in rows.fetchall()
            ]
        return entries, int(found[0]) if found else 0

    def oldest_queued(self) -> dict[str, datetime]:
        with self._db.connection() as conn:
            rows = conn.execute(OPERATIONS["oldest_queued"]).fetchall()
        return {t_type: due.astimezone(UTC) for t_type, due in rows if due is not None}

    def probe(self) -> None:
        """One upsert of the readiness row, under a short statement timeout; any server error
        (a dropped table too) is :class:`StoreUnavailable`."""
        try:
            with self._db.transaction() as conn:
                conn.execute("SET LOCAL statement_timeout = '2s'")
                conn.execute(OPERATIONS["probe"], {"now": utcnow()})
        except psycopg.Error as exc:
            raise StoreUnavailable(f"PostgreSQL refused the readiness write: {exc}") from exc

    def attempts(self, task_id: str) -> list[Attempt]:
        with self._db.connection() as conn:
            rows = conn.execute(QUERIES["attempts"], {"t_id": task_id}).fetchall()
        return [
            Attempt(t, n, started.astimezone(UTC), w, _utc(ended), AttemptOutcome(o), e, tb)
            for t, n, started, ended, w, o, e, tb in rows
        ]

    def set_paused(self, name: str, paused: bool) -> bool:
        """Pausing is seen by the next claim; resuming also wakes idle processes (NOTIFY)."""
        with self._db.transaction() as conn:
            if paused:
                cur = conn.execute(QUERIES["pause"], {"name": name, "now": utcnow()})
            else:
                cur = conn.execute(QUERIES["resume"], {"name": name})
                if cur.rowcount:
                    self._notify(conn)
            return cur.rowcount > 0

    def pauses(self) -> list[Pause]:
        with self._db.connection() as conn:
            rows = conn.execute(QUERIES["pauses"]).fetchall()
        return [Pause(name, at.astimezone(UTC)) for name, at in rows]

    def close(self) -> None:
        """Stop the listener and close every pooled connection."""
        if self._listener is not None:
            self._listener.stop()
            self._listener = None
        self._db.close()


_BATCH_KEYS = (
    "t_id", "lease_id", "status", "refund", "finished_at", "next_run_at", "run_at", "error",
    "result", "outcome", "traceback",
)  # fmt: skip


def _batch(ends: Sequence[AttemptEnd]) -> dict[str, Any]:
    """The parameters of ``finish_batch`` for ``ends`` (in id order), ended now."""
    now = utcnow()
    rows = [_finish_params(e.task_id, e.lease_id, e.outcome, now) for e in ends]
    params: dict[str, Any] = {key: [row[key] for row in rows] for key in _BATCH_KEYS}
    params["now"], params["channel"] = now, CHANNEL
    return params


def _finish_params(task_id: str, lease_id: str, outcome: Outcome, now: datetime) -> dict[str, Any]:
    """One end's values in ``finish_batch`` (which mirrors :meth:`Task.finished`); the result as
    JSON text, cast to ``json`` by the statement."""
    return {
        "t_id": task_id,
        "lease_id": lease_id,
        "status": outcome.status.value,
        "refund": 1 if outcome.refund_attempt else 0,
        "finished_at": now if outcome.status.is_final else None,
        "next_run_at": outcome.next_run_at,
        "run_at": outcome.next_run_at or now,
        "error": outcome.error,
        "result": None if outcome.result is None else dumps(outcome.result),
        "outcome": outcome_kind(outcome).value,
        "traceback": outcome.traceback,
    }
