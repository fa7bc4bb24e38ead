"""HTTP edges: 405s beside the dashboard mount, oversized bodies (also against a real server, where
a connection reset would show), and bodies that are not parsable JSON."""

from __future__ import annotations

import asyncio
import http.client
import json
import socket
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from fastapi.testclient import TestClient

from pyqueue import create_app
from pyqueue.api.limits import BodySizeLimit
from pyqueue.config import Settings
from tests.support import MakeClient, make_settings

JSON = {"Content-Type": "application/json"}
MB = 1024 * 1024


def total(client: TestClient) -> int:
    return int(client.get("/api/jobs").headers["X-Total-Count"])


# -- 405s and the dashboard mount ----------------------------------------------------------------


@pytest.mark.parametrize("dashboard", [True, False], ids=["with-dashboard", "api-only"])
def test_api_routes_answer_their_own_405_with_the_right_allow(
    make_client: MakeClient, tmp_path: Path, dashboard: bool
) -> None:
    (tmp_path / "index.html").write_text("<html>the dashboard</html>")
    client = make_client(workers=0, static_dir=tmp_path if dashboard else None)
    cases = [
        ("GET", "/api/enqueue", "POST"),
        ("PUT", "/api/enqueue", "POST"),
        ("POST", "/api/jobs", "GET"),
        ("DELETE", "/api/jobs", "GET"),
        ("PUT", "/api/jobs/Task-X", "GET, PATCH, DELETE"),  # PATCH: edit a failed payload
        ("POST", "/api/jobs/Task-X", "GET, PATCH, DELETE"),
        ("GET", "/api/jobs/Task-X/retry", "POST"),
        ("GET", "/api/clear", "POST"),
        ("POST", "/api/stats", "GET"),
    ]
    for method, path, allow in cases:
        response = client.request(method, path)
        assert response.status_code == 405, (method, path, response.status_code)
        assert response.headers["Allow"] == allow, (method, path)
        assert response.json()["detail"] == f"Method {method} not allowed here; allowed: {allow}"
    missing = client.get("/api/nothing-here")
    assert (missing.status_code, missing.json()) == (404, {"detail": "Not Found"})
    if dashboard:
        assert client.get("/").text == "<html>the dashboard</html>"
        assert client.get("/index.html").status_code == 200
        assert client.post("/").headers["Allow"] == "GET, HEAD"


# -- oversized bodies ----------------------------------------------------------------------------


def test_oversized_chunked_body_is_413(make_client: MakeClient) -> None:
    """No Content-Length: counted as it is read, and refused with 413 (FastAPI said 400)."""
    client = make_client(workers=0, max_payload_bytes=1000)

    def chunks() -> Iterator[bytes]:
        yield b'{"payload": "'
        for _ in range(40):
            yield b"x" * 10_000
        yield b'", "t_type": "ECHO"}'

    response = client.post("/api/enqueue", content=chunks(), headers=JSON)
    assert response.status_code == 413, response.text
    assert "larger than the limit" in response.json()["detail"]
    assert total(client) == 0
    small = client.post("/api/enqueue", content=iter([b'{"payload": 1, ', b'"t_type": "ECHO"}']))
    assert small.status_code == 415  # a body needs its content type, chunked or not
    small = client.post(
        "/api/enqueue", content=iter([b'{"payload": 1, ', b'"t_type": "ECHO"}']), headers=JSON
    )
    assert small.status_code == 201
    assert total(client) == 1


