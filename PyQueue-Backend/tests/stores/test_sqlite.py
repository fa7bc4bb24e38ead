"""What only the SQLite store promises: a file that survives restarts, and indexed queries."""

from __future__ import annotations

import contextlib
import os
import sqlite3
import threading
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from pyqueue.enums import TaskStatus
from pyqueue.errors import ConfigurationError, StoreUnavailable
from pyqueue.models.task import Outcome
from pyqueue.models.values import AttemptEnd, TaskQuery
from pyqueue.stores import open_store
from pyqueue.stores.sqlite import SCHEMA_VERSION, SQLiteStore, sqlite_path
from pyqueue.stores.sqlite.connection import MAX_IDLE
from pyqueue.stores.sqlite.store import QUERIES, UPGRADE_COLUMNS, page_sql
from pyqueue.stores.sqlite.watcher import IDLE_AFTER, IDLE_INTERVAL, WATCH_INTERVAL, CommitWatcher
from tests.stores.helpers import added, claim_one, new, run_to

pytestmark = pytest.mark.sqlite


def test_url_paths_relative_and_absolute() -> None:
    assert sqlite_path("sqlite:///data/q.db") == Path("data/q.db")
    assert sqlite_path("sqlite:////var/lib/q.db") == Path("/var/lib/q.db")
    with pytest.raises(ConfigurationError, match="needs a file"):
        sqlite_path("sqlite:///")


def test_open_creates_the_folder_and_uses_wal(tmp_path: Path) -> None:
    path = tmp_path / "deep" / "er" / "q.db"
    store = open_store(f"sqlite:///{path}")
    try:
        assert isinstance(store, SQLiteStore)
        assert store.blocking
        with sqlite3.connect(path) as conn:
            assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    finally:
        store.close()


def test_a_version_1_file_is_upgraded_keeping_its_tasks(tmp_path: Path) -> None:
    path = tmp_path / "q.db"
    store = SQLiteStore(path)
    queued = added(store, 2, "EMAIL")
    store.close()
    with sqlite3.connect(path) as conn:  # what a file of schema version 1 looks like
        _to_version_2(conn)
        conn.execute("DROP TABLE pyqueue_workers")
        conn.execute("DROP INDEX tasks_updated")
        conn.execute("PRAGMA user_version = 1")
    upgraded = SQLiteStore(path)
    try:
        assert upgraded.get(queued[1].t_id) == queued[1]
        with sqlite3.connect(path) as conn:
            assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION == 5
            names = {r[0] for r in conn.execute("SELECT name FROM sqlite_master")}
        assert {"pyqueue_workers", "tasks_updated", "tasks", "task_counts", "tasks_ready"} <= names
        assert "tasks_claim" not in names
        assert upgraded.counts().by_status[TaskStatus.QUEUED] == 2
    finally:
        upgraded.close()


def _to_version_2(conn: sqlite3.Connection) -> None:
    """Turn a current file into one of schema version 2: no priority, the run_at claim index."""
    conn.execute("DROP INDEX tasks_ready")
    conn.execute("DROP INDEX tasks_idempotency")
    for _, column, _ in UPGRADE_COLUMNS:  # priority (version 3) and the later ones
        conn.execute(f"ALTER TABLE tasks DROP COLUMN {column}")
    conn.execute("CREATE INDEX tasks_claim ON tasks (run_at) WHERE status = 'QUEUED'")
    conn.execute("PRAGMA user_version = 2")


def _columns(path: Path) -> list[str]:
    with sqlite3.connect(path) as conn:
        return [row[1] for row in conn.execute("PRAGMA table_info(tasks)")]


