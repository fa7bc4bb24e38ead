"""What only the PostgreSQL store promises: migrations, NOTIFY wake-ups, outages as 503s."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from dataclasses import replace
from datetime import timedelta
from urllib.parse import urlsplit

import psycopg
import pytest

from pyqueue.enums import TaskStatus
from pyqueue.errors import InvalidTaskState, StoreUnavailable
from pyqueue.models.task import Outcome, Task, utcnow
from pyqueue.models.values import AttemptEnd, TaskQuery
from pyqueue.stores.common import COLUMNS, literal, read_sql
from pyqueue.stores.postgres import PostgresStore, connection
from pyqueue.stores.postgres.migrate import SCHEMA_VERSION, migrate, migrations
from pyqueue.stores.postgres.store import page_sql
from tests.stores.factory import (
    POSTGRES_URL,
    SCHEMA,
    drop_schema,
    postgres_url,
    require_postgres,
    reset_schema,
)
from tests.stores.helpers import added, new
from tests.stores.tcp_proxy import TcpProxy

pytestmark = pytest.mark.postgres


@pytest.fixture
def empty_schema(postgres_ready: bool) -> Iterator[str]:
    require_postgres(postgres_ready)
    reset_schema()
    yield postgres_url()
    drop_schema()


def _tables(conn: psycopg.Connection[tuple[object, ...]]) -> set[str]:
    rows = conn.execute(
        "SELECT table_name FROM information_schema.tables WHERE table_schema = %s", (SCHEMA,)
    )
    return {str(r[0]) for r in rows}


def test_migrating_from_empty_gives_the_declared_schema(empty_schema: str) -> None:
    PostgresStore(empty_schema).close()
    with psycopg.connect(empty_schema) as conn:
        assert _tables(conn) == {
            "pyqueue_tasks",
            "pyqueue_counts",
            "pyqueue_minutes",
            "pyqueue_schema_version",
            "pyqueue_workers",
            "pyqueue_attempts",
            "pyqueue_pauses",
            "pyqueue_audit",
            "pyqueue_readiness",
            "pyqueue_schedules",
        }
        columns = conn.execute(
            "SELECT column_name FROM information_schema.columns"
            " WHERE table_schema = %s AND table_name = 'pyqueue_tasks' ORDER BY ordinal_position",
            (SCHEMA,),
        ).fetchall()
        # the task columns then run_at, as 0001 created them; 0003 added priority after them,
        # later migrations (0004: the control columns) the columns after priority, in order
        first = COLUMNS.index("priority")
        assert [c[0] for c in columns] == [*COLUMNS[:first], "run_at", *COLUMNS[first:]]
        versions = conn.execute("SELECT version FROM pyqueue_schema_version ORDER BY 1").fetchall()
        assert [v[0] for v in versions] == [v for v, _ in migrations()]
        assert versions[-1][0] == SCHEMA_VERSION
        assert migrate(conn) == []
        assert conn.execute("SELECT count(*) FROM pyqueue_schema_version").fetchone() == (
            len(versions),
        )


def test_a_version_2_database_gets_priorities_keeping_its_tasks(empty_schema: str) -> None:
    """0003 adds the priority column (existing tasks get 0) and swaps the claim index."""
    old = new()
    columns = "t_id, t_type, payload, status, attempts, max_retries, created_at, updated_at, run_at"
    # a database migrated up to 0002 only, with one task
    with psycopg.connect(empty_schema) as conn, conn.transaction():
        conn.execute(
            "CREATE TABLE pyqueue_schema_version (version integer PRIMARY KEY,"
            " name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())"
        )
        for version, name in migrations()[:2]:
            conn.execute(literal(read_sql("pyqueue.stores.postgres", f"migrations/{name}")))
            conn.execute(
                "INSERT INTO pyqueue_schema_version (version, name) VALUES (%s, %s)",
                (version, name),
            )
        conn.execute(
            literal(f"INSERT INTO pyqueue_tasks ({columns})")
            + " VALUES (%s, %s, '{}', 'QUEUED', 0, 3, %s, %s, %s)",
            (old.t_id, old.t_type, old.created_at, old.updated_at, old.updated_at),
        )
    store = PostgresStore(empty_schema)
    try:
        got = store.get(old.t_id)
        assert got is not None and got.priority == 0
        urgent = replace(new(), priority=1)
        store.add([urgent])
        assert [t.t_id for t in store.claim(5, 30)] == [urgent.t_id, old.t_id]
        with psycopg.connect(empty_schema) as conn:
            indexes = {
                str(r[0])
                for r in conn.execute(
                    "SELECT indexname FROM pg_indexes WHERE schemaname = %s", (SCHEMA,)
                )
            }
            assert "pyqueue_tasks_ready" in indexes
            assert "pyqueue_tasks_claim" not in indexes
            assert migrate(conn) == []
    finally:
        store.close()


def test_processes_opening_together_migrate_once(empty_schema: str) -> None:
    errors: list[BaseException] = []

    def open_one() -> None:
        try:
            PostgresStore(empty_schema, pool_size=2).close()
        except BaseException as exc:  # reported by the main thread
            errors.append(exc)

    threads = [threading.Thread(target=open_one) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    with psycopg.connect(empty_schema) as conn:
        count = conn.execute("SELECT count(*) FROM pyqueue_schema_version").fetchone()
        assert count == (len(migrations()),)


def test_notify_wakes_a_listener_in_another_store(empty_schema: str) -> None:
    listening, other = PostgresStore(empty_schema), PostgresStore(empty_schema)
    woken = threading.Event()
    try:
        listener = listening.set_wakeup(woken.set)
        assert listener.connected.wait(10)
        woken.clear()
        other.add([new()])
        assert woken.wait(5)
    finally:
        listening.close()
        other.close()


@pytest.mark.parametrize("size", [1, 5, 40, 600])
def test_an_unkeyed_batch_is_stored_exactly_counted_and_announced(
    empty_schema: str, size: int
) -> None:
    """One statement for one task (VALUES) and a small batch (unnest), binary COPY for a larger
    one (over a chunk, too): every column comes back as it went in, the counts include the batch
    and a listener is woken."""
    listening, store = PostgresStore(empty_schema), PostgresStore(empty_schema)
    payloads: list[object] = [
        {"i": 0, "s": 'é 雪 \u0000 "q"'},
        [1, 2.5, None, True],
        "text",
        None,
        2**62,
    ]
    later = utcnow() + timedelta(hours=1)
    tasks = [
        Task.create(
            ("EMAIL", "REPORT")[i % 2],
            payloads[i % len(payloads)],
            i % 4,
            priority=(i % 201) - 100,
            run_at=later if i % 3 == 0 else None,
            timeout_seconds=None if i % 2 else 1.5 + i,
        )
        for i in range(size)
    ]
    woken = threading.Event()
    try:
        listener = listening.set_wakeup(woken.set)
        assert listener.connected.wait(10)
        woken.clear()
        assert store.add(tasks) == tasks
        assert woken.wait(5)
        assert [store.get(t.t_id) for t in tasks] == tasks
        counts = store.counts()
        assert counts.by_status[TaskStatus.QUEUED] == size
        assert counts.by_type == {
            t: n for t, n in (("EMAIL", (size + 1) // 2), ("REPORT", size // 2)) if n
        }
    finally:
        listening.close()
        store.close()


def test_an_id_already_stored_refuses_the_whole_batch(empty_schema: str) -> None:
    store = PostgresStore(empty_schema)
    try:
        first = added(store, 1)[0]
        for size in (1, 2, 40):  # VALUES, unnest, then COPY
            batch = [new(payload={"i": i}) for i in range(size - 1)] + [first]
            with pytest.raises(InvalidTaskState, match="already exists"):
                store.add(batch)
            assert all(store.get(t.t_id) is None for t in batch[:-1])
        assert store.counts().total == 1
    finally:
        store.close()


def _through_proxy(url: str) -> tuple[TcpProxy, str]:
    server = urlsplit(POSTGRES_URL)
    proxy = TcpProxy((server.hostname or "127.0.0.1", server.port or 5432)).start()
    return proxy, url.replace(f"{server.hostname}:{server.port}", f"127.0.0.1:{proxy.port}")


@pytest.mark.parametrize("idle_check_after", [0.0, 3600.0])
def test_only_a_connection_idle_past_the_check_is_checked_out_with_a_round_trip(
    empty_schema: str, idle_check_after: float, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The server drops every connection; the next operation takes the pooled one. Idle longer
    than the check's threshold, it is checked and replaced, and the operation succeeds; returned
    more recently (a busy process), it is handed out unchecked, so the operation raises
    StoreUnavailable (changing nothing) and the pool replaces it for the next one."""
    monkeypatch.setattr(connection, "IDLE_CHECK_AFTER", idle_check_after)
    proxy, url = _through_proxy(empty_schema)
    store = PostgresStore(url, connect_timeout=2, wait_timeout=2)
    try:
        task = added(store, 1)[0]
        proxy.cut()
        proxy = TcpProxy(proxy.target, proxy.port).start()
        if idle_check_after == 0.0:
            assert store.get(task.t_id) == task
        else:
            with pytest.raises(StoreUnavailable, match=r"database \(PostgreSQL\) is unavailable"):
                store.get(task.t_id)
            assert store.get(task.t_id) == task
    finally:
        store.close()
        proxy.cut()


