"""Operations over HTTP: roles (admin / read-only), the audit log, readiness, metrics and the
security headers."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from prometheus_client.parser import text_string_to_metric_families
from pydantic import ValidationError
from starlette.routing import BaseRoute

from pyqueue import create_app
from pyqueue.api.deps import READS
from pyqueue.config import REPO_ROOT as REPO
from tests import sample_tasks
from tests.faults.harness import wait_until
from tests.stores.factory import drop_schema, postgres_reason, store_url
from tests.support import MakeClient, enqueue, make_settings, queue_of, settle, skip_or_fail

ADMIN = {"Authorization": "Bearer admin-secret"}
READER = {"Authorization": "Bearer reader-secret"}
TOKENS = {"api_token": "admin-secret", "readonly_token": "reader-secret"}

NOT_AUDITED = {("POST", "/api/enqueue"), ("POST", "/api/enqueue/batch")}
"""Enqueueing is the queue's traffic, not an operator's change: it is counted by the metrics."""


def _api_routes(routes: Iterable[BaseRoute]) -> Iterator[APIRoute]:
    for route in routes:
        if isinstance(route, APIRoute):
            yield route
        included = getattr(route, "original_router", None)  # FastAPI's included router
        if included is not None:
            yield from _api_routes(included.routes)


def _changes(client: TestClient) -> list[tuple[str, str, APIRoute]]:
    """Every (method, path template, route) under /api that changes something."""
    app: FastAPI = client.app  # type: ignore[assignment]
    return [
        (method, route.path, route)
        for route in _api_routes(app.routes)
        if route.path.startswith("/api/")
        for method in sorted((route.methods or set()) - READS)
    ]


def _concrete(path: str) -> str:
    return re.sub(r"\{[^}]+\}", "Task-00000000000000000000000000", path)


# -- roles ------------------------------------------------------------------------------------
def test_a_read_only_token_reads_and_is_refused_every_change(make_client: MakeClient) -> None:
    client = make_client(workers=0, **TOKENS)
    task = client.post("/api/enqueue", json={"t_type": "ECHO", "payload": 1}, headers=ADMIN).json()
    changes = _changes(client)
    assert ("POST", "/api/jobs/{task_id}/retry") in [(m, p) for m, p, _ in changes]
    for method, path, _ in changes:
        response = client.request(method, _concrete(path), headers=READER, json={})
        assert response.status_code == 403, (method, path, response.text)
        assert "read-only" in response.json()["detail"]
    assert client.get(f"/api/jobs/{task['id']}", headers=ADMIN).json()["status"] == "QUEUED"
    assert client.get("/api/jobs", headers=READER).headers["X-Total-Count"] == "1"
    assert client.get("/api/stats", headers=READER).status_code == 200
    assert client.get("/metrics", headers=READER).status_code == 200
    with client.stream("GET", "/api/events", headers=READER) as stream:
        assert stream.status_code == 200
    assert client.get("/api/whoami", headers=READER).json() == {"role": "readonly", "auth": True}
    assert client.get("/api/whoami", headers=ADMIN).json() == {"role": "admin", "auth": True}
    for headers in [{}, {"Authorization": "Bearer wrong"}]:
        assert client.get("/api/whoami", headers=headers).status_code == 401
        assert client.get("/metrics", headers=headers).status_code == 401


def test_without_tokens_everyone_is_admin(client: TestClient) -> None:
    assert client.get("/api/whoami").json() == {"role": "admin", "auth": False}


def test_the_audit_log_is_for_the_admin_token_only(make_client: MakeClient) -> None:
    client = make_client(workers=0, **TOKENS)
    response = client.get("/api/audit", headers=READER)
    assert response.status_code == 403
    assert "admin token" in response.json()["detail"]
    assert client.get("/api/audit", headers=ADMIN).status_code == 200


@pytest.mark.parametrize(
    ("tokens", "message"),
    [
        ({"readonly_token": "r"}, "PYQUEUE_READONLY_TOKEN needs PYQUEUE_API_TOKEN"),
        ({"readonly_token": "same", "api_token": "same"}, "must differ"),
    ],
)
def test_a_read_only_token_alone_or_equal_to_the_admin_one_is_refused(
    tokens: dict[str, str], message: str
) -> None:
    with pytest.raises(ValidationError, match=message):
        make_settings(**tokens)


# -- the audit log ------------------------------------------------------------------------------
def _audit(client: TestClient, **params: Any) -> list[dict[str, Any]]:
    response = client.get("/api/audit", params=params, headers=ADMIN)
    assert response.status_code == 200, response.text
    entries: list[dict[str, Any]] = response.json()
    return entries


def test_every_change_route_is_audited(client: TestClient) -> None:
    """A route that changes something opts in with ``dependencies=[audited("name")]`` (or takes
    the note as a parameter): one without it fails here."""
    missing = [
        (method, path)
        for method, path, route in _changes(client)
        if (method, path) not in NOT_AUDITED
        and not any(d.call.__name__.startswith("audit_") for d in _calls(route))
    ]
    assert missing == []


def _calls(route: APIRoute) -> list[Any]:
    found = []
    pending = [route.dependant]
    while pending:
        dependant = pending.pop()
        for sub in dependant.dependencies:
            if sub.call is not None:
                found.append(sub)
            pending.append(sub)
    return found


def test_changes_are_recorded_with_role_client_action_target_and_count(
    every_store_url: str, make_client: MakeClient
) -> None:
    client = make_client(workers=1, database_url=every_store_url, **TOKENS)
    client.headers.update(ADMIN)
    failed = enqueue(client, "FAILABS", max_retries=0)
    done = [enqueue(client, "ECHO", i) for i in range(3)]
    settle(client)
    assert client.post(f"/api/jobs/{failed['id']}/retry").status_code == 200
    settle(client)
    assert client.post("/api/jobs/retry-failed", params={"type": "FAILABS"}).json()["count"] == 1
    settle(client)
    bulk = {"action": "delete", "ids": [done[0]["id"], "Task-00000000000000000000000000"]}
    assert client.post("/api/jobs/bulk", json=bulk).json()["succeeded"] == 1
    assert client.delete(f"/api/jobs/{done[1]['id']}").status_code == 200
    assert client.post(f"/api/jobs/{done[2]['id']}/cancel").status_code == 409  # refused: none
    assert client.post("/api/clear", params={"status": "COMPLETED"}).json()["removed"] == 1
    entries = _audit(client)
    assert [(e["action"], e["target"], e["count"]) for e in entries] == [
        ("clear", "status=COMPLETED", 1),
        ("delete", done[1]["id"], 1),
        ("bulk-delete", done[0]["id"], 1),
        ("retry-failed", "type=FAILABS", 1),
        ("retry", failed["id"], 1),
    ]
    assert {(e["role"], e["client"]) for e in entries} == {("admin", "testclient")}
    assert all(e["at"].endswith("Z") or e["at"].endswith("+00:00") for e in entries)
    response = client.get("/api/audit", params={"limit": 2, "offset": 1}, headers=ADMIN)
    assert response.headers["X-Total-Count"] == "5"
    assert [e["action"] for e in response.json()] == ["delete", "bulk-delete"]


def test_a_refused_change_records_nothing(make_client: MakeClient) -> None:
    client = make_client(workers=0, **TOKENS)
    task = client.post("/api/enqueue", json={"t_type": "ECHO", "payload": 1}, headers=ADMIN).json()
    assert client.post(f"/api/jobs/{task['id']}/retry", headers=ADMIN).status_code == 409
    assert client.post("/api/clear", headers=READER).status_code == 403
    assert (
        client.delete("/api/jobs/Task-00000000000000000000000000", headers=ADMIN).status_code == 404
    )
    assert _audit(client) == []
    assert client.post(f"/api/jobs/{task['id']}/cancel", headers=ADMIN).status_code == 200
    assert [e["action"] for e in _audit(client)] == ["cancel"]


def test_the_audit_page_is_bounded(client: TestClient) -> None:
    for params in [{"limit": 0}, {"limit": 501}, {"offset": -1}]:
        response = client.get("/api/audit", params=params)
        assert response.status_code == 422, params


# -- readiness ---------------------------------------------------------------------------------
def test_ready_needs_no_token_and_creates_no_task(
    every_store_url: str, make_client: MakeClient
) -> None:
    client = make_client(workers=0, database_url=every_store_url, **TOKENS)
    response = client.get("/api/ready")
    assert (response.status_code, response.json()) == (200, {"status": "ready"})
    assert client.get("/api/jobs", headers=ADMIN).headers["X-Total-Count"] == "0"


# -- metrics -----------------------------------------------------------------------------------
def _scrape(client: TestClient) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    response = client.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain; version=")
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(response.text)
        for sample in family.samples
    }


def _value(
    samples: dict[tuple[str, tuple[tuple[str, str], ...]], float], name: str, **labels: str
) -> float:
    return samples.get((name, tuple(sorted(labels.items()))), 0.0)


def test_metrics_count_tasks_attempts_retries_and_requests(client: TestClient) -> None:
    flaky = enqueue(client, "FLAKY", max_retries=3)  # fails twice, then completes
    enqueue(client, "ECHO")
    settle(client)
    client.get(f"/api/jobs/{flaky['id']}")
    client.get("/api/jobs/Task-00000000000000000000000000")
    samples = _scrape(client)
    assert _value(samples, "pyqueue_tasks", status="COMPLETED", type="FLAKY") == 1
    assert _value(samples, "pyqueue_tasks", status="COMPLETED", type="ECHO") == 1
    assert _value(samples, "pyqueue_tasks", status="QUEUED", type="ECHO") == 0  # zeros present
    assert ("pyqueue_tasks", (("status", "FAILED"), ("type", "ECHO"))) in samples
    duration = "pyqueue_task_duration_seconds_count"
    assert _value(samples, duration, type="FLAKY", outcome="retry") == 2
    assert _value(samples, duration, type="FLAKY", outcome="completed") == 1
    assert _value(samples, "pyqueue_retries_total", type="FLAKY") == 2
    assert _value(samples, "pyqueue_task_wait_seconds_count", type="FLAKY") == 1  # first attempt
    assert _value(samples, "pyqueue_task_wait_seconds_count", type="ECHO") == 1
    assert _value(samples, "pyqueue_workers", state="total") == 8
    assert _value(samples, "pyqueue_store_up") == 1
    requests = "pyqueue_http_requests_total"
    route = "/api/jobs/{task_id}"
    assert _value(samples, requests, method="GET", route=route, status="200") == 1
    assert _value(samples, requests, method="GET", route=route, status="404") == 1
    assert _value(samples, requests, method="POST", route="/api/enqueue", status="201") == 2
    assert not any(flaky["id"] in str(labels) for _, labels in samples)  # templates, not paths
    latency = "pyqueue_http_request_duration_seconds_count"
    assert _value(samples, latency, method="POST", route="/api/enqueue") == 2
    client.get("/api/no-such-route")
    assert _value(_scrape(client), requests, method="GET", route="unmatched", status="404") == 1


def test_the_grafana_dashboard_uses_only_metrics_that_exist(client: TestClient) -> None:
    dashboard = REPO / "additional_docs" / "grafana-dashboard.json"
    exprs = [t["expr"] for p in json.loads(dashboard.read_text())["panels"] for t in p["targets"]]
    used = {name for expr in exprs for name in re.findall(r"\bpyqueue_\w+", expr)}
    enqueue(client, "FLAKY", max_retries=3)  # retried twice: every series but recovered leases
    settle(client)
    exposed = {name for name, _ in _scrape(client)}
    recovered = "pyqueue_lease_expired_total"  # exposed once a lease is recovered (tested below)
    assert {recovered, "pyqueue_retries_total", "pyqueue_tasks"} <= used
    assert used - exposed == {recovered}


def test_leases_that_ran_out_are_counted_by_the_process_that_recovers_them(
    make_client: MakeClient,
) -> None:
    client = make_client(workers=0, lease_seconds=0.3)
    task = enqueue(client, "ECHO")
    store = queue_of(client).store
    assert [t.t_id for t in store.claim(1, 0.05)] == [task["id"]]  # a process that then died

    def counted() -> bool:
        samples = _scrape(client)
        return _value(samples, "pyqueue_lease_expired_total", type="ECHO") == 1

    wait_until(counted, 10, "the heartbeat to recover the task")
    assert client.get(f"/api/jobs/{task['id']}").json()["status"] == "QUEUED"


def test_busy_workers_and_the_oldest_queued_age(make_client: MakeClient) -> None:
    client = make_client(workers=1)
    enqueue(client, "BLOCK")
    assert sample_tasks.started.get(timeout=10)
    waiting = enqueue(client, "ECHO")
    samples = _scrape(client)
    assert _value(samples, "pyqueue_workers", state="busy") == 1
    assert _value(samples, "pyqueue_workers", state="total") == 1
    queue = queue_of(client)
    assert queue.oldest_queued()["ECHO"] <= queue.get(waiting["id"]).created_at
    assert _value(samples, "pyqueue_oldest_queued_age_seconds", type="ECHO") > 0
    assert _value(samples, "pyqueue_oldest_queued_age_seconds", type="COUNT") == 0
    sample_tasks.release.set()


@pytest.fixture(
    params=[
        pytest.param("sqlite", marks=pytest.mark.sqlite),
        pytest.param("postgres", marks=pytest.mark.postgres),
    ]
)
def shared_store_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh store that several processes (here: apps) can share."""
    kind: str = request.param
    if kind == "postgres" and (reason := postgres_reason()):
        skip_or_fail(reason)
    schema = f"pyqueue_m_{tmp_path.name}"[:60].lower()
    yield store_url(kind, tmp_path, schema)
    if kind == "postgres":
        drop_schema(schema)


