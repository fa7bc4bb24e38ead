"""Retry, cancel, delete, clear and bulk actions over REST."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests import sample_tasks
from tests.support import MakeClient, enqueue, queue_of, settle


def status_of(client: TestClient, task_id: str) -> str:
    status: str = client.get(f"/api/jobs/{task_id}").json()["status"]
    return status


def wait_started(task_id: str) -> None:
    assert sample_tasks.started.get(timeout=10) == task_id


def test_retry_failed_task_keeps_its_id_with_a_fresh_budget(client: TestClient) -> None:
    task = enqueue(client, "FAILABS", max_retries=1)
    settle(client)
    failed = client.get(f"/api/jobs/{task['id']}").json()
    assert (failed["status"], failed["attempts"]) == ("FAILED", 2)
    assert "always fails" in failed["last_error"]
    response = client.post(f"/api/jobs/{task['id']}/retry")
    assert response.status_code == 200
    assert response.json()["id"] == task["id"]
    settle(client)
    again = client.get(f"/api/jobs/{task['id']}").json()
    assert (again["status"], again["attempts"]) == ("FAILED", 2)
    assert client.get("/api/jobs").headers["X-Total-Count"] == "1"


def test_retry_of_other_statuses_is_409_and_unknown_404(make_client: MakeClient) -> None:
    client = make_client(workers=0)
    queued = enqueue(client, "ECHO")
    response = client.post(f"/api/jobs/{queued['id']}/retry")
    assert response.status_code == 409
    assert "already queued" in response.json()["detail"]
    assert client.post("/api/jobs/Task-NOPE/retry").status_code == 404


def test_retry_of_completed_task_is_409(client: TestClient) -> None:
    task = enqueue(client, "ECHO")
    settle(client)
    response = client.post(f"/api/jobs/{task['id']}/retry")
    assert response.status_code == 409
    assert "completed" in response.json()["detail"]


def test_cancel_queued_task_is_immediate(make_client: MakeClient) -> None:
    client = make_client(workers=0)
    task = enqueue(client, "ECHO")
    response = client.post(f"/api/jobs/{task['id']}/cancel")
    assert response.status_code == 200
    assert response.json()["status"] == "CANCELLED"
    assert client.post(f"/api/jobs/{task['id']}/cancel").status_code == 409
    assert client.post("/api/jobs/Task-NOPE/cancel").status_code == 404


def test_cancel_running_task_stops_its_handler(client: TestClient) -> None:
    task = enqueue(client, "BLOCK", max_retries=3)
    wait_started(task["id"])
    response = client.post(f"/api/jobs/{task['id']}/cancel")
    assert response.status_code == 200
    assert response.json()["cancel_requested"] is True
    settle(client)
    done = client.get(f"/api/jobs/{task['id']}").json()
    assert (done["status"], done["attempts"]) == ("CANCELLED", 1)
    cancelled_again = client.post(f"/api/jobs/{task['id']}/retry")
    assert cancelled_again.status_code == 200


def test_cancel_demo_task_mid_sleep(make_client: MakeClient) -> None:
    client = make_client(demo_time_scale=100)  # TAKESLONG would sleep 1000 s
    task = enqueue(client, "TAKESLONG")
    queue = queue_of(client)
    assert queue.wait_for_status(task["id"], "INPROGRESS", timeout=10)
    client.post(f"/api/jobs/{task['id']}/cancel")
    assert queue.wait_idle(timeout=10)
    assert status_of(client, task["id"]) == "CANCELLED"


def test_delete_removes_for_good(make_client: MakeClient) -> None:
    client = make_client(workers=0)
    task = enqueue(client, "ECHO")
    response = client.delete(f"/api/jobs/{task['id']}")
    assert response.status_code == 200
    assert response.json() == {"message": f"Job {task['id']} deleted!", "id": task["id"]}
    assert client.get(f"/api/jobs/{task['id']}").status_code == 404
    assert client.delete(f"/api/jobs/{task['id']}").status_code == 404


def test_delete_running_task_stops_it_and_it_never_returns(client: TestClient) -> None:
    task = enqueue(client, "BLOCK")
    wait_started(task["id"])
    assert client.delete(f"/api/jobs/{task['id']}").status_code == 200
    settle(client)
    assert client.get(f"/api/jobs/{task['id']}").status_code == 404
    assert client.get("/api/stats").json()["total"] == 0


def test_clear_removes_everything_and_answers_the_count(client: TestClient) -> None:
    running = enqueue(client, "BLOCK")
    wait_started(running["id"])
    for i in range(3):
        enqueue(client, "ECHO", i)
    response = client.post("/api/clear")
    assert response.status_code == 200
    assert response.json()["removed"] >= 2
    settle(client)
    assert client.get("/api/jobs").json() == []
    assert client.get("/api/stats").json()["total"] == 0


def test_clear_with_filters(client: TestClient) -> None:
    enqueue(client, "ECHO", 1)
    failed = enqueue(client, "FAILABS", 2, max_retries=0)
    settle(client)
    response = client.post("/api/clear", params={"status": "completed"})
    assert response.json()["removed"] == 1
    assert [t["id"] for t in client.get("/api/jobs").json()] == [failed["id"]]
    assert client.post("/api/clear", params={"status": "bogus"}).status_code == 422


def test_retry_failed_by_type(client: TestClient) -> None:
    first = enqueue(client, "FAILABS", 1, max_retries=0)
    enqueue(client, "CRASH", 2, max_retries=0)
    settle(client)
    response = client.post("/api/jobs/retry-failed", params={"type": "FAILABS"})
    assert response.json()["count"] == 1
    settle(client)
    assert client.get(f"/api/jobs/{first['id']}").json()["attempts"] == 1
    assert client.post("/api/jobs/retry-failed", params={"type": "NOPE"}).status_code == 422


def test_bulk_reports_each_id(make_client: MakeClient) -> None:
    client = make_client(workers=0)
    a, b = enqueue(client, "ECHO", 1)["id"], enqueue(client, "ECHO", 2)["id"]
    response = client.post("/api/jobs/bulk", json={"action": "cancel", "ids": [a, b, "Task-X"]})
    body = response.json()
    assert (body["succeeded"], body["failed"]) == (2, 1)
    assert body["results"][2] == {"id": "Task-X", "ok": False, "detail": "Job Task-X not found"}
    retried = client.post("/api/jobs/bulk", json={"action": "retry", "ids": [a]}).json()
    assert retried["succeeded"] == 1 and status_of(client, a) == "QUEUED"
    deleted = client.post("/api/jobs/bulk", json={"action": "delete", "ids": [a, b]}).json()
    assert deleted["succeeded"] == 2
    assert client.get("/api/jobs").json() == []
    bad = client.post("/api/jobs/bulk", json={"action": "explode", "ids": [a]})
    assert bad.status_code == 422


def test_handler_failures_are_retried_then_final(client: TestClient) -> None:
    flaky = enqueue(client, "FLAKY", max_retries=3)
    crash = enqueue(client, "CRASH", max_retries=2)
    not_json = enqueue(client, "NOTJSON", "set", max_retries=0)
    nan = enqueue(client, "NOTJSON", "nan", max_retries=0)
    settle(client)
    assert client.get(f"/api/jobs/{flaky['id']}").json()["status"] == "COMPLETED"
    crashed = client.get(f"/api/jobs/{crash['id']}").json()
    assert (crashed["status"], crashed["attempts"]) == ("FAILED", 3)
    assert crashed["last_error"] == "KeyError: 'boom'"
    bad = client.get(f"/api/jobs/{not_json['id']}").json()
    assert bad["status"] == "FAILED" and "not JSON-serialisable" in bad["last_error"]
    nan_result = client.get(f"/api/jobs/{nan['id']}").json()
    assert nan_result["status"] == "FAILED" and "Out of range float" in nan_result["last_error"]
