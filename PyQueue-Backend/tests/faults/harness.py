"""Real processes for fault tests: `pyqueue worker` and `pyqueue serve`, started and killed."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx2 as httpx

BACKEND = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def wait_until(predicate: Callable[[], bool], timeout: float, what: str) -> None:
    """Poll another process's effects (there is no event to wait on across processes)."""
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what}")
        time.sleep(0.05)


@dataclass
class Cluster:
    """Processes sharing one store URL; every one is killed at teardown."""

    url: str
    runlog: Path
    lease_seconds: float = 2.0
    processes: list[subprocess.Popen[bytes]] = field(default_factory=list)

    def env(self, **extra: str) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("PYQUEUE_")}
        env.update(
            PYQUEUE_DATABASE_URL=self.url,
            PYQUEUE_TASK_MODULES="tests.fault_tasks",
            PYQUEUE_LEASE_SECONDS=str(self.lease_seconds),
            PYQUEUE_HEARTBEAT_SECONDS="0.2",
            PYQUEUE_POLL_INTERVAL="0.2",
            PYQUEUE_RETRY_BACKOFF_BASE="0",
            PYQUEUE_RETRY_BACKOFF_MAX="0",
            PYQUEUE_SHUTDOWN_TIMEOUT="1",
            PYQUEUE_LOG_LEVEL="WARNING",
            PYQUEUE_TEST_RUNLOG=str(self.runlog),
            PYTHONPATH=str(BACKEND),
        )
        env.update(extra)
        return env

    def start(self, *args: str, **env: str) -> subprocess.Popen[bytes]:
        process = subprocess.Popen(
            [sys.executable, "-m", "pyqueue.cli", *args], cwd=BACKEND, env=self.env(**env)
        )
        self.processes.append(process)
        return process

    def worker(self, concurrency: int = 4) -> subprocess.Popen[bytes]:
        return self.start("worker", "--concurrency", str(concurrency))

    def server(self, port: int, workers: int) -> subprocess.Popen[bytes]:
        process = self.start("serve", "--port", str(port), PYQUEUE_WORKERS=str(workers))
        url = f"http://127.0.0.1:{port}/api/health"

        def healthy() -> bool:
            if process.poll() is not None:
                raise AssertionError(f"the server exited with {process.returncode}")
            try:
                return httpx.get(url, timeout=1).status_code == 200
            except httpx.HTTPError:
                return False

        wait_until(healthy, 30, "the server to answer")
        return process

    def kill(self, process: subprocess.Popen[bytes]) -> None:
        process.send_signal(signal.SIGKILL)
        process.wait()

    def runs(self) -> list[tuple[str, int, int]]:
        if not self.runlog.exists():
            return []
        rows = []
        for line in self.runlog.read_text().splitlines():
            task_id, attempt, pid = line.split()
            rows.append((task_id, int(attempt), int(pid)))
        return rows

    def run_counts(self) -> Counter[str]:
        return Counter(task_id for task_id, _, _ in self.runs())

    def stop_all(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                process.send_signal(signal.SIGKILL)
                process.wait()


def wait_for_health(process: subprocess.Popen[bytes] | subprocess.Popen[str], base: str) -> None:
    """Wait until the server ``process`` answers ``GET {base}/api/health`` (fail if it exits)."""

    def healthy() -> bool:
        if process.poll() is not None:
            raise AssertionError(f"the server exited with {process.returncode}")
        try:
            return httpx.get(f"{base}/api/health", timeout=1).status_code == 200
        except httpx.HTTPError:
            return False

    wait_until(healthy, 30, "the server to answer")


def start_server(port: int, **settings: str) -> subprocess.Popen[bytes]:
    """``pyqueue serve`` on 127.0.0.1:``port``, in a process of its own, with only the given
    ``PYQUEUE_*`` settings (none of this process's leak in); returns once it answers."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYQUEUE_")}
    env.update(PYTHONPATH=str(BACKEND), **settings)
    command = [sys.executable, "-m", "pyqueue.cli", "serve", "--port", str(port)]
    process = subprocess.Popen(command, cwd=BACKEND, env=env)
    try:
        wait_for_health(process, f"http://127.0.0.1:{port}")
    except BaseException:
        process.kill()
        process.wait()
        raise
    return process


def cluster_for(url: str, tmp_path: Path) -> Iterator[Cluster]:
    cluster = Cluster(url, tmp_path / "runs.log")
    try:
        yield cluster
    finally:
        cluster.stop_all()
