"""As users deploy it: Python enqueues into the store, a separate worker process drains it.

``python -m bench.deploy [--tasks 20000] [--rounds 3] [--systems a,b,...]`` (from PyQueue-Backend,
in the benchmark's virtualenv). For every system, interleaved round by round so that a slow moment
of the machine hits every system alike:

- **enqueue**: ``--single`` tasks one call per task, then ``--tasks`` in batches of 500 (where the
  library has a batch call), from this process through the library's own Python API;
- **drain**: a fresh backlog of ``--tasks`` no-op tasks, then the library's worker started by its
  own CLI in a separate process (PyQueue: ``pyqueue worker --concurrency 8``; pgqueuer: ``pgq run``
  with its defaults; procrastinate: ``procrastinate worker --concurrency 8``; Huey:
  ``huey_consumer -w 8 -k thread`` and ``-w 1``). This process polls the number of unfinished
  tasks in the store every 20 ms; the rate is the tasks drained from the first poll that saw work
  taken to the poll that saw none, divided by that time — so interpreter start-up is excluded for
  everyone alike. (Huey removes a task from its table when a worker takes it, so up to 8 in-flight
  tasks are uncounted: at most 0.04 % of 20,000.)

Prints one markdown table of medians with ratios to the peers and the range of per-round ratios.
"""

from __future__ import annotations

import argparse
import logging
import os
import signal
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench.systems.base import System
from bench.tally import payloads

logger = logging.getLogger("bench.deploy")

BACKEND = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
POLL = 0.02
DRAIN_TIMEOUT = 300.0


@dataclass
class Deployed:
    """One system as deployed: how to make it, start its worker and count its unfinished tasks."""

    name: str
    make: Callable[[], System]
    worker: Callable[[System], list[str]]
    env: Callable[[System], dict[str, str]]
    pending: Callable[[System], Callable[[], int]]
    batch: bool = True
    results: dict[str, list[float]] = field(default_factory=dict)


def _pg_counter(url: str, sql: str) -> Callable[[], int]:
    import psycopg

    conn = psycopg.connect(url, autocommit=True)

    def count() -> int:
        row = conn.execute(sql).fetchone()  # type: ignore[arg-type]
        return int(row[0]) if row else 0

    return count


def _sqlite_counter(path: str, sql: str) -> Callable[[], int]:
    conn = sqlite3.connect(path, timeout=30)

    def count() -> int:
        return int(conn.execute(sql).fetchone()[0])

    return count


class HueyDeployed(System):
    """Huey on a fresh SQLite file, enqueuing through the task the consumer process imports
    (Huey names a task by its module, so producer and consumer must share that module)."""

    def setup(self, kind: str) -> None:
        import importlib

        self._dir = tempfile.TemporaryDirectory(prefix="huey-deploy-")
        self.path = str(Path(self._dir.name) / "huey.db")
        os.environ["BENCH_DSN"] = self.path
        module = importlib.reload(importlib.import_module("bench.deployed.huey_worker"))
        self.huey, self.task = module.huey, module.bench

    def reset(self) -> None:
        self.huey.flush()

    def enqueue(self, items: list[dict[str, Any]], batch: int) -> None:
        for item in items:
            self.task(item)

    def close(self) -> None:
        self._dir.cleanup()


def _systems() -> dict[str, Deployed]:
    from bench.systems.pgqueuer_sys import PgQueuer
    from bench.systems.procrastinate_sys import Procrastinate
    from bench.systems.pyqueue_sys import PyQueuePostgres, PyQueueSqlite

    # PyQueue keeps finished tasks, so a count(*) of the unfinished ones walks an index (on
    # PostgreSQL, and checks each row's visibility) 50 times a second, a cost on the same two cores
    # that grows with the backlog and is the benchmark's, not the queue's: the poll reads the
    # store's own counters instead (kept in the same transaction as each change, and what the
    # dashboard reads). The peers' queue tables hold only unfinished tasks, so count(*) is theirs.
    unfinished = "SELECT coalesce(sum(n), 0) FROM {} WHERE status IN ('QUEUED', 'INPROGRESS')"

    def pyqueue_worker(_: System) -> list[str]:
        return [sys.executable, "-m", "pyqueue.cli", "worker", "--concurrency", "8"]

    def pyqueue_env(system: System) -> dict[str, str]:
        return {
            "PYQUEUE_DATABASE_URL": system.url,  # type: ignore[attr-defined]
            "PYQUEUE_TASK_MODULES": "bench.pyqueue_tasks",
            "PYQUEUE_LOG_LEVEL": "WARNING",
        }

    def huey(threads: int) -> Deployed:
        return Deployed(
            name=f"huey-sqlite-w{threads}",
            make=HueyDeployed,
            worker=lambda _: [
                str(BIN / "huey_consumer"),
                "bench.deployed.huey_worker.huey",
                "-w",
                str(threads),
                "-k",
                "thread",
                "-q",
            ],
            env=lambda s: {"BENCH_DSN": s.path},  # type: ignore[attr-defined]
            pending=lambda s: _sqlite_counter(s.path, "SELECT count(*) FROM task"),  # type: ignore[attr-defined]
            batch=False,
        )

    systems = [
        Deployed(
            name="pyqueue-postgres",
            make=PyQueuePostgres,
            worker=pyqueue_worker,
            env=pyqueue_env,
            pending=lambda s: _pg_counter(s.url, unfinished.format("pyqueue_counts")),  # type: ignore[attr-defined]
        ),
        Deployed(
            name="pgqueuer",
            make=PgQueuer,
            worker=lambda _: [str(BIN / "pgq"), "run", "bench.deployed.pgq_worker:create"],
            env=lambda s: {"BENCH_DSN": s.url},  # type: ignore[attr-defined]
            pending=lambda s: _pg_counter(s.url, "SELECT count(*) FROM pgqueuer"),  # type: ignore[attr-defined]
        ),
        Deployed(
            name="procrastinate",
            make=Procrastinate,
            worker=lambda _: [
                str(BIN / "procrastinate"),
                "--app=bench.deployed.procrastinate_worker.app",
                "--log-level=warning",
                "worker",
                "--concurrency",
                "8",
            ],
            env=lambda s: {"BENCH_DSN": s.url},  # type: ignore[attr-defined]
            pending=lambda s: _pg_counter(
                s.url,  # type: ignore[attr-defined]
                "SELECT count(*) FROM procrastinate_jobs WHERE status IN ('todo', 'doing')",
            ),
        ),
        Deployed(
            name="pyqueue-sqlite",
            make=PyQueueSqlite,
            worker=pyqueue_worker,
            env=pyqueue_env,
            pending=lambda s: _sqlite_counter(
                s.url.removeprefix("sqlite:///"),
                unfinished.format("task_counts"),  # type: ignore[attr-defined]
            ),
        ),
        huey(8),
        huey(1),
    ]
    return {d.name: d for d in systems}


