"""How cost grows with the backlog: ``python -m bench.backlog [--sizes 1000,100000,1000000]``.

For every store and every backlog size, on a fresh store: a burst of batch enqueues (``store.add``
in batches of 5,000, the tasks made by ``Task.create``) and then, right away — no ANALYZE, no
settling — the cost of one ``claim(8)`` (median of ``--claims`` calls, each taking 8 tasks off
the front), and the rate at which a started :class:`~pyqueue.Queue` (8 worker threads, no-op
handler) drains the first ``--drain`` tasks (or the whole backlog when it is smaller). Prints a
markdown table with each size's claim cost as a multiple of the smallest size's.
"""

from __future__ import annotations

import argparse
import logging
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench.servers import fresh_database
from pyqueue import Queue, Settings, TaskContext, build_queue, task
from pyqueue.models.task import Task
from pyqueue.stores import TaskStore

logger = logging.getLogger("bench.backlog")

TYPE = "BACKLOG"
CHUNK = 5_000
LEASE = 300.0


class Counter:
    """Counts handler calls; ``wait`` returns once ``target`` ran."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.count = 0
        self.target = 0
        self.done = threading.Event()

    def reset(self, target: int) -> None:
        with self.lock:
            self.count, self.target = 0, target
            self.done.clear()

    def hit(self) -> None:
        with self.lock:
            self.count += 1
            if self.count >= self.target:
                self.done.set()


COUNTER = Counter()


@task(TYPE, description="backlog benchmark no-op")
def backlog_noop(payload: Any, ctx: TaskContext) -> None:
    COUNTER.hit()


def fill(store: TaskStore, n: int) -> float:
    started = time.perf_counter()
    for start in range(0, n, CHUNK):
        store.add([Task.create(TYPE, {"i": i}, 0) for i in range(start, min(n, start + CHUNK))])
    return n / (time.perf_counter() - started)


def claim_ms(store: TaskStore, claims: int) -> float:
    samples = []
    for _ in range(claims):
        started = time.perf_counter()
        taken = store.claim(8, LEASE)
        samples.append((time.perf_counter() - started) * 1000)
        if len(taken) != 8:
            raise AssertionError(f"claim(8) took {len(taken)} tasks")
    return statistics.median(samples)


def drain_rate(queue: Queue, n: int, timeout: float = 600.0) -> float:
    COUNTER.reset(n)
    started = time.perf_counter()
    queue.start()
    finished = COUNTER.done.wait(timeout)
    elapsed = time.perf_counter() - started
    queue.stop(timeout=30)
    if not finished:
        raise TimeoutError(f"{COUNTER.count} of {n} tasks ran in {timeout} s")
    return n / elapsed


def measure(
    name: str, url: Callable[[], str], size: int, args: argparse.Namespace
) -> dict[str, Any]:
    settings = Settings(
        database_url=url(), workers=8, log_level="WARNING", static_dir=None, _env_file=None
    )
    queue = build_queue(settings)
    try:
        rate = fill(queue.store, size)
        cost = claim_ms(queue.store, args.claims)
        # the claimed tasks are leased to nobody: the drain takes from the rest of the backlog
        drained = min(args.drain, size - 8 * args.claims)
        drain = drain_rate(queue, drained)
    finally:
        queue.close()
    figures = {
        "store": name,
        "size": size,
        "fill": rate,
        "claim_ms": cost,
        "drain": drain,
        "drained": drained,
    }
    logger.info("%s at %s: %s", name, f"{size:,}", figures)
    return figures


def _stores(folder: str) -> dict[str, Callable[[], str]]:
    counter = iter(range(1_000_000))
    return {
        "memory": lambda: "memory://",
        "sqlite": lambda: f"sqlite:///{Path(folder) / f'backlog-{next(counter)}.db'}",
        "postgres": lambda: fresh_database("backlog"),
    }


def report(rows: list[dict[str, Any]]) -> str:
    lines = [
        "| store | queued | fill (tasks/s) | claim(8), median | x smallest | drain (tasks/s) |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    first: dict[str, float] = {}
    for row in rows:
        base = first.setdefault(row["store"], row["claim_ms"])
        drain = f"{row['drain']:,.0f} ({row['drained']:,})"
        lines.append(
            f"| {row['store']} | {row['size']:,} | {row['fill']:,.0f} | {row['claim_ms']:.2f} ms | "
            f"{row['claim_ms'] / base:.2f}x | {drain} |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    logging.basicConfig(level=logging.INFO, format="%(message)s", stream=sys.stderr)
    parser = argparse.ArgumentParser(prog="python -m bench.backlog", description=__doc__)
    parser.add_argument("--sizes", default="1000,100000,1000000")
    parser.add_argument("--stores", default="memory,sqlite,postgres")
    parser.add_argument("--claims", type=int, default=51)
    parser.add_argument("--drain", type=int, default=20_000)
    args = parser.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",")]
    rows = []
    with tempfile.TemporaryDirectory(prefix="pyqueue-backlog-") as folder:
        stores = _stores(folder)
        for name in args.stores.split(","):
            for size in sizes:
                rows.append(measure(name, stores[name], size, args))
    sys.stdout.write(report(rows) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
