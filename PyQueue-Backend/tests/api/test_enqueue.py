"""POST /api/enqueue and /api/enqueue/batch: the created task, and every way to get it wrong."""

from __future__ import annotations

import re
from datetime import datetime

from fastapi.testclient import TestClient

from tests.support import MakeClient, enqueue, queue_of, settle

TASK_FIELDS = {
    "id", "payload", "type", "status", "attempts", "max_retries", "created_at", "updated_at",
    "started_at", "finished_at", "next_run_at", "last_error", "result", "cancel_requested",
    "priority", "timeout_seconds", "idempotency_key", "progress", "progress_message",
}  # fmt: skip


def total(client: TestClient) -> int:
    return int(client.get("/api/jobs").headers["X-Total-Count"])


def test_enqueue_returns_the_created_task_with_location(make_client: MakeClient) -> None:
    client = make_client(workers=0)
    response = client.post("/api/enqueue", json={"payload": {"to": "ada"}, "t_type": "EMAIL"})
    assert response.status_code == 201
    body = response.json()
    assert set(body) == TASK_FIELDS
    assert re.fullmatch(r"Task-[0-9A-Z]{26}", body["id"])
    assert response.headers["Location"] == f"/api/jobs/{body['id']}"
    assert body["payload"] == {"to": "ada"}
    assert (body["type"], body["status"], body["attempts"], body["max_retries"]) == (
        "EMAIL", "QUEUED", 0, 3,
    )  # fmt: skip
    assert (body["priority"], body["next_run_at"]) == (0, None)
    created = datetime.fromisoformat(body["created_at"])
    assert created.utcoffset() is not None and created.utcoffset().total_seconds() == 0  # type: ignore[union-attr]
    assert client.get(f"/api/jobs/{body['id']}").json() == body


def test_type_alias_case_and_max_retries(make_client: MakeClient) -> None:
    client = make_client(workers=0)
    body = client.post("/api/enqueue", json={"payload": 1, "type": "sms", "max_retries": 0}).json()
    assert (body["type"], body["max_retries"]) == ("SMS", 0)


def test_any_json_payload_round_trips(make_client: MakeClient) -> None:
    client = make_client(workers=0)
    for payload in ["text", 42, None, [1, "two"], {"nested": {"a": [True, 1.5]}}]:
        assert enqueue(client, "ECHO", payload)["payload"] == payload


def test_unknown_type_is_422_listing_known_types(make_client: MakeClient) -> None:
    client = make_client(workers=0)
    response = client.post("/api/enqueue", json={"payload": "x", "t_type": "NOPE"})
    assert response.status_code == 422
    detail = response.json()["detail"]
    assert "NOPE" in detail and "EMAIL" in detail and "TEST" in detail and "ECHO" in detail
    assert total(client) == 0


def test_malformed_requests_are_422_and_enqueue_nothing(make_client: MakeClient) -> None:
    client = make_client(workers=0)
    bad_bodies = [
        b"{not json",
        b"[]",
        b'"just a string"',
        b'{"t_type": "EMAIL"}',
        b'{"payload": 1}',
        b'{"payload": 1, "t_type": "EMAIL", "extra": true}',
        b'{"payload": 1, "t_type": 5}',
        b'{"payload": 1, "t_type": "EMAIL", "max_retries": -1}',
        b'{"payload": 1, "t_type": "EMAIL", "max_retries": "many"}',
        b'{"payload": 1, "t_type": ""}',
    ]
    for body in bad_bodies:
        response = client.post(
            "/api/enqueue", content=body, headers={"content-type": "application/json"}
        )
        assert response.status_code == 422, (body, response.text)
        assert isinstance(response.json()["detail"], str) and response.json()["detail"]
    assert total(client) == 0


def test_payloads_json_cannot_carry_are_422(make_client: MakeClient) -> None:
    client = make_client(workers=0)
    for payload in [b"1e999", b"-1e999", b'"\\ud800"', b'["ok", "\\udfff"]']:
        body = b'{"payload": ' + payload + b', "t_type": "ECHO"}'
        response = client.post(
            "/api/enqueue", content=body, headers={"content-type": "application/json"}
        )
        assert response.status_code == 422, (payload, response.text)
        assert "not storable JSON" in response.json()["detail"]
    assert total(client) == 0


def test_payload_over_the_limit_is_413(make_client: MakeClient) -> None:
    client = make_client(workers=0, max_payload_bytes=100)
    response = client.post("/api/enqueue", json={"payload": "x" * 200, "t_type": "EMAIL"})
    assert response.status_code == 413
    assert "limit is 100 bytes" in response.json()["detail"]
    assert total(client) == 0


def test_huge_body_is_refused_before_parsing(make_client: MakeClient) -> None:
    client = make_client(workers=0, max_payload_bytes=1000)
    response = client.post(
        "/api/enqueue",
        content=b'{"payload": "' + b"x" * 1_000_000 + b'", "t_type": "EMAIL"}',
        headers={"content-type": "application/json"},
    )
    assert response.status_code == 413
    assert "larger than the limit" in response.json()["detail"]


def test_batch_creates_all(make_client: MakeClient) -> None:
    client = make_client(workers=0)
    tasks = [{"payload": i, "t_type": "ECHO"} for i in range(5)]
    response = client.post("/api/enqueue/batch", json={"tasks": tasks})
    assert response.status_code == 201
    assert [t["payload"] for t in response.json()] == list(range(5))
    assert total(client) == 5


def test_batch_is_all_or_nothing(make_client: MakeClient) -> None:
    client = make_client(workers=0, max_payload_bytes=50)
    tasks = [{"payload": i, "t_type": "ECHO"} for i in range(3)]
    bad_type = [*tasks, {"payload": 1, "t_type": "NOPE"}]
    assert client.post("/api/enqueue/batch", json={"tasks": bad_type}).status_code == 422
    too_big = [*tasks, {"payload": "x" * 100, "t_type": "ECHO"}]
    response = client.post("/api/enqueue/batch", json={"tasks": too_big})
    assert response.status_code == 413 and "Task 3" in response.json()["detail"]
    assert client.post("/api/enqueue/batch", json={"tasks": []}).status_code == 422
    over = [{"payload": 1, "t_type": "ECHO"}] * 1001
    assert client.post("/api/enqueue/batch", json={"tasks": over}).status_code == 422
    assert total(client) == 0


def test_enqueued_task_runs_and_keeps_its_result(client: TestClient) -> None:
    task = enqueue(client, "ECHO", {"n": 1})
    settle(client)
    done = client.get(f"/api/jobs/{task['id']}").json()
    assert done["status"] == "COMPLETED"
    assert done["result"] == {"echo": {"n": 1}, "attempt": 1}
    assert done["attempts"] == 1
    assert done["started_at"] and done["finished_at"]
    assert queue_of(client).stats().busy == 0
