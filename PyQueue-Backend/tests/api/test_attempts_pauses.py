"""REST: a task's attempt history, and pausing task types or the whole queue."""

from __future__ import annotations

import logging

import pytest
from fastapi.testclient import TestClient

from tests.support import MakeClient, enqueue, queue_of, settle


def _wait_status(client: TestClient, task_id: str, status: str, timeout: float = 20) -> bool:
    return queue_of(client).wait_for_status(task_id, status, timeout)


# -- attempt history ------------------------------------------------------------------------------


def test_every_attempt_of_a_flaky_task_is_listed_in_order(
    every_store_url: str, make_client: MakeClient
) -> None:
    client = make_client(database_url=every_store_url)
    task = enqueue(client, "FLAKY", max_retries=3)
    assert _wait_status(client, task["id"], "COMPLETED")
    response = client.get(f"/api/jobs/{task['id']}/attempts")
    assert response.status_code == 200, response.text
    attempts = response.json()
    assert [(a["number"], a["outcome"]) for a in attempts] == [
        (1, "RETRY"),
        (2, "RETRY"),
        (3, "COMPLETED"),
    ]
    assert [a["error"] for a in attempts] == [
        "ValueError: flaky failure 1",
        "ValueError: flaky failure 2",
        None,
    ]
    first = attempts[0]["traceback"]
    assert first.startswith("Traceback (most recent call last):")
    assert "sample_tasks.py" in first
    assert first.endswith("ValueError: flaky failure 1")
    assert attempts[2]["traceback"] is None
    assert {a["worker"] for a in attempts} == {queue_of(client).process_id}
    for attempt in attempts:
        assert attempt["started_at"] <= attempt["finished_at"]
    task_now = client.get(f"/api/jobs/{task['id']}").json()
    assert attempts[-1]["started_at"] == task_now["started_at"]
    assert attempts[-1]["finished_at"] == task_now["finished_at"]


def test_attempts_of_an_unknown_or_deleted_task_are_404_and_bad_ids_422(
    client: TestClient,
) -> None:
    task = enqueue(client, "ECHO")
    settle(client)
    assert len(client.get(f"/api/jobs/{task['id']}/attempts").json()) == 1
    assert client.delete(f"/api/jobs/{task['id']}").status_code == 200
    gone = client.get(f"/api/jobs/{task['id']}/attempts")
    assert gone.status_code == 404
    assert task["id"] in gone.json()["detail"]
    assert client.get("/api/jobs/Task-NOPE/attempts").status_code == 404
    assert client.get("/api/jobs/Task-%01/attempts").status_code == 422
    assert client.get(f"/api/jobs/{'x' * 65}/attempts").status_code == 422


def test_a_failing_handler_logs_its_traceback_with_the_task_id(client: TestClient) -> None:
    records: list[logging.LogRecord] = []

    class Keep(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            records.append(record)

    handler = Keep(logging.WARNING)
    worker_log = logging.getLogger("pyqueue.worker")
    worker_log.addHandler(handler)
    try:
        task = enqueue(client, "CRASH", payload={"password": "hunter2"}, max_retries=0)
        assert _wait_status(client, task["id"], "FAILED")
    finally:
        worker_log.removeHandler(handler)
    [record] = [r for r in records if getattr(r, "task_id", None) == task["id"]]
    assert record.levelno == logging.WARNING
    assert task["id"] in record.getMessage()
    assert record.exc_info is not None
    text = logging.Formatter().format(record)
    assert "KeyError: 'boom'" in text
    assert "hunter2" not in text  # the payload is never logged


# -- pauses ---------------------------------------------------------------------------------------


def test_a_paused_type_stays_queued_while_others_run_until_it_is_resumed(
    client: TestClient,
) -> None:
    response = client.post("/api/types/echo/pause")  # any case, as on enqueue
    assert response.status_code == 200, response.text
    assert (response.json()["name"], response.json()["paused"]) == ("ECHO", True)
    assert response.json()["paused_at"] is not None
    waiting = enqueue(client, "ECHO")  # enqueue is still accepted (201)
    later = enqueue(client, "COUNT")
    assert _wait_status(client, later["id"], "COMPLETED")  # claimed after ECHO was skipped
    assert client.get(f"/api/jobs/{waiting['id']}").json()["status"] == "QUEUED"
    types = {t["name"]: t for t in client.get("/api/types").json()}
    assert (types["ECHO"]["paused"], types["ECHO"]["tasks"]) == (True, 1)
    assert (types["COUNT"]["paused"], types["COUNT"]["registered"]) == (False, True)
    assert client.get("/api/queue").json() == {
        "paused": False,
        "paused_at": None,
        "paused_types": ["ECHO"],
    }

    resumed = client.post("/api/types/ECHO/resume")
    assert resumed.status_code == 200
    assert (resumed.json()["paused"], resumed.json()["paused_at"]) == (False, None)
    assert _wait_status(client, waiting["id"], "COMPLETED")
    assert client.get("/api/queue").json()["paused_types"] == []


def test_pausing_the_whole_queue_holds_every_type_and_resuming_drains_it(
    every_store_url: str, make_client: MakeClient
) -> None:
    client = make_client(database_url=every_store_url)
    response = client.post("/api/queue/pause")
    assert response.status_code == 200
    assert response.json()["paused"] is True
    assert client.post("/api/queue/pause").json()["paused"] is True  # idempotent
    held = [enqueue(client, "ECHO"), enqueue(client, "COUNT")]
    # nothing to wait for but time: a claim would have taken them within a poll
    assert not _wait_status(client, held[0]["id"], "COMPLETED", timeout=1.0)
    assert client.get("/api/queue").json()["paused"] is True
    assert [client.get(f"/api/jobs/{t['id']}").json()["status"] for t in held] == [
        "QUEUED",
        "QUEUED",
    ]
    assert client.post("/api/queue/resume").json() == {
        "paused": False,
        "paused_at": None,
        "paused_types": [],
    }
    for task in held:
        assert _wait_status(client, task["id"], "COMPLETED")


@pytest.mark.parametrize(
    "path",
    [
        "/api/types/NOPE/pause",
        "/api/types/NOPE/resume",
        "/api/types/%01/pause",
        f"/api/types/{'X' * 65}/pause",
    ],
)
def test_pausing_an_unknown_or_invalid_type_is_422(make_client: MakeClient, path: str) -> None:
    client = make_client(workers=0)
    response = client.post(path)
    assert response.status_code == 422, response.text
    assert response.json()["detail"]
    assert client.get("/api/queue").json()["paused_types"] == []


def test_an_unknown_type_names_the_known_ones(make_client: MakeClient) -> None:
    client = make_client(workers=0)
    detail = client.post("/api/types/NOPE/pause").json()["detail"]
    assert "Unknown task type 'NOPE'" in detail
    assert "ECHO" in detail
