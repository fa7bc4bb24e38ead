"""GET/POST /api/schedules, GET/PATCH/DELETE /api/schedules/{id}: periodic tasks over REST."""

from __future__ import annotations

import time
from datetime import datetime
from typing import Any

import pytest
from fastapi.testclient import TestClient

from pyqueue import Queue, build_queue, create_app
from pyqueue.enums import TaskStatus
from pyqueue.models.schedule import ScheduleSpec
from pyqueue.models.task import Task, utcnow
from pyqueue.models.values import TaskQuery
from tests.support import MakeClient, make_settings, queue_of

GOOD = {"t_type": "ECHO", "payload": {"to": "ops"}, "cron": "0 9 * * 1-5"}


def create(client: TestClient, **fields: Any) -> dict[str, Any]:
    response = client.post("/api/schedules", json={**GOOD, **fields})
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


def test_create_list_get_pause_resume_delete(make_client: MakeClient) -> None:
    client = make_client(workers=0)
    assert client.get("/api/schedules").json() == []
    before = utcnow()
    response = client.post(
        "/api/schedules", json={**GOOD, "t_type": "echo", "timezone": "Europe/Berlin"}
    )
    assert response.status_code == 201, response.text
    made = response.json()
    assert response.headers["Location"] == f"/api/schedules/{made['id']}"
    assert made["id"].startswith("Schedule-")
    assert {k: made[k] for k in ("t_type", "payload", "cron", "timezone", "paused")} == {
        "t_type": "ECHO",
        "payload": {"to": "ops"},
        "cron": "0 9 * * 1-5",
        "timezone": "Europe/Berlin",
        "paused": False,
    }
    assert made["source"] == "api"
    assert made["last_run_at"] is None
    next_run = datetime.fromisoformat(made["next_run_at"])
    assert next_run > before
    assert next_run.utcoffset() is not None
    assert client.get("/api/schedules").json() == [made]
    assert client.get(f"/api/schedules/{made['id']}").json() == made

    paused = client.patch(f"/api/schedules/{made['id']}", json={"paused": True})
    assert paused.status_code == 200, paused.text
    assert paused.json()["paused"] is True
    assert client.get("/api/schedules").json()[0]["paused"] is True
    resumed = client.patch(f"/api/schedules/{made['id']}", json={"paused": False}).json()
    assert resumed["paused"] is False
    assert datetime.fromisoformat(resumed["next_run_at"]) > before

    deleted = client.delete(f"/api/schedules/{made['id']}")
    assert deleted.status_code == 204
    assert deleted.content == b""
    assert client.get("/api/schedules").json() == []
    for response in (
        client.delete(f"/api/schedules/{made['id']}"),
        client.get(f"/api/schedules/{made['id']}"),
        client.patch(f"/api/schedules/{made['id']}", json={"paused": True}),
    ):
        assert response.status_code == 404
        assert response.json()["detail"] == f"Schedule {made['id']} not found"


def test_a_schedule_may_start_paused_with_defaults(make_client: MakeClient) -> None:
    client = make_client(workers=0)
    made = client.post("/api/schedules", json={"type": "ECHO", "cron": "@hourly", "paused": True})
    assert made.status_code == 201, made.text
    body = made.json()
    assert (body["timezone"], body["payload"], body["paused"]) == ("UTC", {}, True)


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"cron": "not a cron"}, "cron"),
        ({"cron": "61 * * * *"}, "cron"),
        ({"cron": "* * * *"}, "cron"),
        ({"cron": "0 0 * * * * 2030"}, "cron"),
        ({"cron": "0 0 30 2 *"}, "cron"),
        ({"cron": ""}, "cron"),
        ({"timezone": "Mars/Olympus"}, "timezone"),
        ({"timezone": "../../etc/passwd"}, "timezone"),
        ({"t_type": "NOPE"}, "t_type"),
        ({"payload": [1, 2]}, "payload"),
        ({"payload": {"scheduled_for": "x"}}, "payload"),
        ({"paused": "yes"}, "paused"),
        ({"every": 5}, "every"),
    ],
)
def test_bad_fields_are_422_naming_the_field(
    make_client: MakeClient, fields: dict[str, Any], field: str
) -> None:
    client = make_client(workers=0)
    response = client.post("/api/schedules", json={**GOOD, **fields})
    assert response.status_code == 422, response.text
    assert response.json()["detail"].startswith(f"{field}:"), response.json()
    assert client.get("/api/schedules").json() == []


def test_a_missing_cron_and_a_bad_pause_flag_are_422(make_client: MakeClient) -> None:
    client = make_client(workers=0)
    response = client.post("/api/schedules", json={"t_type": "ECHO"})
    assert response.status_code == 422
    assert response.json()["detail"] == "cron: field required"
    made = create(client)
    response = client.patch(f"/api/schedules/{made['id']}", json={"paused": "true"})
    assert response.status_code == 422
    assert response.json()["detail"].startswith("paused:")


