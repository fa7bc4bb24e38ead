"""Pauses reach every process: one paused through an API process is honoured by a separate
worker process at its next claim (the claim itself reads the pauses), and resuming drains it."""

from __future__ import annotations

import httpx2 as httpx
import pytest

from tests.faults.harness import Cluster, free_port, wait_until

pytestmark = pytest.mark.slow


def test_a_pause_made_through_the_api_stops_another_process_claiming_that_type(
    cluster: Cluster,
) -> None:
    port = free_port()
    api = f"http://127.0.0.1:{port}/api"
    cluster.server(port, workers=0)
    cluster.worker(concurrency=2)

    def status_of(task_id: str) -> str:
        return str(httpx.get(f"{api}/jobs/{task_id}", timeout=5).json()["status"])

    def enqueue(t_type: str) -> str:
        body = {"t_type": t_type, "payload": {"ms": 0}}
        response = httpx.post(f"{api}/enqueue", json=body, timeout=5)
        assert response.status_code == 201, response.text
        task_id: str = response.json()["id"]
        return task_id

    warm = enqueue("WORK")  # the worker process is up and claiming
    wait_until(lambda: status_of(warm) == "COMPLETED", 30, "the worker process to run WORK")

    assert httpx.post(f"{api}/types/WORK/pause", timeout=5).json()["paused"] is True
    paused = enqueue("WORK")
    marker = enqueue("HOLD")  # enqueued after: only a claim that skipped WORK takes it first
    wait_until(lambda: status_of(marker) == "INPROGRESS", 30, "the worker to claim HOLD")
    assert status_of(paused) == "QUEUED"
    assert paused not in cluster.run_counts()
    types = {t["name"]: t for t in httpx.get(f"{api}/types", timeout=5).json()}
    assert types["WORK"]["paused"] is True

    assert httpx.post(f"{api}/types/WORK/resume", timeout=5).json()["paused"] is False
    wait_until(lambda: status_of(paused) == "COMPLETED", 30, "the resumed WORK to run")
    assert httpx.post(f"{api}/jobs/{marker}/cancel", timeout=5).status_code == 200

    # The whole queue: nothing is claimed until it is resumed, then everything drains.
    assert httpx.post(f"{api}/queue/pause", timeout=5).json()["paused"] is True
    held = [enqueue("WORK") for _ in range(3)]
    wait_until(lambda: status_of(marker) == "CANCELLED", 30, "the HOLD task to stop")
    # the worker polls every 0.2 s and is woken by each enqueue: a second is several claims
    with pytest.raises(AssertionError, match="timed out"):
        wait_until(lambda: any(status_of(t) != "QUEUED" for t in held), 1.0, "a claim")
    assert httpx.post(f"{api}/queue/resume", timeout=5).json()["paused"] is False
    wait_until(lambda: all(status_of(t) == "COMPLETED" for t in held), 30, "the queue to drain")
    runs = cluster.run_counts()
    assert all(runs[t] == 1 for t in [*held, paused])
