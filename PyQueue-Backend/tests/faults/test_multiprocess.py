"""Several processes, one queue: API and worker processes sharing a database."""

from __future__ import annotations

import json

import httpx2 as httpx
import pytest

from tests.faults.harness import Cluster, free_port, wait_until

pytestmark = pytest.mark.slow


def status_of(api: str, task_id: str) -> str:
    response = httpx.get(f"{api}/jobs/{task_id}", timeout=5)
    return "GONE" if response.status_code == 404 else str(response.json()["status"])


@pytest.mark.parametrize(
    "kind", [pytest.param("postgres", marks=pytest.mark.postgres)], indirect=True
)
def test_two_workers_and_one_api_drain_5000_tasks_each_once(cluster: Cluster) -> None:
    cluster.lease_seconds = 10  # nothing dies here: no lease may run out on a loaded machine
    port = free_port()
    api = f"http://127.0.0.1:{port}/api"
    cluster.server(port, workers=0)
    cluster.worker(concurrency=8)
    cluster.worker(concurrency=8)
    for _ in range(5):
        body = {"tasks": [{"t_type": "WORK", "payload": {"ms": 0}} for _ in range(1000)]}
        assert httpx.post(f"{api}/enqueue/batch", json=body, timeout=30).status_code == 201

    def drained() -> bool:
        done: int = httpx.get(f"{api}/stats", timeout=5).json()["by_status"]["COMPLETED"]
        return done == 5000

    wait_until(drained, 180, "5000 tasks to complete")
    runs = cluster.run_counts()
    assert len(runs) == 5000
    twice = [task_id for task_id, n in runs.items() if n > 1]
    details = [httpx.get(f"{api}/jobs/{task_id}", timeout=5).json() for task_id in twice[:3]]
    assert not twice, f"{len(twice)} tasks ran more than once, e.g. {details}"
    pids = {pid for _, _, pid in cluster.runs()}
    assert len(pids) == 2, "both worker processes took work"


def test_cancel_and_delete_reach_a_task_running_in_another_process(cluster: Cluster) -> None:
    port = free_port()
    api = f"http://127.0.0.1:{port}/api"
    cluster.server(port, workers=0)
    cluster.worker(concurrency=1)

    def pools() -> dict[str, int]:
        workers: dict[str, int] = httpx.get(f"{api}/stats", timeout=5).json()["workers"]
        return workers

    wait_until(lambda: pools()["total"] == 1, 30, "the worker process's pool in the API's stats")
    assert pools()["processes"] == 1

    def enqueue(t_type: str) -> str:
        body = {"t_type": t_type, "payload": {"ms": 0}}
        task_id: str = httpx.post(f"{api}/enqueue", json=body, timeout=5).json()["id"]
        return task_id

    held = enqueue("HOLD")
    wait_until(lambda: status_of(api, held) == "INPROGRESS", 30, "HOLD to start")
    assert httpx.post(f"{api}/jobs/{held}/cancel", timeout=5).status_code == 200
    wait_until(lambda: status_of(api, held) == "CANCELLED", 30, "the cancel to reach the worker")

    doomed = enqueue("HOLD")
    wait_until(lambda: status_of(api, doomed) == "INPROGRESS", 30, "the second HOLD to start")
    assert httpx.delete(f"{api}/jobs/{doomed}", timeout=5).status_code == 200
    after = enqueue("WORK")  # the only worker thread is free again only if HOLD stopped
    wait_until(lambda: status_of(api, after) == "COMPLETED", 30, "the worker to be free again")
    assert status_of(api, doomed) == "GONE"
    assert sum(1 for task_id, _, _ in cluster.runs() if task_id == doomed) == 1


def test_worker_burst_mode_exits_when_drained(cluster: Cluster) -> None:
    port = free_port()
    api = f"http://127.0.0.1:{port}/api"
    cluster.server(port, workers=0)
    body = {"tasks": [{"t_type": "WORK", "payload": {"ms": 1}} for _ in range(50)]}
    httpx.post(f"{api}/enqueue/batch", json=body, timeout=10)
    worker = cluster.start("worker", "--concurrency", "4", "--burst")
    assert worker.wait(timeout=60) == 0
    assert httpx.get(f"{api}/stats", timeout=5).json()["by_status"]["COMPLETED"] == 50


def test_event_stream_shows_tasks_run_by_another_process(cluster: Cluster) -> None:
    port = free_port()
    api = f"http://127.0.0.1:{port}/api"
    cluster.server(port, workers=0)
    cluster.worker(concurrency=1)
    seen: list[str] = []
    with httpx.stream("GET", f"{api}/events", timeout=30) as response:
        body = {"t_type": "WORK", "payload": {"ms": 0}}
        task_id = httpx.post(f"{api}/enqueue", json=body, timeout=5).json()["id"]
        for line in response.iter_lines():
            if line.startswith("data: ") and task_id in line:
                seen.append(json.loads(line[6:])["task"]["status"])
                if seen[-1] == "COMPLETED":
                    break
    assert seen[0] == "QUEUED"
    assert seen[-1] == "COMPLETED", "the worker process's changes reached this API's stream"