@contextmanager
def live_server(settings: Settings, http: str) -> Iterator[int]:
    """A real uvicorn server on a free 127.0.0.1 port, in a thread; yields the port."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    config = uvicorn.Config(create_app(settings), http=http, log_level="warning")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "the server did not start"
        time.sleep(0.01)
    try:
        yield sock.getsockname()[1]
    finally:
        server.should_exit = True
        thread.join(timeout=20)
        sock.close()


@pytest.fixture(params=["httptools", "h11"])
def server_port(request: pytest.FixtureRequest) -> Iterator[int]:
    """``pyqueue serve`` runs uvicorn with its default HTTP parser (httptools); h11 too."""
    with live_server(make_settings(workers=0), request.param) as port:
        yield port


def test_a_length_beside_a_transfer_encoding_does_not_exempt_the_body_from_counting() -> None:
    """A body announced within the limit passes the guard uncounted, but a Transfer-Encoding
    overrides the Content-Length (RFC 9112): such a body is counted and refused past the limit,
    whatever length it claimed."""

    async def reader(scope: Any, receive: Any, send: Any) -> None:
        while (await receive()).get("more_body"):
            pass
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"read"})

    async def answer(headers: list[tuple[bytes, bytes]]) -> int:
        chunks = [{"type": "http.request", "body": b"x" * 40, "more_body": True}] * 3
        chunks.append({"type": "http.request", "body": b"", "more_body": False})
        sent: list[Any] = []

        async def receive() -> Any:
            return chunks.pop(0)

        async def send(message: Any) -> None:
            sent.append(message)

        scope = {"type": "http", "method": "POST", "path": "/api/enqueue", "headers": headers}
        await BodySizeLimit(reader, max_bytes=50)(scope, receive, send)
        return int(sent[0]["status"])

    length = (b"content-length", b"10")
    assert asyncio.run(answer([length, (b"transfer-encoding", b"chunked")])) == 413
    assert asyncio.run(answer([(b"transfer-encoding", b"chunked")])) == 413
    assert asyncio.run(answer([length])) == 200  # framing holds a declared length: not counted


def test_a_client_that_sends_its_whole_body_first_gets_the_413(server_port: int) -> None:
    """urllib writes all 5 MB before it reads the answer, on a ``Connection: close`` request.
    The server used to answer at once and close with the body unread, so the client saw a
    connection reset instead of the 413."""
    body = b'{"payload": "' + b"x" * (5 * MB) + b'", "t_type": "ECHO"}'
    url = f"http://127.0.0.1:{server_port}/api/enqueue"
    request = urllib.request.Request(url, data=body, headers=JSON)
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(request, timeout=30)
    assert refused.value.code == 413
    assert "larger than the limit" in json.loads(refused.value.read())["detail"]


def test_a_chunked_client_that_sends_its_whole_body_first_gets_the_413(server_port: int) -> None:
    """No Content-Length: refused once past the limit (not 400), the rest read and dropped."""
    conn = http.client.HTTPConnection("127.0.0.1", server_port, timeout=30)
    chunks = [b'{"payload": "', *[b"x" * (256 * 1024)] * 20, b'", "t_type": "ECHO"}']
    headers = {**JSON, "Connection": "close"}
    conn.request("POST", "/api/enqueue", body=iter(chunks), headers=headers, encode_chunked=True)
    response = conn.getresponse()
    assert response.status == 413
    assert "larger than the limit" in json.loads(response.read())["detail"]
    conn.close()


def test_a_keep_alive_connection_goes_on_after_a_413(server_port: int) -> None:
    conn = http.client.HTTPConnection("127.0.0.1", server_port, timeout=30)
    body = b'{"payload": "' + b"x" * (5 * MB) + b'", "t_type": "ECHO"}'
    conn.request("POST", "/api/enqueue", body=body, headers=JSON)
    response = conn.getresponse()
    assert response.status == 413
    response.read()
    conn.request("GET", "/api/jobs")
    after = conn.getresponse()
    assert after.status == 200 and json.loads(after.read()) == []
    conn.close()


def test_a_client_that_waits_for_100_continue_is_answered_before_it_sends(
    server_port: int,
) -> None:
    """curl sends ``Expect: 100-continue`` and waits: the 413 comes without reading anything."""
    with socket.create_connection(("127.0.0.1", server_port), timeout=30) as sock:
        sock.sendall(
            b"POST /api/enqueue HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
            b"Content-Length: 5242880\r\nExpect: 100-continue\r\n\r\n"
        )
        answer = sock.recv(4096)
    assert answer.startswith(b"HTTP/1.1 413 "), answer


# -- bodies that are not parsable JSON -----------------------------------------------------------

UNPARSABLE = [
    (b'{"payload": "\xff", "t_type": "ECHO"}', "Request body is not valid UTF-8 (byte "),
    (
        b'{"payload": ' + b"[" * 5000 + b"]" * 5000 + b', "t_type": "ECHO"}',
        "Request body is not valid JSON: it nests too deeply",
    ),
    (
        b'{"payload": ' + b"9" * 5000 + b', "t_type": "ECHO"}',
        "Request body is not valid JSON: a number has more than 4300 digits",
    ),
]


def test_unparsable_bodies_are_422_like_other_bad_bodies(make_client: MakeClient) -> None:
    client = make_client(workers=0)
    for body, detail in UNPARSABLE:
        for path, wrapped in [
            ("/api/enqueue", body),
            ("/api/enqueue/batch", b'{"tasks": [' + body + b"]}"),
        ]:
            response = client.post(path, content=wrapped, headers=JSON)
            assert response.status_code == 422, (path, detail, response.text)
            message = response.json()["detail"]
            assert message.startswith(detail), message
            assert response.json()["errors"] == [
                {"type": "json_invalid", "loc": ["body"], "msg": message}
            ]
    where = client.post("/api/enqueue", content=UNPARSABLE[0][0], headers=JSON).json()["detail"]
    assert where == "Request body is not valid UTF-8 (byte 13 is 0xff)"
    bulk = client.post(
        "/api/jobs/bulk", content=b'{"action": "delete", "ids": ["\xfe"]}', headers=JSON
    )
    assert bulk.status_code == 422 and "not valid UTF-8" in bulk.json()["detail"]
    assert total(client) == 0
    schema = client.get("/openapi.json").json()
    assert "400" not in schema["paths"]["/api/enqueue"]["post"]["responses"]
    assert "422" in schema["paths"]["/api/enqueue"]["post"]["responses"]


def nested(depth: int) -> object:
    value: object = 1
    for level in range(depth):
        value = [value] if level % 2 else {"k": value}
    return value


def test_payloads_nested_too_deeply_are_422_and_enqueue_nothing(make_client: MakeClient) -> None:
    """Depths 254-255 used to pass validation, be enqueued, and then fail to serialise: a 500."""
    client = make_client(workers=0)
    for depth in [65, 200, 254, 255, 256, 400]:
        body = {"payload": nested(depth), "t_type": "ECHO"}
        for path, sent in [("/api/enqueue", body), ("/api/enqueue/batch", {"tasks": [body]})]:
            response = client.post(path, json=sent)
            assert response.status_code == 422, (depth, path, response.text[:300])
            detail = response.json()["detail"]
            assert "nest" in detail and len(detail) < 200, detail
    assert total(client) == 0
    deepest = client.post("/api/enqueue", json={"payload": nested(64), "t_type": "ECHO"})
    assert deepest.status_code == 201
    assert client.get(f"/api/jobs/{deepest.json()['id']}").json()["payload"] == nested(64)
