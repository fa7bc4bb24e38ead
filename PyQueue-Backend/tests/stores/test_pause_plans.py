"""With types paused, the claim still walks its index in claim order (no scan and sort)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest

from pyqueue.models.control import QUEUE_KEY
from pyqueue.models.task import utcnow
from pyqueue.stores.postgres import PostgresStore
from pyqueue.stores.postgres.store import QUERIES as PG_QUERIES
from pyqueue.stores.sqlite.store import QUERIES as SQLITE_QUERIES
from pyqueue.stores.sqlite.store import SQLiteStore
from tests.stores.factory import drop_schema, postgres_url, require_postgres, reset_schema
from tests.stores.helpers import new


@pytest.fixture
def pg_url(postgres_ready: bool) -> Iterator[str]:
    require_postgres(postgres_ready)
    reset_schema()
    yield postgres_url()
    drop_schema()


@pytest.mark.postgres
@pytest.mark.parametrize("backlog", [1_000, 20_000])
def test_postgres_claim_with_paused_types_walks_the_ready_index(pg_url: str, backlog: int) -> None:
    """As test_the_claim_walks_its_index_right_after_a_burst_of_enqueues, with a type paused."""
    store = PostgresStore(pg_url)
    try:
        for _ in range(backlog // 1_000):
            store.add([new("EMAIL") for _ in range(800)] + [new("SMS") for _ in range(200)])
        store.set_paused("EMAIL", True)
        now = utcnow()
        params = {"now": now, "limit": 8, "expires": now + timedelta(seconds=30), "worker": "w"}
        with store._db.connection() as conn:
            rows = conn.execute("EXPLAIN " + PG_QUERIES["claim"], params).fetchall()
        plan = "\n".join(str(row[0]) for row in rows)
        picked = plan.split("CTE picked", 1)[1].split("CTE claimed", 1)[0]
        assert "Index Scan using pyqueue_tasks_ready" in picked, plan
        assert "Sort" not in picked, plan
        claimed = store.claim(8, 30)
        assert [t.t_type for t in claimed] == ["SMS"] * 8
        store.set_paused(QUEUE_KEY, True)
        assert store.claim(8, 30) == []
    finally:
        store.close()


@pytest.mark.sqlite
def test_sqlite_claim_with_paused_types_walks_the_ready_index(tmp_path: Path) -> None:
    store = SQLiteStore(tmp_path / "q.db")
    try:
        store.add([new("EMAIL") for _ in range(500)] + [new("SMS") for _ in range(50)])
        store.set_paused("EMAIL", True)
        with store._db.connection() as conn:
            sql = "EXPLAIN QUERY PLAN " + SQLITE_QUERIES["claim"]
            rows = conn.execute(sql, (0, 8)).fetchall()
        plan = " | ".join(str(row[-1]) for row in rows)
        assert "tasks_ready" in plan, plan
        assert "TEMP B-TREE" not in plan, plan
        assert [t.t_type for t in store.claim(8, 30)] == ["SMS"] * 8
    finally:
        store.close()
