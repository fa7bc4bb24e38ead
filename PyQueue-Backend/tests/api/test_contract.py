"""The contract as the OpenAPI states it: enum filters, strict integers, type filters that match as
enqueue does, and docs that are open and work offline."""

from __future__ import annotations

import re
from typing import Any

from fastapi.testclient import TestClient

from tests.support import MakeClient, enqueue, settle

TASK_STATUSES = ["QUEUED", "INPROGRESS", "COMPLETED", "FAILED", "CANCELLED"]


def parameter(schema: dict[str, Any], path: str, method: str, name: str) -> dict[str, Any]:
    params: list[dict[str, Any]] = schema["paths"][path][method]["parameters"]
    return next(p for p in params if p["name"] == name)


def test_status_filter_is_the_task_status_enum_in_any_case(client: TestClient) -> None:
    schema = client.get("/openapi.json").json()
    assert schema["components"]["schemas"]["TaskStatus"]["enum"] == TASK_STATUSES
    for path, method in [("/api/jobs", "get"), ("/api/clear", "post")]:
        status = parameter(schema, path, method, "status")["schema"]
        assert {"$ref": "#/components/schemas/TaskStatus"} in status["anyOf"], (path, status)
    done = enqueue(client, "ECHO")["id"]
    settle(client)
    for spelling in ["COMPLETED", "completed", "Completed", " completed "]:
        response = client.get("/api/jobs", params={"status": spelling})
        assert [t["id"] for t in response.json()] == [done], spelling
    assert client.get("/api/jobs", params={"status": ""}).headers["X-Total-Count"] == "1"
    bad = client.get("/api/jobs", params={"status": "DONE"})
    assert bad.status_code == 422
    assert bad.json()["detail"] == (
        "query.status: Unknown status 'DONE'; expected one of: " + ", ".join(TASK_STATUSES)
    )


def test_type_filter_is_documented_as_a_registered_type(client: TestClient) -> None:
    schema = client.get("/openapi.json").json()
    for path, method in [
        ("/api/jobs", "get"),
        ("/api/clear", "post"),
        ("/api/jobs/retry-failed", "post"),
    ]:
        assert "registered task type" in parameter(schema, path, method, "type")["description"]


def test_type_filter_matches_in_any_case_like_enqueue(make_client: MakeClient) -> None:
    client = make_client(workers=0)
    echo = enqueue(client, "echo")  # enqueue resolves the case: the task is ECHO
    assert echo["type"] == "ECHO"
    email = enqueue(client, "EMAIL")
    for spelling in ["ECHO", "echo", "Echo"]:
        listed = client.get("/api/jobs", params={"type": spelling})
        assert [t["id"] for t in listed.json()] == [echo["id"]], spelling
        assert listed.headers["X-Total-Count"] == "1"
    unknown = client.get("/api/jobs", params={"type": "NOPE"})
    assert unknown.status_code == 200 and unknown.json() == []
    assert unknown.headers["X-Total-Count"] == "0"
    assert client.post("/api/clear", params={"type": "nope"}).json()["removed"] == 0
    cleared = client.post("/api/clear", params={"type": "email"})
    assert cleared.json()["removed"] == 1
    assert [t["id"] for t in client.get("/api/jobs").json()] == [echo["id"]]
    assert email["id"] not in [t["id"] for t in client.get("/api/jobs").json()]


def test_retry_failed_type_filter_matches_in_any_case(client: TestClient) -> None:
    failed = enqueue(client, "FAILABS", max_retries=0)
    settle(client)
    response = client.post("/api/jobs/retry-failed", params={"type": "failabs"})
    assert response.json()["count"] == 1
    settle(client)
    assert client.get(f"/api/jobs/{failed['id']}").json()["attempts"] == 1


def test_max_retries_must_be_an_integer(make_client: MakeClient) -> None:
    client = make_client(workers=0)
    for value in [True, False, "3", 3.0, 2.5, "many"]:
        response = client.post(
            "/api/enqueue", json={"payload": 1, "t_type": "ECHO", "max_retries": value}
        )
        assert response.status_code == 422, (value, response.text)
        assert response.json()["detail"].startswith("max_retries: "), response.text
    batch = {"tasks": [{"payload": 1, "t_type": "ECHO", "max_retries": True}]}
    assert client.post("/api/enqueue/batch", json=batch).status_code == 422
    assert client.get("/api/jobs").json() == []
    ok = client.post("/api/enqueue", json={"payload": 1, "t_type": "ECHO", "max_retries": 0})
    assert ok.status_code == 201 and ok.json()["max_retries"] == 0


def test_mutating_routes_document_their_refusals(client: TestClient) -> None:
    schema = client.get("/openapi.json").json()
    for path, method in [
        ("/api/enqueue", "post"),
        ("/api/enqueue/batch", "post"),
        ("/api/jobs/bulk", "post"),
        ("/api/jobs/retry-failed", "post"),
        ("/api/jobs/{task_id}/retry", "post"),
        ("/api/jobs/{task_id}/cancel", "post"),
        ("/api/jobs/{task_id}", "delete"),
        ("/api/clear", "post"),
    ]:
        responses = schema["paths"][path][method]["responses"]
        assert {"403", "415", "422"} <= set(responses), (path, method)
    assert "415" not in schema["paths"]["/api/jobs"]["get"]["responses"]


# -- /docs, /redoc and /openapi.json -------------------------------------------------------------


def asset_urls(html: str) -> list[str]:
    return re.findall(r"""(?:src|href)\s*=\s*["']([^"']+)["']""", html)


def test_docs_are_open_with_a_token_and_the_api_is_not(make_client: MakeClient) -> None:
    client = make_client(workers=0, api_token="s3cret")
    for path in ["/docs", "/redoc", "/openapi.json", "/docs/assets/swagger-ui-bundle.js"]:
        assert client.get(path).status_code == 200, path
    assert client.get("/api/jobs").status_code == 401
    schema = client.get("/openapi.json").json()
    assert "/api/enqueue" in schema["paths"]


def test_docs_load_only_local_assets_and_they_are_served(client: TestClient) -> None:
    expected = {
        "/docs": {"swagger-ui-bundle.js", "swagger-ui.css", "favicon.png", "swagger-init.js"},
        "/redoc": {"redoc.js", "favicon.png"},  # redoc.js: the bundle with its logo made local
    }
    for page, names in expected.items():
        html = client.get(page).text
        assert "cdn." not in html and "googleapis" not in html and "tiangolo" not in html, page
        urls = asset_urls(html)
        assert {url.rsplit("/", 1)[-1] for url in urls} == names, (page, urls)
        for url in urls:
            assert url.startswith("/docs/"), (page, url)
            asset = client.get(url)
            assert asset.status_code == 200, url
            assert len(asset.content) > (100 if url.endswith("init.js") else 1000), url
    bundle = client.get("/docs/assets/swagger-ui-bundle.js")
    assert "javascript" in bundle.headers["content-type"]
    assert b"SwaggerUIBundle" in bundle.content
    css = client.get("/docs/assets/swagger-ui.css")
    assert css.headers["content-type"].startswith("text/css")
    init = client.get("/docs/swagger-init.js").text  # the page's start-up script, not inline
    assert '"url": "/openapi.json"' in init
    assert '"validatorUrl": null' in init  # no badge fetched from validator.swagger.io
