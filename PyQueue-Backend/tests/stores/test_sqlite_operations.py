"""A SQLite file of schema version 3 gains the operations tables (audit log, readiness probe) and
the index behind the oldest-queued metric when a version 4 store opens it."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from pyqueue.models.audit import AuditEntry
from pyqueue.models.task import utcnow
from pyqueue.stores.sqlite import SQLiteStore
from tests.stores.helpers import added

pytestmark = pytest.mark.sqlite


def test_a_version_3_file_gets_the_audit_log_and_the_probe(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    store = SQLiteStore(path)
    queued = added(store, 2, "EMAIL")
    store.close()
    with sqlite3.connect(path) as conn:
        conn.execute("DROP TABLE audit_log")
        conn.execute("DROP TABLE readiness_probe")
        conn.execute("DROP INDEX tasks_queued_type")
        conn.execute("PRAGMA user_version = 3")
    upgraded = SQLiteStore(path)
    try:
        upgraded.probe()
        upgraded.record_audit(AuditEntry(utcnow(), "admin", "127.0.0.1", "clear", "*", 0))
        assert [e.action for e in upgraded.audit_page(10, 0)[0]] == ["clear"]
        assert upgraded.oldest_queued() == {"EMAIL": queued[0].created_at}
        with sqlite3.connect(path) as conn:
            names = {r[0] for r in conn.execute("SELECT name FROM sqlite_master")}
            plan = conn.execute(
                "EXPLAIN QUERY PLAN SELECT min(run_at) FROM tasks"
                " WHERE status = 'QUEUED' AND t_type = 'EMAIL'"
            ).fetchall()
        assert {"audit_log", "readiness_probe", "tasks_queued_type"} <= names
        assert "tasks_queued_type" in str(plan)  # one index seek per type, never a scan
    finally:
        upgraded.close()
