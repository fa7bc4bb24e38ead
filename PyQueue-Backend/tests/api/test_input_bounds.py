"""Ids, filters and paging that no store can take are refused at the API boundary, the same on
every store: a 422 naming the parameter, never a 500 (PostgreSQL refuses NUL in text; SQLite and
PostgreSQL integers end at 2**63 - 1), and nothing changes."""

from __future__ import annotations

from urllib.parse import quote

import pytest
from fastapi.testclient import TestClient

from tests.support import MakeClient, enqueue


@pytest.fixture
def store_client(every_store_url: str, make_client: MakeClient) -> TestClient:
    """An app without workers on a fresh store of each kind (closed before the schema drops)."""
    return make_client(workers=0, database_url=every_store_url)


BAD_IDS = ["Task-\x00", "a\x00b", "Task-\x1b[2J", "Task-\n", "Task-\x7f", "T" * 65]


def test_ids_no_store_can_hold_are_422_naming_the_id(store_client: TestClient) -> None:
    task = enqueue(store_client, "ECHO")
    for bad in BAD_IDS:
        for method, path in [
            ("GET", "/api/jobs/{}"),
            ("DELETE", "/api/jobs/{}"),
            ("POST", "/api/jobs/{}/retry"),
            ("POST", "/api/jobs/{}/cancel"),
        ]:
            response = store_client.request(method, path.format(quote(bad, safe="")))
            assert response.status_code == 422, (method, path, bad, response.text)
            assert response.json()["detail"].startswith("path.task_id: "), response.text
        bulk = store_client.post("/api/jobs/bulk", json={"action": "delete", "ids": [bad]})
        assert bulk.status_code == 422, (bad, bulk.text)
        assert bulk.json()["detail"].startswith("ids.0: ")
    nul = store_client.get("/api/jobs/Task-%00").json()["detail"]
    assert "control characters (such as NUL)" in nul
    assert [t["id"] for t in store_client.get("/api/jobs").json()] == [task["id"]]


def test_a_bulk_request_with_one_bad_id_changes_nothing(store_client: TestClient) -> None:
    task = enqueue(store_client, "ECHO")
    body = {"action": "delete", "ids": [task["id"], "a\u0000"]}
    response = store_client.post("/api/jobs/bulk", json=body)
    assert response.status_code == 422
    assert response.json()["detail"].startswith("ids.1: ")
    assert store_client.get(f"/api/jobs/{task['id']}").status_code == 200
    surrogate = b'{"action": "cancel", "ids": ["\\ud800"]}'
    response = store_client.post(
        "/api/jobs/bulk", content=surrogate, headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 422, response.text
    assert response.json()["detail"].startswith("ids.0: ")
    assert store_client.get(f"/api/jobs/{task['id']}").json()["status"] == "QUEUED"


def test_type_filters_no_store_can_hold_are_422_naming_the_filter(
    store_client: TestClient,
) -> None:
    task = enqueue(store_client, "ECHO")
    for bad in ["%00", "EC%00HO", "%0A", "%1B", "E" * 65]:
        for method, path in [
            ("GET", "/api/jobs"),
            ("POST", "/api/clear"),
            ("POST", "/api/jobs/retry-failed"),
        ]:
            response = store_client.request(method, f"{path}?type={bad}")
            assert response.status_code == 422, (method, path, bad, response.text)
            assert response.json()["detail"].startswith("query.type: "), response.text
    assert [t["id"] for t in store_client.get("/api/jobs").json()] == [task["id"]]


def test_offsets_beyond_every_store_are_422_naming_the_offset(store_client: TestClient) -> None:
    enqueue(store_client, "ECHO")
    for offset in ["9223372036854775808", "9223372036854775807", "1000000001", "1e3", "-1"]:
        response = store_client.get(f"/api/jobs?offset={offset}")
        assert response.status_code == 422, (offset, response.text)
        assert response.json()["detail"].startswith("query.offset: ")
    far = store_client.get("/api/jobs", params={"offset": 10**9})
    assert far.status_code == 200 and far.json() == []
    assert far.headers["X-Total-Count"] == "1"