def test_a_connection_is_back_in_the_pool_when_the_operation_returns(empty_schema: str) -> None:
    """Returned by the thread that used it, not handed to the pool's worker thread: a hop per
    operation (a thread switch and a wait for the GIL) that cost a one-task enqueue about a third
    of its time; and the connection is free for the next operation at once."""
    store = PostgresStore(empty_schema, pool_size=4)
    try:
        task = added(store, 1)[0]
        for _ in range(50):
            assert store.get(task.t_id) == task
            stats = store._db._pool.get_stats()
            assert stats["pool_available"] == stats["pool_size"], stats
    finally:
        store.close()


def test_unreachable_server_raises_store_unavailable() -> None:
    with pytest.raises(StoreUnavailable, match="PostgreSQL"):
        PostgresStore("postgresql://postgres@127.0.0.1:1/test", connect_timeout=0.5)


def _eventually_available(store: PostgresStore, deadline: float) -> None:
    while True:
        try:
            store.counts()
            return
        except StoreUnavailable:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)


def test_an_outage_raises_store_unavailable_then_heals(empty_schema: str) -> None:
    proxy, url = _through_proxy(empty_schema)
    store = PostgresStore(url, connect_timeout=0.5, wait_timeout=0.5)
    try:
        listener = store.set_wakeup(lambda: None)
        assert listener.connected.wait(10)
        task = added(store, 1)[0]
        proxy.cut()
        with pytest.raises(StoreUnavailable, match=r"database \(PostgreSQL\) is unavailable"):
            store.get(task.t_id)
        proxy = TcpProxy(proxy.target, proxy.port).start()
        _eventually_available(store, time.monotonic() + 20)
        assert store.get(task.t_id) == task
        deadline = time.monotonic() + 20
        while listener.connections < 2 and time.monotonic() < deadline:
            time.sleep(0.05)  # the listener reconnects with its own backoff
        assert listener.connections == 2
    finally:
        store.close()
        proxy.cut()