def test_a_too_large_payload_is_413(make_client: MakeClient) -> None:
    client = make_client(workers=0, max_payload_bytes=200)
    response = client.post("/api/schedules", json={**GOOD, "payload": {"x": "y" * 300}})
    assert response.status_code == 413
    assert response.json()["detail"].startswith("payload:")


def test_the_routes_need_the_token(make_client: MakeClient) -> None:
    client = make_client(workers=0, api_token="s3cret")
    assert client.get("/api/schedules").status_code == 401
    assert client.post("/api/schedules", json=GOOD).status_code == 401
    auth = {"Authorization": "Bearer s3cret"}
    assert client.get("/api/schedules", headers=auth).status_code == 200


@pytest.fixture
def code_queue(fresh_sample_tasks: None) -> Queue:
    queue = build_queue(make_settings(workers=0))
    spec = ScheduleSpec.declare("NIGHTLY", "0 3 * * *", "Europe/Berlin", {"kind": "nightly"})
    queue.registry.add("NIGHTLY", lambda payload, ctx: None, "Nightly report", schedule=spec)
    return queue


def test_a_code_schedule_is_listed_and_can_be_paused(code_queue: Queue) -> None:
    with TestClient(create_app(make_settings(workers=0), queue=code_queue)) as client:
        [listed] = client.get("/api/schedules").json()
        assert (listed["id"], listed["source"], listed["t_type"]) == (
            "code:NIGHTLY",
            "code",
            "NIGHTLY",
        )
        assert (listed["cron"], listed["timezone"], listed["payload"]) == (
            "0 3 * * *",
            "Europe/Berlin",
            {"kind": "nightly"},
        )
        assert client.get("/api/schedules/code:NIGHTLY").json() == listed
        paused = client.patch("/api/schedules/code:NIGHTLY", json={"paused": True}).json()
        assert paused["paused"] is True


def test_a_due_schedule_runs_its_type_with_the_tick_in_the_payload(
    make_client: MakeClient,
) -> None:
    client = make_client(workers=1)
    queue = queue_of(client)
    seq = queue.events.last_seq
    made = create(client, cron="* * * * * *", payload={"n": 1})  # every second
    deadline = time.monotonic() + 20

    def done() -> list[Task]:
        tasks, _ = queue.list_tasks(TaskQuery(status=TaskStatus.COMPLETED))
        return tasks

    while not done() and time.monotonic() < deadline:
        seq = queue.events.wait_after(seq, 1.0)
    [task, *_] = done()
    assert task.t_type == "ECHO"
    assert task.payload["schedule_id"] == made["id"]
    assert task.payload["n"] == 1
    tick = datetime.fromisoformat(task.payload["scheduled_for"])
    assert tick.microsecond == 0
    assert task.result == {"echo": task.payload, "attempt": 1}
    listed = client.get(f"/api/schedules/{made['id']}").json()
    assert datetime.fromisoformat(listed["last_run_at"]) >= tick
    assert datetime.fromisoformat(listed["next_run_at"]) > tick


def test_the_openapi_documents_the_schedule_routes(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    assert set(paths["/api/schedules"]) == {"get", "post"}
    assert set(paths["/api/schedules/{schedule_id}"]) == {"get", "patch", "delete"}


def test_changes_are_audited_and_need_the_admin_token(make_client: MakeClient) -> None:
    admin = {"Authorization": "Bearer admin-secret"}
    reader = {"Authorization": "Bearer reader-secret"}
    client = make_client(workers=0, api_token="admin-secret", readonly_token="reader-secret")
    refused = client.post("/api/schedules", json=GOOD, headers=reader)
    assert refused.status_code == 403
    made = client.post("/api/schedules", json=GOOD, headers=admin).json()
    assert client.get("/api/schedules", headers=reader).json() == [made]
    path = f"/api/schedules/{made['id']}"
    assert client.patch(path, json={"paused": True}, headers=reader).status_code == 403
    assert client.delete(path, headers=reader).status_code == 403
    assert client.patch(path, json={"paused": True}, headers=admin).status_code == 200
    assert client.patch(path, json={"paused": False}, headers=admin).status_code == 200
    assert client.delete(path, headers=admin).status_code == 204
    assert client.delete(path, headers=admin).status_code == 404  # refused: not recorded
    entries = client.get("/api/audit", headers=admin).json()
    assert [(e["action"], e["target"]) for e in entries] == [
        ("schedule-delete", made["id"]),
        ("schedule-resume", made["id"]),
        ("schedule-pause", made["id"]),
        ("schedule-create", made["id"]),
    ]