def test_store_figures_are_the_same_from_every_process_sharing_the_store(
    shared_store_url: str, fresh_sample_tasks: None
) -> None:
    """pyqueue_tasks comes from the store: two apps on one store report the same counts, while
    each app's request counts are its own."""
    settings = make_settings(workers=0, database_url=shared_store_url)
    with TestClient(create_app(settings)) as one, TestClient(create_app(settings)) as two:
        for i in range(3):
            enqueue(one, "ECHO", i)
        enqueue(two, "COUNT")
        for client in (one, two):
            samples = _scrape(client)
            assert _value(samples, "pyqueue_tasks", status="QUEUED", type="ECHO") == 3
            assert _value(samples, "pyqueue_tasks", status="QUEUED", type="COUNT") == 1
        requests = "pyqueue_http_requests_total"
        enqueues = {"method": "POST", "route": "/api/enqueue", "status": "201"}
        assert _value(_scrape(one), requests, **enqueues) == 3
        assert _value(_scrape(two), requests, **enqueues) == 1


def test_pausing_is_audited(client: TestClient) -> None:
    assert client.post("/api/queue/pause").status_code == 200
    assert client.post("/api/queue/resume").status_code == 200
    assert [(e["action"], e["count"]) for e in _audit(client)] == [
        ("queue-resume", 1),
        ("queue-pause", 1),
    ]


