"""``POST /api/enqueue``'s and ``/api/enqueue/batch``'s fast routes (``api/fastpath.py``) answer
as FastAPI's routes do.

Each request goes to two apps on the same settings: the app as built, and one without the fast
route, where FastAPI's route answers everything. Status, headers and body must match (ids and
times aside). The plain requests must be answered by the fast route; every unusual one must be
handed on to FastAPI's route.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from pyqueue.api import fastpath
from pyqueue.api.fastpath import BatchEnqueueRoute, EnqueueRoute
from pyqueue.main import create_app
from tests.support import MakeClient, make_settings

ID = re.compile(r"Task-[0-9A-Z]{26}")
TIME = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)")

PLAIN: list[tuple[str, bytes]] = [
    ("minimal", b'{"payload": {"to": "ada"}, "t_type": "ECHO"}'),
    ("type in another case", b'{"payload": 1, "t_type": "echo"}'),
    ("every option", b'{"payload": [1, "two", null], "t_type": "ECHO", "priority": 7,'
     b' "max_retries": 1, "timeout_seconds": 2.5, "delay_seconds": 60}'),
    ("run_at past", b'{"payload": "x", "t_type": "ECHO", "run_at": "2020-01-01T00:00:00Z"}'),
    ("a key, twice", b'{"payload": "x", "t_type": "ECHO", "idempotency_key": "k-1"}'),
    ("a key, twice", b'{"payload": "x", "t_type": "ECHO", "idempotency_key": "k-1"}'),
    ("a big integer", b'{"payload": 123456789012345678901234567890, "t_type": "ECHO"}'),
    ("a duplicate key", b'{"payload": 1, "payload": 2, "t_type": "ECHO"}'),
    ("unicode", '{"payload": "żółw 🐢", "t_type": "ECHO"}'.encode()),
]  # fmt: skip
"""Answered by the fast route (the queue refuses none of them)."""

QUEUE_REFUSES: list[tuple[str, bytes]] = [
    ("unknown type", b'{"payload": 1, "t_type": "NOPE"}'),
    ("NaN", b'{"payload": NaN, "t_type": "ECHO"}'),
    ("infinity", b'{"payload": 1e400, "t_type": "ECHO"}'),
    ("too large", b'{"payload": "' + b"x" * 300 + b'", "t_type": "ECHO"}'),
    ("run_at too far", b'{"payload": 1, "t_type": "ECHO", "run_at": "2999-01-01T00:00:00Z"}'),
]
"""Valid bodies the queue refuses: the fast route raises as FastAPI's route does."""

HANDED_ON: list[tuple[str, bytes]] = [
    ("not JSON", b"{nope"),
    ("empty", b""),
    ("a lone surrogate", b'{"payload": "\\ud800", "t_type": "ECHO"}'),
    ("missing type", b'{"payload": 1}'),
    ("unknown field", b'{"payload": 1, "t_type": "ECHO", "colour": "red"}'),
    ("priority a string", b'{"payload": 1, "t_type": "ECHO", "priority": "3"}'),
    ("both delays", b'{"payload": 1, "t_type": "ECHO", "delay_seconds": 1,'
     b' "run_at": "2999-01-01T00:00:00Z"}'),
    ("nested too deeply", b'{"payload": ' + b"[" * 200 + b"]" * 200 + b', "t_type": "ECHO"}'),
    ("not an object", b"[1, 2]"),
    ("priority out of range", b'{"payload": 1, "t_type": "ECHO", "priority": 101}'),
    ("not UTF-8", b'{"payload": "\xff", "t_type": "ECHO"}'),
]  # fmt: skip
"""Refused by validation: the fast route hands them to FastAPI's route."""


class Answers:
    """Counts how the fast route dealt with requests: answered itself, or handed on."""

    def __init__(self) -> None:
        self.answered = 0
        self.handed_on = 0


@pytest.fixture
def answers(monkeypatch: pytest.MonkeyPatch) -> Answers:
    return counting(monkeypatch, EnqueueRoute)


@pytest.fixture
def batch_answers(monkeypatch: pytest.MonkeyPatch) -> Answers:
    return counting(monkeypatch, BatchEnqueueRoute)


