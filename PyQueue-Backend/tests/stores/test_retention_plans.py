"""The retention purge finds its tasks through the finished-at index on both SQL stores, never by
scanning every task (SQLite names the index in its query; PostgreSQL's plan is checked)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import psycopg
import pytest

from pyqueue.enums import TaskStatus
from pyqueue.models.task import utcnow
from pyqueue.stores.postgres import PostgresStore
from pyqueue.stores.postgres.store import QUERIES as PG_QUERIES
from pyqueue.stores.sqlite.store import QUERIES as SQLITE_QUERIES
from pyqueue.stores.sqlite.store import SQLiteStore
from tests.stores.factory import drop_schema, postgres_url, require_postgres, reset_schema

SCHEMA = f"pyqueue_test_plans_{os.getpid()}"


@pytest.fixture
def postgres(postgres_ready: bool) -> Iterator[str]:
    require_postgres(postgres_ready)
    reset_schema(SCHEMA)
    yield postgres_url(SCHEMA)
    drop_schema(SCHEMA)


@pytest.mark.postgres
def test_the_postgres_purge_walks_the_finished_index(postgres: str) -> None:
    PostgresStore(postgres).close()  # migrated
    params = {"status": "COMPLETED", "before": utcnow(), "limit": 500}
    with psycopg.connect(postgres) as conn:
        conn.execute("SET enable_seqscan = off")  # a tiny table: ask whether the index serves
        rows = conn.execute("EXPLAIN " + PG_QUERIES["purge"], params).fetchall()
    plan = "\n".join(str(row[0]) for row in rows)
    assert "pyqueue_tasks_finished" in plan, plan


@pytest.mark.sqlite
def test_the_sqlite_purge_walks_the_finished_index(tmp_path: Path) -> None:
    store = SQLiteStore(tmp_path / "plans.db")
    try:
        with store._db.connection() as conn:
            params = (TaskStatus.COMPLETED.value, 0, 500)
            rows = conn.execute("EXPLAIN QUERY PLAN " + SQLITE_QUERIES["purge"], params).fetchall()
        plan = "\n".join(str(row[-1]) for row in rows)
        assert "tasks_finished" in plan, plan
        assert store.purge_finished(TaskStatus.COMPLETED, utcnow() + timedelta(days=1), 500) == []
    finally:
        store.close()
