"""``pyqueue worker --metrics-port``: a worker process, which has no API, serves its own figures."""

from __future__ import annotations

import httpx2 as httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from pyqueue import Settings, build_queue
from tests import fault_tasks  # noqa: F401 - registers WORK for the producer
from tests.faults.harness import Cluster, free_port, wait_until

pytestmark = pytest.mark.slow


def _samples(url: str) -> dict[tuple[str, frozenset[tuple[str, str]]], float]:
    text = httpx.get(url, timeout=5).text
    return {
        (s.name, frozenset(s.labels.items())): s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
    }


@pytest.mark.parametrize("kind", [pytest.param("sqlite", marks=pytest.mark.sqlite)], indirect=True)
def test_a_worker_process_serves_its_task_metrics(cluster: Cluster) -> None:
    port = free_port()
    worker = cluster.start("worker", "--concurrency", "2", "--metrics-port", str(port))
    url = f"http://127.0.0.1:{port}/metrics"

    def serving() -> bool:
        if worker.poll() is not None:
            raise AssertionError(f"the worker exited with {worker.returncode}")
        try:
            return httpx.get(url, timeout=1).status_code == 200
        except httpx.HTTPError:
            return False

    wait_until(serving, 30, "the worker's metrics")
    producer = build_queue(Settings(database_url=cluster.url, workers=0, _env_file=None))
    try:
        for i in range(5):
            producer.enqueue("WORK", {"ms": 0, "i": i})
        ran = (
            "pyqueue_task_duration_seconds_count",
            frozenset({("type", "WORK"), ("outcome", "completed")}),
        )
        stored = ("pyqueue_tasks", frozenset({("status", "COMPLETED"), ("type", "WORK")}))
        waited = ("pyqueue_task_wait_seconds_count", frozenset({("type", "WORK")}))

        def counted() -> bool:
            samples = _samples(url)  # the store's gauges are read at most once a second
            return samples.get(ran) == 5 and samples.get(stored) == 5 and samples.get(waited) == 5

        wait_until(counted, 30, "5 completed tasks in the worker's metrics")
    finally:
        producer.close()