def test_a_version_2_file_gets_priorities_keeping_its_tasks_in_claim_order(
    tmp_path: Path,
) -> None:
    path = tmp_path / "q.db"
    store = SQLiteStore(path)
    queued = added(store, 3, "EMAIL")
    store.close()
    with sqlite3.connect(path) as conn:
        _to_version_2(conn)
    assert "priority" not in _columns(path)

    upgraded = SQLiteStore(path)
    try:
        columns = _columns(path)  # run_at, then what later versions added, in order
        assert columns[columns.index("run_at") :] == ["run_at", *(c for _, c, _ in UPGRADE_COLUMNS)]
        assert [upgraded.get(t.t_id) for t in queued] == queued  # priority 0, as before
        urgent = replace(new(), priority=5)
        upgraded.add([urgent])
        assert [t.t_id for t in upgraded.claim(4, 30)] == [urgent.t_id, *(t.t_id for t in queued)]
        with sqlite3.connect(path) as conn:
            assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
            names = {r[0] for r in conn.execute("SELECT name FROM sqlite_master")}
        assert "tasks_ready" in names
        assert "tasks_claim" not in names
    finally:
        upgraded.close()
    SQLiteStore(path).close()  # opening an upgraded file again changes nothing
    assert _columns(path).count("priority") == 1


def test_an_interrupted_upgrade_is_finished_on_the_next_open(tmp_path: Path) -> None:
    """The column is added in its own transaction before the script: a file left with the column
    but still at version 2 (a crash in between) is upgraded without adding it twice."""
    path = tmp_path / "q.db"
    SQLiteStore(path).close()
    with sqlite3.connect(path) as conn:
        _to_version_2(conn)
        conn.execute("ALTER TABLE tasks ADD COLUMN priority INTEGER NOT NULL DEFAULT 0")
    store = SQLiteStore(path)
    try:
        assert _columns(path).count("priority") == 1
        with sqlite3.connect(path) as conn:
            assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    finally:
        store.close()


def test_tasks_survive_close_and_reopen(tmp_path: Path) -> None:
    path = tmp_path / "q.db"
    store = SQLiteStore(path)
    queued = added(store, 3, "EMAIL")
    done = run_to(store, TaskStatus.COMPLETED, result={"ok": 1})
    running = claim_one(store)
    store.close()
    with pytest.raises(StoreUnavailable):
        store.get(done.t_id)

    reopened = SQLiteStore(path)
    try:
        assert reopened.get(done.t_id) == done
        assert reopened.get(running.t_id) == running
        assert reopened.get(queued[2].t_id) == queued[2]
        assert reopened.counts().by_status[TaskStatus.QUEUED] == 1
        assert sum(m.completed for m in reopened.throughput(done.created_at)) == 1
    finally:
        reopened.close()


def _plan(store: SQLiteStore, sql: str, *params: object) -> str:
    with store._db.connection() as conn:
        rows = conn.execute(f"EXPLAIN QUERY PLAN {sql}", params).fetchall()
    return " | ".join(str(row[-1]) for row in rows)


def _page(**filters: Any) -> str:
    return page_sql(TaskQuery(limit=50, **filters))[0]


@pytest.mark.parametrize(
    ("sql", "index"),
    [
        (QUERIES["claim"], "tasks_ready"),
        (QUERIES["expired"], "tasks_lease"),
        (QUERIES["next_due"], "tasks_retry"),
        (_page(status=TaskStatus.FAILED), "tasks_status"),
        (_page(t_type="EMAIL"), "tasks_type"),
        (_page(status=TaskStatus.FAILED, t_type="EMAIL", order="asc"), "tasks_status_type"),
        (_page(), "SCAN tasks"),  # WITHOUT ROWID: the primary key order
    ],
)
def test_hot_queries_use_their_index(tmp_path: Path, sql: str, index: str) -> None:
    store = SQLiteStore(tmp_path / "q.db")
    try:
        params = [0] * sql.count("?")
        plan = _plan(store, sql, *params)
        assert index in plan
        assert "TEMP B-TREE" not in plan
    finally:
        store.close()


def _open_files_on(path: Path) -> int:
    """How many of this process's file descriptors point at the database file (about one per
    connection) or its ``-wal`` and ``-shm`` companions."""
    target, count = str(path.resolve()), 0
    for fd in os.listdir("/proc/self/fd"):
        with contextlib.suppress(OSError):  # closed since the listing
            count += os.readlink(f"/proc/self/fd/{fd}").startswith(target)
    return count


