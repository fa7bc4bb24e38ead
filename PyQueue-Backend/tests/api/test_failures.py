"""Dead letters over REST: failure groups, retrying a group, editing a failed task's payload;
and the chart agreeing with the counts after deletes and retention purges."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient

from pyqueue.enums import TaskStatus
from tests.support import MakeClient, enqueue, queue_of, settle

MODULES = ["tests.sample_tasks", "tests.deadletter_tasks"]


@pytest.fixture
def dl_client(make_client: MakeClient) -> TestClient:
    return make_client(task_modules=MODULES)


def fail(client: TestClient, t_type: str, payload: Any, count: int = 1) -> list[str]:
    ids = [enqueue(client, t_type, payload, max_retries=0)["id"] for _ in range(count)]
    settle(client)
    return ids


def test_failures_are_grouped_by_type_and_first_line(dl_client: TestClient) -> None:
    fail(dl_client, "VALIDATE", {"ok": False}, count=3)
    fail(dl_client, "CRASH", "x")
    enqueue(dl_client, "ECHO", "fine")
    settle(dl_client)
    response = dl_client.get("/api/failures")
    assert response.status_code == 200, response.text
    groups = response.json()
    assert [(g["error"], g["t_type"], g["count"]) for g in groups] == [
        ("ValueError: payload needs ok: true", "VALIDATE", 3),
        ("KeyError: 'boom'", "CRASH", 1),
    ]
    assert groups[0]["latest_at"].endswith(("Z", "+00:00"))
    assert len(dl_client.get("/api/failures", params={"limit": 1}).json()) == 1
    for bad in (0, 201, "x"):
        refused = dl_client.get("/api/failures", params={"limit": bad})
        assert refused.status_code == 422
        assert "limit" in refused.text


def test_retry_a_group(dl_client: TestClient) -> None:
    validate_ids = fail(dl_client, "VALIDATE", {"ok": False}, count=2)
    crash = fail(dl_client, "CRASH", "x")[0]
    body = {"error": "ValueError: payload needs ok: true", "t_type": "validate"}
    response = dl_client.post("/api/failures/retry", json=body)
    assert response.status_code == 200, response.text
    assert response.json()["count"] == 2
    settle(dl_client)  # they fail again: same payload
    for task_id in validate_ids:
        task = dl_client.get(f"/api/jobs/{task_id}").json()
        assert task["status"] == "FAILED"
        assert task["attempts"] == 1
    assert dl_client.get(f"/api/jobs/{crash}").json()["status"] == "FAILED"
    unknown = dl_client.post("/api/failures/retry", json={"error": "nope", "t_type": "CRASH"})
    assert unknown.json()["count"] == 0


@pytest.mark.parametrize(
    "body",
    [
        {"error": "x"},
        {"t_type": "CRASH"},
        {"error": "x", "t_type": ""},
        {"error": 1, "t_type": "A"},
    ],
)
def test_retry_a_group_refuses_bad_bodies(dl_client: TestClient, body: dict[str, Any]) -> None:
    response = dl_client.post("/api/failures/retry", json=body)
    assert response.status_code == 422
    assert response.json()["detail"]


def test_edit_a_failed_payload_then_retry(every_store_url: str, make_client: MakeClient) -> None:
    client = make_client(task_modules=MODULES, database_url=every_store_url)
    task_id = fail(client, "VALIDATE", {"ok": False})[0]
    edited = client.patch(f"/api/jobs/{task_id}", json={"payload": {"ok": True, "n": 1}})
    assert edited.status_code == 200, edited.text
    assert edited.json()["payload"] == {"ok": True, "n": 1}
    assert edited.json()["status"] == "FAILED"
    assert client.post(f"/api/jobs/{task_id}/retry").status_code == 200
    assert queue_of(client).wait_for_status(task_id, TaskStatus.COMPLETED, timeout=20)
    done = client.get(f"/api/jobs/{task_id}").json()
    assert done["result"] == {"valid": {"ok": True, "n": 1}}
    again = client.patch(f"/api/jobs/{task_id}", json={"payload": 1})
    assert again.status_code == 409
    assert "only FAILED or CANCELLED" in again.json()["detail"]
    assert client.get(f"/api/jobs/{task_id}").json()["payload"] == {"ok": True, "n": 1}


def test_edit_a_cancelled_payload(dl_client: TestClient) -> None:
    task_id = enqueue(dl_client, "ECHO", "x", delay_seconds=3600)["id"]
    assert dl_client.post(f"/api/jobs/{task_id}/cancel").status_code == 200
    edited = dl_client.patch(f"/api/jobs/{task_id}", json={"payload": [1, "two"]})
    assert edited.status_code == 200, edited.text
    assert edited.json()["payload"] == [1, "two"]


def test_edit_refuses_queued_unknown_and_bad_payloads(make_client: MakeClient) -> None:
    client = make_client(task_modules=MODULES, max_payload_bytes=100)
    queued = enqueue(client, "ECHO", "x", delay_seconds=3600)["id"]
    refused = client.patch(f"/api/jobs/{queued}", json={"payload": 1})
    assert refused.status_code == 409
    assert "QUEUED" in refused.json()["detail"]
    client.post(f"/api/jobs/{queued}/cancel")  # so the queue drains below
    missing = client.patch("/api/jobs/Task-01JDZ8Q3M4X7K2B9C5N6P8R0ST", json={"payload": 1})
    assert missing.status_code == 404
    failed = fail(client, "VALIDATE", "bad")[0]
    too_big = client.patch(f"/api/jobs/{failed}", json={"payload": "x" * 200})
    assert too_big.status_code == 413
    assert "limit is 100 bytes" in too_big.json()["detail"]
    deep: Any = 1
    for _ in range(70):
        deep = [deep]
    too_deep = client.patch(f"/api/jobs/{failed}", json={"payload": deep})
    assert too_deep.status_code == 422
    for body in ({}, {"payload": 1, "extra": 2}):
        bad = client.patch(f"/api/jobs/{failed}", json=body)
        assert bad.status_code == 422, bad.text
    assert client.get(f"/api/jobs/{failed}").json()["payload"] == "bad"
    assert client.patch("/api/jobs/nope", json={"payload": 1}).status_code == 404
    assert client.patch(f"/api/jobs/{'x' * 300}", json={"payload": 1}).status_code == 422


def test_edit_needs_json_and_the_same_origin(dl_client: TestClient) -> None:
    task_id = fail(dl_client, "VALIDATE", "bad")[0]
    text = dl_client.patch(
        f"/api/jobs/{task_id}", content='{"payload": 1}', headers={"Content-Type": "text/plain"}
    )
    assert text.status_code == 415
    cross = dl_client.patch(
        f"/api/jobs/{task_id}", json={"payload": 1}, headers={"Origin": "https://evil.example"}
    )
    assert cross.status_code == 403


def chart_and_cards(client: TestClient) -> tuple[tuple[int, int], tuple[int, int]]:
    minutes = client.get("/api/stats/throughput", params={"minutes": 5}).json()
    chart = (sum(m["completed"] for m in minutes), sum(m["failed"] for m in minutes))
    by_status = client.get("/api/stats").json()["by_status"]
    return chart, (by_status["COMPLETED"], by_status["FAILED"])


def test_chart_agrees_with_cards_after_delete(
    every_store_url: str, make_client: MakeClient
) -> None:
    """Regression: the chart kept counting deleted tasks while the cards did not."""
    client = make_client(task_modules=MODULES, database_url=every_store_url)
    done = [enqueue(client, "ECHO", i)["id"] for i in range(3)]
    failed = fail(client, "CRASH", "x", count=2)
    settle(client)
    assert chart_and_cards(client) == ((3, 2), (3, 2))
    client.delete(f"/api/jobs/{done[0]}")
    client.delete(f"/api/jobs/{failed[0]}")
    assert chart_and_cards(client) == ((2, 1), (2, 1))
    client.post("/api/clear", params={"status": "COMPLETED"})
    assert chart_and_cards(client) == ((0, 1), (0, 1))
    client.post(f"/api/jobs/{failed[1]}/retry")
    settle(client)
    assert chart_and_cards(client) == ((0, 1), (0, 1))


def test_retention_purge_keeps_chart_and_cards_agreeing(
    every_store_url: str, make_client: MakeClient
) -> None:
    client = make_client(
        task_modules=MODULES,
        database_url=every_store_url,
        retention_completed="0.001",
        retention_failed="off",
    )
    queue = queue_of(client)
    assert queue.config.retention_completed == timedelta(milliseconds=1)
    assert queue.config.retention_failed is None
    for i in range(3):
        enqueue(client, "ECHO", i)
    fail(client, "CRASH", "x")
    settle(client)
    # as the maintenance thread does; twice, in case the last finish was not a millisecond old
    queue.purge_expired()
    queue.purge_expired()
    assert chart_and_cards(client) == ((0, 1), (0, 1))
