"""Token auth and CORS."""

from __future__ import annotations

from tests.support import MakeClient


def test_token_is_required_on_every_api_route_but_health(make_client: MakeClient) -> None:
    client = make_client(workers=0, api_token="s3cret")
    routes = [
        ("GET", "/api/jobs"),
        ("GET", "/api/jobs/Task-X"),
        ("POST", "/api/enqueue"),
        ("POST", "/api/enqueue/batch"),
        ("POST", "/api/jobs/Task-X/retry"),
        ("POST", "/api/jobs/Task-X/cancel"),
        ("DELETE", "/api/jobs/Task-X"),
        ("POST", "/api/jobs/bulk"),
        ("POST", "/api/jobs/retry-failed"),
        ("POST", "/api/clear"),
        ("GET", "/api/stats"),
        ("GET", "/api/stats/throughput"),
        ("GET", "/api/types"),
        ("GET", "/api/events"),
    ]
    for method, path in routes:
        for headers in [{}, {"Authorization": "Bearer wrong"}, {"Authorization": "s3cret"}]:
            response = client.request(method, path, headers=headers)
            assert response.status_code == 401, (method, path, headers)
            assert "token" in response.json()["detail"]
            assert response.headers["WWW-Authenticate"] == "Bearer"
    assert client.get("/api/health").status_code == 200


def test_right_token_is_accepted_and_nothing_changed_without_it(make_client: MakeClient) -> None:
    client = make_client(workers=0, api_token="s3cret")
    good = {"Authorization": "Bearer s3cret"}
    body = {"payload": 1, "t_type": "ECHO"}
    assert client.post("/api/enqueue", json=body).status_code == 401
    assert client.post("/api/enqueue", json=body, headers=good).status_code == 201
    assert client.get("/api/jobs", headers=good).headers["X-Total-Count"] == "1"


def test_a_token_in_the_url_is_never_accepted(make_client: MakeClient) -> None:
    """URLs land in access logs: the event stream, too, takes the token only as a header."""
    client = make_client(workers=0, api_token="s3cret")
    assert client.get("/api/jobs", params={"access_token": "s3cret"}).status_code == 401
    with client.stream("GET", "/api/events", params={"access_token": "s3cret"}) as response:
        assert response.status_code == 401
    good = {"Authorization": "Bearer s3cret"}
    with client.stream("GET", "/api/events", headers=good) as response:
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/event-stream")


def test_cors_allows_each_configured_origin(make_client: MakeClient) -> None:
    client = make_client(workers=0, frontend_origin="http://a.example, http://b.example:5173")
    for origin in ["http://a.example", "http://b.example:5173"]:
        response = client.get("/api/jobs", headers={"Origin": origin})
        assert response.headers["access-control-allow-origin"] == origin
        assert "X-Total-Count" in response.headers["access-control-expose-headers"]
        preflight = client.options(
            "/api/enqueue",
            headers={"Origin": origin, "Access-Control-Request-Method": "POST"},
        )
        assert preflight.status_code == 200
        assert preflight.headers["access-control-allow-origin"] == origin
    other = client.get("/api/jobs", headers={"Origin": "http://evil.example"})
    assert "access-control-allow-origin" not in other.headers