def counting(monkeypatch: pytest.MonkeyPatch, route: type[EnqueueRoute]) -> Answers:
    seen = Answers()
    original = route._answer

    async def counted(scope: Any, body: bytes) -> Any:
        try:
            answer = await original(scope, body)
        except Exception:
            seen.answered += 1  # raised to the app's handlers, as FastAPI's route raises
            raise
        if answer is None:
            seen.handed_on += 1
        else:
            seen.answered += 1
        return answer

    monkeypatch.setattr(route, "_answer", staticmethod(counted))
    return seen


def without_fast_route(**overrides: Any) -> Iterator[TestClient]:
    app = create_app(make_settings(**overrides))
    app.router.routes[:] = [r for r in app.router.routes if not isinstance(r, EnqueueRoute)]
    with TestClient(app) as client:
        yield client


@pytest.fixture
def pair(make_client: MakeClient, every_store_url: str) -> Iterator[tuple[TestClient, TestClient]]:
    """(with the fast route, without it) on the same settings, stores of their own."""
    settings = {"workers": 0, "max_payload_bytes": 200}
    fast = make_client(database_url=every_store_url, **settings)
    for slow in without_fast_route(**settings):
        yield fast, slow


def normalized(text: str) -> str:
    return TIME.sub("<time>", ID.sub("<id>", text))


def answer_of(
    client: TestClient, body: bytes, path: str = "/api/enqueue", **headers: str
) -> tuple[int, dict[str, str], str]:
    response = client.post(
        path, content=body, headers={"Content-Type": "application/json", **headers}
    )
    kept = {k: normalized(v) for k, v in response.headers.items() if k not in ("date",)}
    return response.status_code, kept, normalized(response.text)


def test_plain_requests_are_answered_by_the_fast_route_as_by_fastapis(
    pair: tuple[TestClient, TestClient], answers: Answers
) -> None:
    fast, slow = pair
    for name, body in PLAIN:
        before = answers.answered
        assert answer_of(fast, body) == answer_of(slow, body), name
        assert answers.answered == before + 1, f"{name}: not answered by the fast route"
    assert answers.handed_on == 0
    # the second request with the same key found the first task: 200, nothing added
    assert answer_of(fast, PLAIN[4][1])[0] == 200
    listed = fast.get("/api/jobs", params={"limit": 100}).json()
    assert len(listed) == len(PLAIN) - 1


def assert_refused_alike(
    pair: tuple[TestClient, TestClient],
    cases: list[tuple[str, bytes]],
    statuses: set[int],
    path: str = "/api/enqueue",
) -> None:
    """Each body is refused with one of ``statuses`` and a JSON ``detail``, by both apps alike,
    and neither stores anything."""
    fast, slow = pair
    for name, body in cases:
        got = answer_of(fast, body, path)
        assert got == answer_of(slow, body, path), name
        assert got[0] in statuses and '"detail"' in got[2], (name, got)
    assert fast.get("/api/jobs").json() == []
    assert slow.get("/api/jobs").json() == []


def test_a_queue_refusal_from_the_fast_route_is_the_same_json_error(
    pair: tuple[TestClient, TestClient], answers: Answers
) -> None:
    assert_refused_alike(pair, QUEUE_REFUSES, {413, 422})
    assert answers.answered == len(QUEUE_REFUSES) and answers.handed_on == 0


def test_invalid_bodies_are_handed_to_fastapis_route_and_refused_alike(
    pair: tuple[TestClient, TestClient], answers: Answers
) -> None:
    assert_refused_alike(pair, HANDED_ON, {422})
    assert answers.handed_on == len(HANDED_ON) and answers.answered == 0


def test_only_the_admin_token_takes_the_fast_route(
    make_client: MakeClient, answers: Answers
) -> None:
    tokens = {"workers": 0, "api_token": "s3cret", "readonly_token": "r3ad"}
    fast = make_client(**tokens)
    body = PLAIN[0][1]
    for slow in without_fast_route(**tokens):
        for headers, status in (
            ({}, 401),
            ({"Authorization": "Bearer wrong"}, 401),
            ({"Authorization": "Bearer r3ad"}, 403),
            ({"Authorization": "Bearer s3cret"}, 201),
        ):
            got = answer_of(fast, body, **headers)
            assert got == answer_of(slow, body, **headers), headers
            assert got[0] == status, (headers, got)
    assert (answers.answered, answers.handed_on) == (1, 3)


