"""Cross-site requests: without a token, no other web page may change the queue.

A browser sends a "simple" request (a form, or ``fetch`` with a ``text/plain`` body) to any origin
without a preflight; the mutating routes must refuse it (403 for a foreign ``Origin``, 415 for a
body that is not JSON) and change nothing, while the dashboard (same origin), the allowed dev
origin and programs (``curl -X POST``) keep working.
"""

from __future__ import annotations

import json
from typing import Any

from fastapi.testclient import TestClient

from tests import sample_tasks
from tests.support import MakeClient, enqueue, settle

EVIL = "http://evil.example"
DEV = "http://localhost:5173"


def mutating_routes(client: TestClient) -> list[tuple[str, str, dict[str, Any] | None]]:
    """One request of each mutating route family, each of which would change something.

    Needs a client with one worker that claims nothing ahead (so the ECHO stays QUEUED behind the
    blocked one, and its cancel is at once): leaves a FAILED, a running (blocked) and a CANCELLED
    task.
    """
    failed = enqueue(client, "FAILABS", max_retries=0)["id"]
    settle(client)
    running = enqueue(client, "BLOCK")["id"]
    assert sample_tasks.started.get(timeout=10) == running  # the only worker is now held
    cancelled = enqueue(client, "ECHO", "c")["id"]
    assert client.post(f"/api/jobs/{cancelled}/cancel").json()["status"] == "CANCELLED"
    return [
        ("POST", "/api/clear", None),
        ("POST", "/api/jobs/retry-failed", None),
        ("POST", f"/api/jobs/{failed}/retry", None),
        ("POST", f"/api/jobs/{cancelled}/retry", None),
        ("POST", f"/api/jobs/{running}/cancel", None),
        ("DELETE", f"/api/jobs/{running}", None),
        ("POST", "/api/jobs/bulk", {"action": "delete", "ids": [running, failed]}),
        ("POST", "/api/enqueue", {"payload": 1, "t_type": "ECHO"}),
        ("POST", "/api/enqueue/batch", {"tasks": [{"payload": 1, "t_type": "ECHO"}]}),
    ]


def snapshot(client: TestClient) -> list[tuple[str, str]]:
    response = client.get("/api/jobs", params={"order": "asc"})
    return [(t["id"], t["status"]) for t in response.json()]


def encode(body: dict[str, Any] | None) -> bytes:
    return json.dumps(body).encode() if body is not None else b""


def test_cross_site_simple_requests_are_refused_and_change_nothing(
    make_client: MakeClient,
) -> None:
    client = make_client(workers=1, prefetch=0)
    routes = mutating_routes(client)
    before = snapshot(client)
    assert [status for _, status in before] == ["FAILED", "INPROGRESS", "CANCELLED"]
    simple_requests: list[dict[str, str]] = [
        {"Origin": EVIL, "Content-Type": "text/plain"},
        {"Origin": EVIL, "Content-Type": "application/x-www-form-urlencoded"},
        {"Origin": EVIL, "Content-Type": "multipart/form-data; boundary=x"},
        {"Origin": EVIL},  # fetch(url, {method: "POST", mode: "no-cors"})
        {"Origin": "null"},  # a sandboxed iframe or a file:// page
        {"Origin": EVIL, "Content-Type": "application/json"},  # would need a preflight; refused too
    ]
    for method, path, body in routes:
        for headers in simple_requests:
            content = encode(body) if "Content-Type" in headers else b""
            response = client.request(method, path, content=content, headers=headers)
            assert response.status_code == 403, (method, path, headers, response.text)
            detail = response.json()["detail"]
            assert "Cross-site request refused" in detail and "FRONTEND_ORIGIN" in detail
            assert headers["Origin"] in detail
    assert snapshot(client) == before


def test_bodies_that_are_not_json_are_415_and_change_nothing(make_client: MakeClient) -> None:
    client = make_client(workers=1, prefetch=0)
    routes = mutating_routes(client)
    before = snapshot(client)
    for method, path, body in routes:
        for content_type in ["text/plain", "application/x-www-form-urlencoded", "text/json"]:
            response = client.request(
                method, path, content=encode(body) or b"x", headers={"Content-Type": content_type}
            )
            assert response.status_code == 415, (method, path, content_type, response.text)
            assert "Content-Type must be application/json" in response.json()["detail"]
            assert content_type in response.json()["detail"]
        # A body without any Content-Type (fetch with a Blob body sends none).
        response = client.request(method, path, content=encode(body) or b"x")
        assert response.status_code == 415, (method, path, response.text)
        assert "needs Content-Type: application/json" in response.json()["detail"]
    assert snapshot(client) == before