def measure_enqueue(system: System, n: int, batch: int) -> float:
    system.reset()
    items = payloads(n)
    started = time.perf_counter()
    system.enqueue(items, batch)
    return n / (time.perf_counter() - started)


def measure_drain(deployed: Deployed, system: System, n: int) -> float:
    system.reset()
    system.enqueue(payloads(n), 500 if deployed.batch else 1)
    count = deployed.pending(system)
    if count() != n:
        raise RuntimeError(f"{deployed.name}: {count()} unfinished tasks before the drain, not {n}")
    env = dict(os.environ, PYTHONPATH=str(BACKEND), **deployed.env(system))
    worker = subprocess.Popen(deployed.worker(system), env=env, cwd=BACKEND)
    try:
        deadline = time.monotonic() + DRAIN_TIMEOUT
        first: tuple[float, int] | None = None
        while True:
            left = count()
            now = time.perf_counter()
            if first is None and left < n:
                first = (now, left)
            if left == 0:
                break
            if time.monotonic() > deadline or worker.poll() is not None:
                raise RuntimeError(
                    f"{deployed.name}: {left} of {n} tasks left, worker {worker.poll()}"
                )
            time.sleep(POLL)
        assert first is not None
        return first[1] / max(now - first[0], POLL)
    finally:
        worker.send_signal(signal.SIGTERM)
        try:
            worker.wait(30)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait()


def run_round(deployed: Deployed, args: argparse.Namespace) -> None:
    system = deployed.make()
    system.setup("noop")
    try:
        figures = {}
        if args.single:
            figures["enqueue, one per call"] = measure_enqueue(system, args.single, 1)
        if deployed.batch:
            figures["enqueue, batches of 500"] = measure_enqueue(system, args.tasks, 500)
        figures[f"drain {args.tasks:,} (separate worker process)"] = measure_drain(
            deployed, system, args.tasks
        )
    finally:
        system.close()
    for name, value in figures.items():
        deployed.results.setdefault(name, []).append(value)
        logger.info("%s: %s %.0f/s", deployed.name, name, value)


PAIRS = [
    ("pyqueue-postgres", "pgqueuer"),
    ("pyqueue-postgres", "procrastinate"),
    ("pyqueue-sqlite", "huey-sqlite-w8"),
    ("pyqueue-sqlite", "huey-sqlite-w1"),
]


def report(systems: dict[str, Deployed], args: argparse.Namespace) -> str:
    lines = [
        f"As deployed: {args.rounds} interleaved rounds, medians (tasks/s); ratio = PyQueue ÷ peer "
        "(range of the per-round ratios)",
        "",
        "| figure | PyQueue | | peer | | ratio | by round |",
        "|---|---|---:|---|---:|---:|---|",
    ]
    for ours, theirs in PAIRS:
        if ours not in systems or theirs not in systems:
            continue
        mine, peer = systems[ours].results, systems[theirs].results
        for figure, values in mine.items():
            if figure not in peer:
                continue
            ratios = [a / b for a, b in zip(values, peer[figure], strict=True)]
            a, b = statistics.median(values), statistics.median(peer[figure])
            lines.append(
                f"| {figure} | {ours} | {a:,.0f} | {theirs} | {b:,.0f} | **{a / b:.2f}x** | "
                f"{min(ratios):.2f}-{max(ratios):.2f} |"
            )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    logging.basicConfig(level=logging.INFO, format="%(message)s", stream=sys.stderr)
    parser = argparse.ArgumentParser(prog="python -m bench.deploy", description=__doc__)
    parser.add_argument("--tasks", type=int, default=20_000, help="backlog and batch size")
    parser.add_argument("--single", type=int, default=5_000, help="one-per-call enqueues")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--systems", default=",".join(_systems()))
    args = parser.parse_args(argv)
    every = _systems()
    chosen = {name: every[name] for name in args.systems.split(",")}
    for number in range(args.rounds):
        for deployed in chosen.values():
            logger.info("round %d: %s", number + 1, deployed.name)
            run_round(deployed, args)
    sys.stdout.write(report(chosen, args) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