@pytest.mark.parametrize("after", [None, "Task-01"])
def test_a_page_of_one_type_walks_the_status_type_index_per_status(
    empty_schema: str, after: str | None
) -> None:
    """With no index on (type, id), a page of one type merges an ordered walk of
    pyqueue_tasks_status_type per status that stops after the page: never a scan of the table
    or a sort of every task of the type, right after a burst of enqueues (no statistics yet)."""
    store = PostgresStore(empty_schema)
    try:
        for _ in range(5):
            store.add([new("EMAIL" if i % 2 else "SMS", {"i": i}) for i in range(1_000)])
        sql, params = page_sql(TaskQuery(t_type="EMAIL", limit=50, after=after))
        with psycopg.connect(empty_schema) as conn:
            plan = "\n".join(str(r[0]) for r in conn.execute(literal("EXPLAIN " + sql), params))
        assert "Merge Append" in plan, plan
        assert plan.count("Index Scan Backward using pyqueue_tasks_status_type") == 5, plan
        assert "Seq Scan" not in plan and "Bitmap" not in plan, plan
        with psycopg.connect(empty_schema) as conn:
            indexes = {
                r[0]
                for r in conn.execute(
                    "SELECT indexname FROM pg_indexes WHERE schemaname = current_schema()"
                )
            }
        assert "pyqueue_tasks_type" not in indexes  # migration 0009 dropped it
    finally:
        store.close()