def test_requests_without_a_body_or_content_type_still_work(make_client: MakeClient) -> None:
    """``curl -X POST`` without ``-d``: no body, no content type."""
    client = make_client(workers=0)
    task = enqueue(client, "ECHO")
    cancelled = client.post(f"/api/jobs/{task['id']}/cancel")
    assert cancelled.status_code == 200 and cancelled.json()["status"] == "CANCELLED"
    assert client.post(f"/api/jobs/{task['id']}/retry").status_code == 200
    assert client.post("/api/jobs/retry-failed").status_code == 200
    assert client.delete(f"/api/jobs/{task['id']}").status_code == 200
    empty = client.post("/api/clear", headers={"Content-Length": "0"})
    assert empty.status_code == 200


def test_same_origin_and_configured_origins_keep_working(make_client: MakeClient) -> None:
    client = make_client(workers=0, frontend_origin=f"{DEV}, https://dash.example")
    body = {"payload": 1, "t_type": "ECHO"}
    origins = [
        "http://testserver",  # the dashboard served by this server (TestClient's host)
        "http://testserver:80",  # the same origin with its default port spelled out
        "HTTP://TESTSERVER",
        DEV,
        "https://dash.example",
        "https://dash.example:443",
    ]
    for origin in origins:
        response = client.post("/api/enqueue", json=body, headers={"Origin": origin})
        assert response.status_code == 201, (origin, response.text)
    cleared = client.post("/api/clear", headers={"Origin": DEV})
    assert cleared.status_code == 200 and cleared.json()["removed"] == len(origins)
    assert cleared.headers["access-control-allow-origin"] == DEV
    charset = client.post(
        "/api/enqueue",
        content=encode(body),
        headers={"Content-Type": "application/json; charset=utf-8", "Origin": DEV},
    )
    assert charset.status_code == 201
    other_scheme = client.post("/api/clear", headers={"Origin": "https://testserver"})
    assert other_scheme.status_code == 403


def test_the_dev_dashboard_can_read_a_refusal(make_client: MakeClient) -> None:
    """A 415 to the allowed origin carries the CORS headers, so the dashboard shows its detail."""
    client = make_client(workers=0)
    response = client.post(
        "/api/clear", content=b"x", headers={"Origin": DEV, "Content-Type": "text/plain"}
    )
    assert response.status_code == 415
    assert response.headers["access-control-allow-origin"] == DEV
    foreign = client.post("/api/clear", headers={"Origin": EVIL})
    assert foreign.status_code == 403
    assert "access-control-allow-origin" not in foreign.headers


def test_a_wildcard_frontend_origin_allows_every_origin(make_client: MakeClient) -> None:
    client = make_client(workers=0, frontend_origin="*")
    assert client.post("/api/clear", headers={"Origin": EVIL}).status_code == 200
    refused = client.post("/api/clear", content=b"x", headers={"Content-Type": "text/plain"})
    assert refused.status_code == 415


def test_reads_and_preflights_are_not_affected(make_client: MakeClient) -> None:
    client = make_client(workers=0)
    read = client.get("/api/jobs", headers={"Origin": EVIL})
    assert read.status_code == 200 and "access-control-allow-origin" not in read.headers
    preflight_headers = {"Access-Control-Request-Method": "POST"}
    foreign = client.options("/api/clear", headers={**preflight_headers, "Origin": EVIL})
    assert foreign.status_code == 400 and "access-control-allow-origin" not in foreign.headers
    allowed = client.options("/api/clear", headers={**preflight_headers, "Origin": DEV})
    assert allowed.status_code == 200
    assert allowed.headers["access-control-allow-origin"] == DEV


def test_the_guard_also_applies_with_a_token(make_client: MakeClient) -> None:
    client = make_client(workers=0, api_token="s3cret")
    good = {"Authorization": "Bearer s3cret"}
    enqueue_body = {"payload": 1, "t_type": "ECHO"}
    assert client.post("/api/enqueue", json=enqueue_body, headers=good).status_code == 201
    assert client.post("/api/clear", headers={**good, "Origin": EVIL}).status_code == 403
    plain = {**good, "Content-Type": "text/plain"}
    assert client.post("/api/clear", content=b"x", headers=plain).status_code == 415
    assert client.get("/api/jobs", headers=good).headers["X-Total-Count"] == "1"
    assert client.post("/api/clear", headers=good).status_code == 200
