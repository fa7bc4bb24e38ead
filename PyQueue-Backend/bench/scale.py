"""Scale: a PyQueue store holding 1,000,000 tasks — one filtered page, and memory per task.

The tasks are made by the model's own transitions (created, claimed, finished) and added in
batches; most are COMPLETED, the rest FAILED or QUEUED, spread over nine types, small payloads.
"""

from __future__ import annotations

import gc
import os
import resource
import time
from collections.abc import Callable
from dataclasses import replace

from bench.stats import Record, record
from pyqueue.enums import TaskStatus
from pyqueue.models.task import Outcome, Task, utcnow
from pyqueue.models.values import TaskQuery
from pyqueue.stores import TaskStore, open_store

TYPES = [f"TYPE{i}" for i in range(9)]
CHUNK = 5_000
QUERIES = {
    "page-status-type": TaskQuery(status=TaskStatus.FAILED, t_type="TYPE3", limit=50),
    "page-status": TaskQuery(status=TaskStatus.COMPLETED, limit=50),
    "page-all": TaskQuery(limit=50),
    "page-status-deep": TaskQuery(status=TaskStatus.COMPLETED, limit=50, offset=100_000),
}


def make_task(i: int) -> Task:
    task = Task.create(TYPES[i % len(TYPES)], {"i": i}, 3)
    if i % 20 == 0:
        return task  # QUEUED
    now = utcnow()
    task = task.claimed("lease", now, now)
    if i % 20 == 1:
        return task.finished(Outcome(TaskStatus.FAILED, error="RuntimeError: failed"), now)
    return task.finished(Outcome(TaskStatus.COMPLETED), now)


def rss_bytes() -> int:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * resource.getpagesize()


def fill(store: TaskStore, n: int) -> float:
    """Add ``n`` tasks; returns the seconds it took."""
    started = time.perf_counter()
    for start in range(0, n, CHUNK):
        store.add([make_task(i) for i in range(start, min(n, start + CHUNK))])
    return time.perf_counter() - started


def time_query(store: TaskStore, query: TaskQuery, times: int = 11) -> float:
    """The median time of one ``list_tasks`` call, in milliseconds."""
    samples = []
    for _ in range(times):
        started = time.perf_counter()
        tasks, total = store.list_tasks(query)
        samples.append((time.perf_counter() - started) * 1000)
        if len(tasks) > query.limit or total < len(tasks):
            raise AssertionError(f"{query}: {len(tasks)} tasks of {total}")
    samples.sort()
    return samples[len(samples) // 2]


def run_scale(system: str, url: Callable[[], str], n: int, repeat: int) -> list[Record]:
    store = open_store(url())
    try:
        gc.collect()
        before = rss_bytes()
        seconds = fill(store, n)
        gc.collect()
        grown = rss_bytes() - before
        records = [
            record(system, "scale-fill", "noop", "tasks/s", [n / seconds], n, note="batched add"),
        ]
        if system == "pyqueue-memory":
            records.append(record(system, "scale-memory", "noop", "bytes/task", [grown / n], n))
        for name, query in QUERIES.items():
            runs = [time_query(store, query) for _ in range(repeat)]
            records.append(record(system, f"scale-{name}", "noop", "ms", runs, n))
        # the same deep page by keyset cursor: the id just before it (found once, not timed)
        deep = QUERIES["page-status-deep"]
        before, _ = store.list_tasks(replace(deep, limit=1, offset=deep.offset - 1))
        if before:  # a store smaller than the depth has no such page
            cursor = replace(deep, offset=0, after=before[0].t_id)
            runs = [time_query(store, cursor) for _ in range(repeat)]
            records.append(record(system, "scale-page-status-cursor", "noop", "ms", runs, n))
        return records
    finally:
        store.clear()
        store.close()


if __name__ == "__main__":  # a quick look: python -m bench.scale
    for r in run_scale("pyqueue-memory", lambda: "memory://", int(os.environ.get("N", 100_000)), 3):
        print(r["scenario"], round(r["median"], 3), r["unit"])