def test_other_methods_and_paths_never_reach_the_fast_route(
    client: TestClient, answers: Answers
) -> None:
    assert client.get("/api/enqueue").status_code == 405
    slash = client.post("/api/enqueue/", json={"payload": 1}, follow_redirects=False)
    assert slash.status_code == 307
    assert client.post("/api/enqueue/batch", json={"tasks": [{"payload": 1, "t_type": "ECHO"}]})
    assert (answers.answered, answers.handed_on) == (0, 0)


def batch(*bodies: bytes) -> bytes:
    return b'{"tasks": [' + b", ".join(bodies) + b"]}"


BATCH = "/api/enqueue/batch"
BATCH_HANDED_ON: list[tuple[str, bytes]] = [
    ("no tasks", b'{"tasks": []}'),
    ("not a list", b'{"tasks": {"payload": 1, "t_type": "ECHO"}}'),
    ("an unknown field", b'{"tasks": [], "colour": "red"}'),
    ("too many", batch(*[PLAIN[0][1]] * 1001)),
    *[(f"an item: {name}", batch(PLAIN[0][1], body)) for name, body in HANDED_ON[2:]],
]
"""Batches refused by validation: the fast route hands them to FastAPI's route."""


def test_plain_batches_are_answered_by_the_fast_route_as_by_fastapis(
    pair: tuple[TestClient, TestClient], batch_answers: Answers
) -> None:
    fast, slow = pair
    every = batch(*(body for _, body in PLAIN))
    assert answer_of(fast, every, BATCH) == answer_of(slow, every, BATCH)
    again = batch(PLAIN[4][1], PLAIN[4][1])  # only the key that is in use: none created, 200
    got = answer_of(fast, again, BATCH)
    assert got == answer_of(slow, again, BATCH) and got[0] == 200
    assert (batch_answers.answered, batch_answers.handed_on) == (2, 0)
    assert len(fast.get("/api/jobs", params={"limit": 100}).json()) == len(PLAIN) - 1


def test_a_batch_the_queue_refuses_is_the_same_json_error_and_adds_nothing(
    pair: tuple[TestClient, TestClient], batch_answers: Answers
) -> None:
    cases = [(name, batch(PLAIN[0][1], body)) for name, body in QUEUE_REFUSES]
    assert_refused_alike(pair, cases, {413, 422}, BATCH)
    assert (batch_answers.answered, batch_answers.handed_on) == (len(cases), 0)


def test_invalid_batches_are_handed_to_fastapis_route_and_refused_alike(
    pair: tuple[TestClient, TestClient], batch_answers: Answers
) -> None:
    fast, slow = pair
    for name, body in BATCH_HANDED_ON:
        got = answer_of(fast, body, BATCH)
        assert got == answer_of(slow, body, BATCH), name
        assert got[0] == 422 and '"detail"' in got[2], (name, got)
    assert fast.get("/api/jobs").json() == [] and slow.get("/api/jobs").json() == []
    assert (batch_answers.answered, batch_answers.handed_on) == (0, len(BATCH_HANDED_ON))


def test_only_the_admin_token_takes_the_fast_batch_route(
    make_client: MakeClient, batch_answers: Answers
) -> None:
    tokens = {"workers": 0, "api_token": "s3cret", "readonly_token": "r3ad"}
    fast = make_client(**tokens)
    body = batch(PLAIN[0][1])
    for slow in without_fast_route(**tokens):
        for headers, status in (({}, 401), ({"Authorization": "Bearer r3ad"}, 403),
                                ({"Authorization": "Bearer s3cret"}, 201)):  # fmt: skip
            got = answer_of(fast, body, BATCH, **headers)
            assert got == answer_of(slow, body, BATCH, **headers), headers
            assert got[0] == status, (headers, got)
    assert (batch_answers.answered, batch_answers.handed_on) == (1, 2)


def test_the_request_metrics_label_the_fast_route_by_its_template(client: TestClient) -> None:
    assert client.post("/api/enqueue", json={"payload": 1, "t_type": "ECHO"}).status_code == 201
    metrics = client.get("/metrics").text
    assert 'pyqueue_http_requests_total{method="POST",route="/api/enqueue",status="201"} 1.0' in (
        metrics
    )
    assert fastpath.PATH == "/api/enqueue"
    assert client.post(BATCH, json={"tasks": [{"payload": 1, "t_type": "ECHO"}]}).status_code == 201
    metrics = client.get("/metrics").text
    assert (
        'pyqueue_http_requests_total{method="POST",route="/api/enqueue/batch",status="201"} 1.0'
        in metrics
    )
