"""Cross-process start latency on SQLite: ``python -m bench.wakeup [RATE] [COUNT]``.

A separate ``pyqueue worker`` process (8 threads, demo handlers at no delay) runs on a fresh SQLite
file; this process enqueues COUNT tasks at RATE per second and reads back when each started. Prints
the worker's idle CPU (10 s without work) and the p50 / p99 of enqueue → start.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from pyqueue import Settings, build_queue

BACKEND = Path(__file__).resolve().parents[1]


def _cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().split(")")[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _started(url: str) -> subprocess.Popen[bytes]:
    env = dict(
        os.environ,
        PYQUEUE_DATABASE_URL=url,
        PYQUEUE_DEMO_TIME_SCALE="0",
        PYQUEUE_LOG_LEVEL="WARNING",
    )
    command = [sys.executable, "-m", "pyqueue.cli", "worker", "--concurrency", "8"]
    return subprocess.Popen(command, env=env, cwd=BACKEND)


def main(rate: float = 100.0, count: int = 1000) -> None:
    with tempfile.TemporaryDirectory(prefix="pyqueue-wakeup-") as folder:
        url = f"sqlite:///{folder}/bench.db"
        producer = build_queue(Settings(database_url=url, workers=0, _env_file=None))
        worker = _started(url)
        try:
            time.sleep(3)  # the worker starts and settles
            before, began = _cpu_seconds(worker.pid), time.monotonic()
            time.sleep(10)
            idle = (_cpu_seconds(worker.pid) - before) / (time.monotonic() - began)
            ids, start = [], time.monotonic()
            for i in range(count):
                ids.append(producer.enqueue("SMS", {"i": i}).t_id)
                time.sleep(max(0.0, start + (i + 1) / rate - time.monotonic()))
            deadline = time.monotonic() + 30
            while not producer.wait_idle(timeout=1) and time.monotonic() < deadline:
                pass
            waits = sorted(
                (task.started_at - task.created_at).total_seconds() * 1000
                for task in map(producer.get, ids)
                if task.started_at is not None
            )
        finally:
            worker.terminate()
            worker.wait(15)
            producer.close()
    print(f"idle worker: {idle * 100:.2f} % of a core")
    print(
        f"{len(waits)}/{count} started at {rate:g}/s: enqueue → start p50 "
        f"{statistics.median(waits):.1f} ms, p99 {waits[max(0, int(len(waits) * 0.99) - 1)]:.1f} ms"
    )


if __name__ == "__main__":
    main(*(float(a) for a in sys.argv[1:2]), *(int(a) for a in sys.argv[2:3]))
