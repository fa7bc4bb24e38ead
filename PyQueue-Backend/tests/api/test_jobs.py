"""Reading tasks: list with filters and paging, get one, stats, types, health."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.support import MakeClient, enqueue, settle


def ids(response_json: list[dict[str, object]]) -> list[object]:
    return [t["id"] for t in response_json]


def test_list_is_newest_first_with_total_and_paging(make_client: MakeClient) -> None:
    client = make_client(workers=0)
    created = [enqueue(client, "ECHO", i)["id"] for i in range(7)]
    response = client.get("/api/jobs")
    assert ids(response.json()) == created[::-1]
    assert response.headers["X-Total-Count"] == "7"
    page = client.get("/api/jobs", params={"limit": 3, "offset": 3})
    assert ids(page.json()) == created[::-1][3:6]
    assert page.headers["X-Total-Count"] == "7"
    oldest = client.get("/api/jobs", params={"order": "asc", "limit": 2})
    assert ids(oldest.json()) == created[:2]
    assert client.get("/api/jobs", params={"offset": 100}).json() == []


def test_filters_by_status_any_case_and_type(client: TestClient) -> None:
    done = enqueue(client, "ECHO", 1)["id"]
    failed = enqueue(client, "FAILABS", 2, max_retries=0)["id"]
    settle(client)
    assert ids(client.get("/api/jobs", params={"status": "completed"}).json()) == [done]
    assert ids(client.get("/api/jobs", params={"status": "Failed"}).json()) == [failed]
    assert ids(client.get("/api/jobs", params={"type": "FAILABS"}).json()) == [failed]
    both = client.get("/api/jobs", params={"type": "ECHO", "status": "FAILED"})
    assert both.json() == [] and both.headers["X-Total-Count"] == "0"


def test_bad_query_parameters_are_422(make_client: MakeClient) -> None:
    client = make_client(workers=0)
    cases: list[dict[str, str | int]] = [
        {"status": "DONE"},
        {"limit": 1001},
        {"limit": 0},
        {"offset": -1},
        {"order": "sideways"},
        {"limit": "ten"},
    ]
    for params in cases:
        response = client.get("/api/jobs", params=params)
        assert response.status_code == 422, params
        assert isinstance(response.json()["detail"], str)
    assert "QUEUED" in client.get("/api/jobs", params={"status": "DONE"}).json()["detail"]


def test_get_unknown_job_is_404(client: TestClient) -> None:
    response = client.get("/api/jobs/Task-NOPE")
    assert response.status_code == 404
    assert response.json() == {"detail": "Job Task-NOPE not found"}


def test_stats_count_by_status_and_type(make_client: MakeClient) -> None:
    client = make_client(workers=3)
    enqueue(client, "ECHO", 1)
    enqueue(client, "ECHO", 2)
    enqueue(client, "FAILABS", 3, max_retries=0)
    settle(client)
    stats = client.get("/api/stats").json()
    assert stats["by_status"] == {
        "QUEUED": 0, "INPROGRESS": 0, "COMPLETED": 2, "FAILED": 1, "CANCELLED": 0,
    }  # fmt: skip
    assert stats["by_type"] == {"ECHO": 2, "FAILABS": 1}
    assert stats["total"] == 3
    assert stats["workers"] == {"busy": 0, "total": 3, "processes": 1}


def test_throughput_has_one_entry_per_minute(client: TestClient) -> None:
    enqueue(client, "ECHO", 1)
    enqueue(client, "FAILABS", 2, max_retries=0)
    settle(client)
    minutes = client.get("/api/stats/throughput", params={"minutes": 5}).json()
    assert len(minutes) == 5
    assert minutes[-1]["completed"] == 1 and minutes[-1]["failed"] == 1
    assert all(m["completed"] == 0 for m in minutes[:-1])
    assert client.get("/api/stats/throughput", params={"minutes": 0}).status_code == 422


def test_types_list_demo_and_custom_handlers(client: TestClient) -> None:
    types = {t["name"]: t["description"] for t in client.get("/api/types").json()}
    demo = {"EMAIL", "REPORT", "DATACLEANUP", "SMS", "NEWSLETTER", "TAKESLONG", "FAIL", "FAILABS"}
    assert demo | {"TEST", "ECHO"} <= set(types)
    assert "2 s" in types["EMAIL"] and "10 s" in types["TAKESLONG"] and "5 s" in types["REPORT"]
    assert types["ECHO"] == "Returns its payload"


def test_health_and_docs(client: TestClient) -> None:
    assert client.get("/api/health").json() == {"status": "ok"}
    assert client.get("/docs").status_code == 200
    schema = client.get("/openapi.json").json()
    assert "/api/enqueue" in schema["paths"] and "/api/events" in schema["paths"]


def test_unknown_route_is_json_404(client: TestClient) -> None:
    response = client.get("/api/nothing-here")
    assert response.status_code == 404
    assert response.json() == {"detail": "Not Found"}