def test_short_lived_threads_do_not_leave_connections_open(tmp_path: Path) -> None:
    """A request thread pool replaces its idle threads: each new thread's store calls must reuse
    the pool's connections, not open one that stays open after the thread ended."""
    path = tmp_path / "q.db"
    store = SQLiteStore(path)
    errors: list[BaseException] = []

    def one_request() -> None:
        try:
            task = added(store, 1, "EMAIL")[0]
            assert store.get(task.t_id) == task
            store.counts()
        except BaseException as exc:
            errors.append(exc)

    try:
        for _ in range(12):  # 12 waves of 8 threads that each live for one request
            threads = [threading.Thread(target=one_request) for _ in range(8)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join(timeout=30)
        assert errors == []
        assert store.counts().by_status[TaskStatus.QUEUED] == 96
        assert store._db.open_connections <= MAX_IDLE
        assert 1 <= _open_files_on(path) <= 2 * MAX_IDLE + 1
    finally:
        store.close()
    assert _open_files_on(path) == 0
    assert store._db.open_connections == 0


def test_a_burst_beyond_the_idle_pool_is_closed_when_it_ends(tmp_path: Path) -> None:
    """More transactions at once than the pool keeps: the extra connections close afterwards, and
    bursts that follow reuse what the first one opened (SQLite keeps a closed connection's file
    descriptor for the next one while others hold the file: POSIX locks are per process)."""
    path = tmp_path / "q.db"
    store = SQLiteStore(path)
    burst = MAX_IDLE + 4
    peaks: list[int] = []

    def one_burst() -> None:
        inside = threading.Barrier(burst + 1)
        leave = threading.Event()

        def hold_a_read() -> None:
            with store._db.connection():
                inside.wait(timeout=30)
                leave.wait(timeout=30)

        threads = [threading.Thread(target=hold_a_read) for _ in range(burst)]
        try:
            for thread in threads:
                thread.start()
            inside.wait(timeout=30)  # every thread is inside its own transaction now
            assert store._db.open_connections == burst
            peaks.append(_open_files_on(path))
        finally:
            leave.set()
            for thread in threads:
                thread.join(timeout=30)
        assert store._db.open_connections == MAX_IDLE

    try:
        for _ in range(3):
            one_burst()
        assert burst <= peaks[0] <= 2 * burst + 1  # the file and its -wal each, one -shm
        assert peaks == [peaks[0]] * 3
        assert _open_files_on(path) <= peaks[0]
    finally:
        store.close()
    assert _open_files_on(path) == 0


def test_a_connection_in_use_at_close_is_closed_when_given_back(tmp_path: Path) -> None:
    path = tmp_path / "q.db"
    store = SQLiteStore(path)
    queued = added(store, 1, "EMAIL")[0]
    with store._db.connection() as conn:
        store.close()
        assert conn.execute("SELECT count(*) FROM tasks").fetchone()[0] == 1
    assert _open_files_on(path) == 0
    with pytest.raises(StoreUnavailable, match="closed"):
        store.get(queued.t_id)


def test_a_commit_by_another_store_on_the_file_wakes_the_watcher(tmp_path: Path) -> None:
    """Two stores on one file stand for two processes: the worker's store hears the other's add."""
    path = tmp_path / "q.db"
    worker, producer = SQLiteStore(path), SQLiteStore(path)
    woken = threading.Event()
    try:
        watcher = worker.set_wakeup(woken.set)
        assert watcher.watching.wait(10)
        assert not woken.is_set()
        added(producer, 1)
        assert woken.wait(10), "the add in the other store never woke the watcher"
        woken.clear()
        assert worker.claim(1, 30)  # the woken worker finds the task
    finally:
        worker.close()
        producer.close()


def test_an_idle_watcher_still_hears_another_process_commit(tmp_path: Path) -> None:
    """A watcher past its quiet spell looks less often, but a commit still wakes it."""
    path = tmp_path / "q.db"
    producer = SQLiteStore(path)
    woken = threading.Event()
    watcher = CommitWatcher(path, woken.set, idle_after=0)
    try:
        watcher.start()
        assert watcher.watching.wait(10)
        assert watcher.pause() == IDLE_INTERVAL
        added(producer, 1)
        assert woken.wait(10), "the add in the other store never woke the idle watcher"
    finally:
        watcher.stop()
        producer.close()


def test_the_watcher_looks_fast_while_claims_find_work_and_slower_once_they_stop(
    tmp_path: Path,
) -> None:
    store = SQLiteStore(tmp_path / "q.db")
    try:
        watcher = store.set_wakeup(lambda: None)
        assert watcher.pause() == WATCH_INTERVAL  # a new watcher starts at the fast pace
        watcher._worked_at -= IDLE_AFTER + 1  # as if no claim had found work for a while
        assert watcher.pause() == IDLE_INTERVAL
        assert store.claim(1, 30) == []  # a claim that finds nothing leaves it idle
        assert watcher.pause() == IDLE_INTERVAL
        added(store, 1)
        assert len(store.claim(1, 30)) == 1
        assert watcher.pause() == WATCH_INTERVAL
    finally:
        store.close()


def _watch_threads() -> set[threading.Thread]:
    return {t for t in threading.enumerate() if t.name == "pyqueue-sqlite-watch" and t.is_alive()}


def test_closing_the_store_stops_its_watcher(tmp_path: Path) -> None:
    """Only this store's watcher thread counts: one of an earlier test's store may still be
    alive in this process."""
    earlier = _watch_threads()
    store = SQLiteStore(tmp_path / "q.db")
    watcher = store.set_wakeup(lambda: None)
    assert watcher.watching.wait(10)
    mine = _watch_threads() - earlier
    assert len(mine) == 1
    store.close()
    assert not any(t.is_alive() for t in mine)


# -- counts kept by the store (schema version 5) ---------------------------------------------------
_V4_STATUS_TRIGGERS = """
CREATE TRIGGER tasks_count_update AFTER UPDATE OF status ON tasks
    WHEN OLD.status <> NEW.status
BEGIN
    UPDATE task_counts SET n = n - 1 WHERE status = OLD.status AND t_type = OLD.t_type;
    INSERT INTO task_counts (status, t_type, n) VALUES (NEW.status, NEW.t_type, 1)
        ON CONFLICT (status, t_type) DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER tasks_count_minute AFTER UPDATE OF status ON tasks
    WHEN OLD.status <> NEW.status AND NEW.status IN ('COMPLETED', 'FAILED')
        AND NEW.finished_at IS NOT NULL
BEGIN
    INSERT INTO task_minutes (minute, completed, failed)
        VALUES (NEW.finished_at / 60000000, NEW.status = 'COMPLETED', NEW.status = 'FAILED')
        ON CONFLICT (minute) DO UPDATE SET
            completed = completed + excluded.completed, failed = failed + excluded.failed;
END;
"""


def _counted(path: Path) -> tuple[dict[tuple[str, str], int], dict[tuple[str, str], int]]:
    """The counts table, and the counts taken from the tasks themselves."""
    with contextlib.closing(sqlite3.connect(path)) as conn:
        kept = conn.execute("SELECT status, t_type, n FROM task_counts WHERE n <> 0").fetchall()
        true = conn.execute("SELECT status, t_type, count(*) FROM tasks GROUP BY 1, 2").fetchall()
    return {(s, t): n for s, t, n in kept}, {(s, t): n for s, t, n in true}


def _charted(path: Path) -> tuple[dict[int, tuple[int, int]], dict[int, tuple[int, int]]]:
    """The chart's minutes, and the same taken from the finished tasks."""
    with contextlib.closing(sqlite3.connect(path)) as conn:
        kept = conn.execute(
            "SELECT minute, completed, failed FROM task_minutes WHERE completed + failed > 0"
        ).fetchall()
        true = conn.execute(
            "SELECT finished_at / 60000000, sum(status = 'COMPLETED'), sum(status = 'FAILED')"
            " FROM tasks WHERE status IN ('COMPLETED', 'FAILED') AND finished_at IS NOT NULL"
            " GROUP BY 1"
        ).fetchall()
    return {m: (c, f) for m, c, f in kept}, {m: (c, f) for m, c, f in true}


def test_a_version_4_file_loses_its_status_triggers_and_its_counts_are_taken_again(
    tmp_path: Path,
) -> None:
    path = tmp_path / "q.db"
    store = SQLiteStore(path)
    added(store, 3, "EMAIL")
    added(store, 2, "SMS")
    run_to(store, TaskStatus.COMPLETED)
    store.close()
    with contextlib.closing(sqlite3.connect(path)) as conn:  # a version 4 file, counts off
        conn.executescript(_V4_STATUS_TRIGGERS)
        conn.execute("UPDATE task_counts SET n = n + 7")
        conn.execute("PRAGMA user_version = 4")
        conn.commit()
    upgraded = SQLiteStore(path)
    try:
        with contextlib.closing(sqlite3.connect(path)) as conn:
            assert conn.execute("PRAGMA user_version").fetchone()[0] == 5
            triggers = {
                r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")
            }
        assert not {"tasks_count_update", "tasks_count_minute", "tasks_uncount_minute"} & triggers
        kept, true = _counted(path)
        assert (
            kept
            == true
            == {("QUEUED", "EMAIL"): 2, ("COMPLETED", "EMAIL"): 1, ("QUEUED", "SMS"): 2}
        )
    finally:
        upgraded.close()


def test_every_status_change_keeps_the_counts_and_the_chart_equal_to_the_tasks(
    tmp_path: Path,
) -> None:
    """The store counts each status change itself (no row triggers): after every kind of change,
    the counts and the chart's minutes are what the tasks say."""
    path = tmp_path / "q.db"
    store = SQLiteStore(path)
    try:

        def check(step: str) -> None:
            kept, true = _counted(path)
            assert kept == true, step
            minutes, finished = _charted(path)
            assert minutes == finished, step

        added(store, 6, "EMAIL", max_retries=0)
        added(store, 4, "SMS")
        check("added")
        claimed = store.claim(8, 30.0, "w")
        check("claimed")
        ends = [
            AttemptEnd(claimed[0].t_id, claimed[0].lease_id or "", Outcome(TaskStatus.COMPLETED)),
            AttemptEnd(
                claimed[1].t_id, claimed[1].lease_id or "", Outcome(TaskStatus.FAILED, error="x")
            ),
            AttemptEnd(claimed[2].t_id, "not-its-lease", Outcome(TaskStatus.COMPLETED)),  # late
            AttemptEnd(claimed[3].t_id, claimed[3].lease_id or "", Outcome(TaskStatus.CANCELLED)),
            AttemptEnd(
                claimed[4].t_id, claimed[4].lease_id or "", Outcome(TaskStatus.QUEUED, error="y")
            ),
            AttemptEnd(
                claimed[0].t_id, claimed[0].lease_id or "", Outcome(TaskStatus.FAILED)
            ),  # twice
        ]
        assert store.record_ends(ends) == 4
        check("record_ends")
        assert store.get(claimed[0].t_id).status is TaskStatus.COMPLETED  # type: ignore[union-attr]
        assert store.get(claimed[2].t_id).status is TaskStatus.INPROGRESS  # type: ignore[union-attr]
        done = store.finish_many(
            [
                AttemptEnd(
                    claimed[2].t_id,
                    claimed[2].lease_id or "",
                    Outcome(TaskStatus.FAILED, error="z"),
                ),
                AttemptEnd(
                    claimed[5].t_id, claimed[5].lease_id or "", Outcome(TaskStatus.COMPLETED)
                ),
            ]
        )
        assert [t.status for t in done if t] == [TaskStatus.FAILED, TaskStatus.COMPLETED]
        check("finish_many")
        lost = store.claim(10, -1.0, "w")  # leases that have already expired
        assert lost
        recovered = store.recover_expired()
        assert {t.t_id for t in recovered} >= {t.t_id for t in lost}
        check("recover_expired")
        queued = next(t for t in store.list_tasks(TaskQuery(status=TaskStatus.QUEUED, limit=50))[0])
        store.request_cancel(queued.t_id)
        check("cancel")
        store.requeue(queued.t_id)
        check("requeue")
        store.edit_payload(claimed[3].t_id, {"edited": True})
        check("edit_payload")
        store.requeue_failure_group("x", "EMAIL")
        check("requeue_failure_group")
        store.requeue_failed()
        check("requeue_failed")
        store.delete(claimed[0].t_id)
        check("delete")
        store.clear(TaskStatus.QUEUED, "SMS")
        check("clear")
    finally:
        store.close()
