"""A real `pyqueue serve` on SQLite keeps its open files flat while its request threads come and go.

The API runs store calls on anyio's worker threads; anyio retires a thread that has been idle for
10 s (at the next call) and starts new ones for the next burst. A store that opened a connection per
thread and kept it forever gained about 13 connections (39 files) per burst and idle period, until
`unable to open database file`.
"""

from __future__ import annotations

import os
import threading
import time

import httpx2 as httpx
import pytest

from tests.faults.harness import Cluster, free_port, wait_until

pytestmark = pytest.mark.slow

ANYIO_THREAD_IDLE = 10.0
"""anyio's ``WorkerThread.MAX_IDLE_TIME``: a thread idle this long is retired at the next call."""
CLIENTS = 16
PER_CLIENT = 15
ROUNDS = 3


def _open_files(pid: int) -> int:
    return len(os.listdir(f"/proc/{pid}/fd"))


def _burst(api: str) -> tuple[list[str], list[str]]:
    """CLIENTS threads each enqueue PER_CLIENT tasks at once: (ids of the 201s, other answers)."""
    created: list[str] = []
    other: list[str] = []
    lock = threading.Lock()
    start = threading.Barrier(CLIENTS)

    def client() -> None:
        with httpx.Client(timeout=30) as http:
            start.wait(timeout=30)
            for _ in range(PER_CLIENT):
                body = {"t_type": "WORK", "payload": {"ms": 0}}
                response = http.post(f"{api}/enqueue", json=body)
                with lock:
                    if response.status_code == 201:
                        created.append(response.json()["id"])
                    else:
                        other.append(f"{response.status_code} {response.text[:200]}")

    threads = [threading.Thread(target=client) for _ in range(CLIENTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return created, other


@pytest.mark.parametrize("kind", [pytest.param("sqlite", marks=pytest.mark.sqlite)], indirect=True)
def test_bursts_of_requests_with_idle_gaps_keep_the_open_files_flat(cluster: Cluster) -> None:
    port = free_port()
    api = f"http://127.0.0.1:{port}/api"
    pid = cluster.server(port, workers=4).pid
    created: list[str] = []
    files: list[int] = []
    for _ in range(ROUNDS):
        ids, refused = _burst(api)
        assert refused == [], f"{len(refused)} enqueues failed, e.g. {refused[:3]}"
        created += ids
        # Nothing to wait on: the request threads retire by anyio's clock, once idle long enough.
        time.sleep(ANYIO_THREAD_IDLE + 0.5)
        files.append(_open_files(pid))
    assert files[-1] <= files[0] + 6, f"open files after each round: {files}"

    total = ROUNDS * CLIENTS * PER_CLIENT
    assert len(created) == len(set(created)) == total

    def drained() -> bool:
        done: int = httpx.get(f"{api}/stats", timeout=5).json()["by_status"]["COMPLETED"]
        return done == total

    wait_until(drained, 60, f"{total} tasks to complete")
    response = httpx.get(f"{api}/jobs", params={"limit": 1}, timeout=5)
    assert response.headers["X-Total-Count"] == str(total)
    runs = cluster.run_counts()
    assert set(runs) == set(created)
    assert set(runs.values()) == {1}