# -- security headers ----------------------------------------------------------------------------
@pytest.mark.parametrize("path", ["/docs", "/redoc", "/api/health", "/api/jobs", "/openapi.json"])
def test_security_headers_on_pages_and_api(client: TestClient, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 200
    policy = response.headers["content-security-policy"]
    assert "script-src 'self';" in policy
    assert "'unsafe-inline'" not in policy.split("script-src", 1)[1].split(";", 1)[0]
    assert "frame-ancestors 'none'" in policy
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"] == "no-referrer"


@pytest.mark.parametrize("path", ["/docs", "/redoc"])
def test_docs_pages_have_no_inline_script(client: TestClient, path: str) -> None:
    page = client.get(path).text
    scripts = re.findall(r"<script([^>]*)>(.*?)</script>", page, flags=re.DOTALL)
    assert scripts
    for attributes, body in scripts:
        assert "src=" in attributes
        assert body.strip() == ""
        src = re.search(r'src="([^"]+)"', attributes)
        assert src is not None
        assert client.get(src.group(1)).status_code == 200, src.group(1)
    init = client.get("/docs/swagger-init.js")
    assert init.headers["content-type"].startswith("text/javascript")
    assert '"url": "/openapi.json"' in init.text


def test_the_docs_fetch_nothing_from_the_internet(client: TestClient) -> None:
    """ReDoc's sidebar logo came from cdn.redoc.ly: the served script points at the favicon."""
    script = client.get("/docs/redoc.js")
    assert script.status_code == 200
    assert "cdn.redoc.ly" not in script.text
    assert "/docs/assets/favicon.png" in script.text


def test_unknown_query_parameters_never_reach_the_audit_target(
    every_store_url: str, make_client: MakeClient
) -> None:
    """An unknown query parameter is ignored by the route, so the change is made; its value (a NUL
    here, which PostgreSQL cannot store) once went into the audit target and turned that success
    into a 500 (found by the schemathesis sweep)."""
    client = make_client(workers=0, database_url=every_store_url, **TOKENS)
    client.headers.update(ADMIN)
    response = client.post("/api/jobs/retry-failed", params={"junk\x0b": "a\x00b", "type": "ECHO"})
    assert response.status_code == 200, response.text
    assert [(e["action"], e["target"]) for e in _audit(client)] == [("retry-failed", "type=ECHO")]
