"""Baselines that bound what a queue can do here: a raw thread pool and a raw SQL claim loop."""

from __future__ import annotations

import json
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any, ClassVar

from bench.servers import fresh_database
from bench.systems.base import NotSupported, System
from bench.tally import SLEEP, TALLY, body


class RawThreadPool(System):
    """``ThreadPoolExecutor(8)`` running the task bodies: the ceiling for an in-process queue."""

    name = "raw-threadpool"
    concurrency = "ThreadPoolExecutor, 8 threads"

    def setup(self, kind: str) -> None:
        self.kind = kind

    def measure_enqueue(self, n: int, batch: int) -> float:
        raise NotSupported("a thread pool has no queue to fill")

    def measure_latency(self, n: int, rate: float) -> tuple[float, float]:
        raise NotSupported("not measured for the thread pool")

    def measure_process(self, n: int) -> float:
        kind = self.kind
        TALLY.reset(n)
        items = [{"i": i} for i in range(n)]
        started = time.perf_counter()
        with ThreadPoolExecutor(8) as pool:
            for item in items:
                pool.submit(body, kind, item)
        return n / (time.perf_counter() - started)


class RawPgClaim(System):
    """One psycopg connection claiming with ``FOR UPDATE SKIP LOCKED`` and marking rows done."""

    name: ClassVar[str]
    per_trip: ClassVar[int]
    size_factor = 0.25

    def setup(self, kind: str) -> None:
        import psycopg

        self.kind = kind
        self.conn = psycopg.connect(fresh_database(self.name), autocommit=True)
        self.conn.execute(
            "CREATE TABLE job (id bigserial PRIMARY KEY, status smallint NOT NULL DEFAULT 0,"
            " payload jsonb NOT NULL)"
        )
        self.conn.execute("CREATE INDEX job_queued ON job (id) WHERE status = 0")

    def reset(self) -> None:
        self.conn.execute("TRUNCATE job")

    def enqueue(self, items: list[dict[str, Any]], batch: int) -> None:
        for start in range(0, len(items), batch):
            chunk = [json.dumps(item) for item in items[start : start + batch]]
            self.conn.execute(
                "INSERT INTO job (payload) SELECT unnest(%s::jsonb[])", (chunk,), prepare=True
            )

    def measure_latency(self, n: int, rate: float) -> tuple[float, float]:
        raise NotSupported("not measured for the claim loop")

    def measure_process(self, n: int) -> float:
        self.reset()
        self.enqueue([{"i": i} for i in range(n)], 500)
        TALLY.reset(n)
        claim = (
            "UPDATE job SET status = 1 WHERE id IN (SELECT id FROM job WHERE status = 0"
            " ORDER BY id LIMIT %s FOR UPDATE SKIP LOCKED) RETURNING id, payload"
        )
        done = "UPDATE job SET status = 2 WHERE id = ANY(%s)"
        sleep = SLEEP[self.kind]
        started = time.perf_counter()
        while True:
            rows = self.conn.execute(claim, (self.per_trip,), prepare=True).fetchall()
            if not rows:
                break
            for _, payload in rows:
                if sleep:
                    time.sleep(sleep)
                TALLY.hit(payload, 0.0)
            self.conn.execute(done, ([r[0] for r in rows],), prepare=True)
        return n / (time.perf_counter() - started)

    def close(self) -> None:
        self.conn.close()


class RawPgClaimRow(RawPgClaim):
    name = "raw-pg-claim-1"
    per_trip = 1
    concurrency = "1 connection, 1 row per claim"


class RawPgClaimBatch(RawPgClaim):
    name = "raw-pg-claim-100"
    per_trip = 100
    concurrency = "1 connection, 100 rows per claim"
