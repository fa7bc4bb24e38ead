"""SIGTERM while a dashboard listens: the event stream ends and the process stops in time.

A server waits for open connections to close before it stops the queue, and an event stream never
closes by itself; without ending the streams, one open tab turns every graceful stop into SIGKILL.
"""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx2 as httpx
import pytest

from pyqueue.enums import TaskStatus
from pyqueue.stores import open_store
from tests.faults.harness import BACKEND, Cluster, free_port, wait_for_health, wait_until

pytestmark = [pytest.mark.slow, pytest.mark.sqlite]

SHUTDOWN_TIMEOUT = 2.0
GRACE = 2.0
"""What the process may take beyond PYQUEUE_SHUTDOWN_TIMEOUT to exit."""


@pytest.fixture
def cluster(tmp_path: Path) -> Cluster:
    return Cluster(f"sqlite:///{tmp_path / 'queue.db'}", tmp_path / "runs.log")


def _start(cluster: Cluster, how: str, port: int) -> subprocess.Popen[bytes]:
    env = cluster.env(PYQUEUE_WORKERS="2", PYQUEUE_SHUTDOWN_TIMEOUT=str(SHUTDOWN_TIMEOUT))
    if how == "pyqueue serve":
        command = ["-m", "pyqueue.cli", "serve", "--port", str(port)]
    else:  # the seed's way, from PyQueue-Backend/
        command = ["-m", "uvicorn", "main:app", "--port", str(port), "--log-level", "warning"]
    process = subprocess.Popen([sys.executable, *command], cwd=BACKEND, env=env)
    cluster.processes.append(process)
    wait_for_health(process, f"http://127.0.0.1:{port}")
    return process


@pytest.mark.parametrize("how", ["pyqueue serve", "uvicorn main:app"])
def test_sigterm_with_an_open_event_stream_stops_within_the_shutdown_timeout(
    cluster: Cluster, how: str
) -> None:
    port = free_port()
    api = f"http://127.0.0.1:{port}/api"
    try:
        server = _start(cluster, how, port)
        body = {
            "tasks": [{"t_type": "HOLD", "payload": {}} for _ in range(2)]
            + [{"t_type": "WORK", "payload": {"ms": 10}} for _ in range(3)]
        }
        created = httpx.post(f"{api}/enqueue/batch", json=body, timeout=10).json()
        held = {t["id"] for t in created if t["type"] == "HOLD"}

        def holding() -> bool:  # both handlers started (the WORK tasks may be claimed ahead)
            return set(cluster.run_counts()) == held

        wait_until(holding, 30, "both HOLD tasks to run")

        with httpx.stream("GET", f"{api}/events", timeout=httpx.Timeout(10, read=30)) as stream:
            assert stream.status_code == 200
            lines = stream.iter_lines()
            assert next(lines).startswith(":")  # the stream is open (": connected")

            server.send_signal(signal.SIGTERM)
            sent = time.monotonic()
            try:
                server.wait(timeout=SHUTDOWN_TIMEOUT + GRACE)
            except subprocess.TimeoutExpired:
                raise AssertionError(
                    f"{how} still runs {SHUTDOWN_TIMEOUT + GRACE} s after SIGTERM "
                    "with an event stream open"
                ) from None
            took = time.monotonic() - sent
            for _ in lines:  # the server ended the stream cleanly: the iterator finishes
                pass
    finally:
        cluster.stop_all()

    assert took <= SHUTDOWN_TIMEOUT + GRACE
    store = open_store(cluster.url)
    try:
        tasks = {task_id: store.get(task_id) for task_id in (t["id"] for t in created)}
    finally:
        store.close()
    for task_id, task in tasks.items():
        assert task is not None
        if task_id in held:  # interrupted by the shutdown: back in the queue, attempt refunded
            assert task.status is TaskStatus.QUEUED and task.attempts == 0, task
            assert task.lease_id is None
        else:
            assert task.status in (TaskStatus.QUEUED, TaskStatus.COMPLETED), task