@pytest.mark.parametrize("backlog", [1_000, 3_000, 5_000, 20_000])
def test_the_claim_walks_its_index_right_after_a_burst_of_enqueues(
    empty_schema: str, backlog: int
) -> None:
    """On a fresh table whose statistics say nothing yet, the claim still takes the due tasks in
    order (priority, then FIFO) from the partial claim index, never a scan and a sort of every
    QUEUED row (at 3,000 and 5,000 fresh rows the planner left alone picks a bitmap scan of
    another index and a sort)."""
    store = PostgresStore(empty_schema)
    try:
        for start in range(0, backlog, 1_000):
            store.add([new() for _ in range(min(1_000, backlog - start))])
        plan = store.explain_claim(8)
        picked = plan.split("CTE picked", 1)[1].split("->  Nested Loop", 1)[0]
        assert "Index Scan using pyqueue_tasks_ready" in picked, plan
        assert "Sort" not in picked, plan
        assert len(store.claim(8, 30)) == 8
    finally:
        store.close()


DONE = Outcome(TaskStatus.COMPLETED)


def test_an_end_takes_its_rows_by_id_while_a_drain_leaves_dead_entries(empty_schema: str) -> None:
    """Under a drain the statistics say few tasks are INPROGRESS while the status index holds an
    entry, mostly dead, for every task claimed since the last vacuum: the finish statement must
    read its rows by primary key, not walk those entries (2 ms of an end of 134 tasks, growing
    with the tasks drained)."""
    store = PostgresStore(empty_schema)
    try:
        for _ in range(3):
            store.add([new() for _ in range(1_000)])
        for _ in range(10):
            drained = store.claim(100, 30)
            store.record_ends([AttemptEnd(t.t_id, t.lease_id or "", DONE) for t in drained])
        running = sorted(store.claim(100, 30), key=lambda t: t.t_id)
        ends = [AttemptEnd(t.t_id, t.lease_id or "", DONE) for t in running]
        plan = store.explain_record_ends(ends)
        locked = plan.split("CTE mine", 1)[1].split("CTE done", 1)[0]
        assert "Index Scan using pyqueue_tasks_pkey" in locked, plan
        assert "pyqueue_tasks_status" not in locked and "Seq Scan" not in locked, plan
        assert store.record_ends(ends) == 100
        with psycopg.connect(empty_schema) as conn:  # migration 0010
            options = conn.execute(
                "SELECT reloptions FROM pg_class WHERE oid = 'pyqueue_attempts'::regclass"
            ).fetchone()
            lease_index = conn.execute("SELECT to_regclass('pyqueue_tasks_lease')").fetchone()
        assert options == (["fillfactor=50"],)  # an attempt's end updates its row HOT
        assert lease_index == (None,)
    finally:
        store.close()
