"""POST /api/enqueue and /api/enqueue/batch with a priority, a delay or a time to run at."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient

from pyqueue.errors import InvalidTaskOption
from pyqueue.models.task import utcnow
from pyqueue.models.values import NewTask
from tests.support import MakeClient, MakeQueue, enqueue, queue_of

YEAR = 365 * 24 * 3600


def total(client: TestClient) -> int:
    return int(client.get("/api/jobs").headers["X-Total-Count"])


def post(client: TestClient, **fields: Any) -> Any:
    return client.post("/api/enqueue", json={"payload": 1, "t_type": "ECHO", **fields})


def at(text: str | None) -> datetime | None:
    return None if text is None else datetime.fromisoformat(text)


def test_a_task_has_priority_0_and_no_delay_by_default(make_client: MakeClient) -> None:
    client = make_client(workers=0)
    body = enqueue(client, "ECHO")
    assert (body["priority"], body["next_run_at"], body["status"]) == (0, None, "QUEUED")


@pytest.mark.parametrize("priority", [-100, -1, 0, 7, 100])
def test_a_priority_is_kept_and_shown(make_client: MakeClient, priority: int) -> None:
    client = make_client(workers=0)
    body = enqueue(client, "ECHO", priority=priority)
    assert body["priority"] == priority
    assert client.get(f"/api/jobs/{body['id']}").json()["priority"] == priority
    assert client.get("/api/jobs").json()[0]["priority"] == priority


@pytest.mark.parametrize(
    "fields",
    [
        {"priority": -101},
        {"priority": 101},
        {"priority": True},
        {"priority": "1"},
        {"priority": 1.5},
        {"priority": None},
        {"delay_seconds": -1},
        {"delay_seconds": YEAR + 1},
        {"delay_seconds": "5"},
        {"delay_seconds": True},
        {"run_at": "2030-01-01T00:00:00"},  # naive
        {"run_at": "tomorrow"},
        {"run_at": 1_900_000_000},
        {"run_at": "1900000000"},
        {"delay_seconds": 5, "run_at": "2030-01-01T00:00:00Z"},  # both
    ],
)
def test_bad_options_are_422_and_enqueue_nothing(
    make_client: MakeClient, fields: dict[str, Any]
) -> None:
    client = make_client(workers=0)
    response = post(client, **fields)
    assert response.status_code == 422, (fields, response.text)
    assert isinstance(response.json()["detail"], str) and response.json()["detail"]
    assert total(client) == 0


def test_both_delay_and_run_at_say_why(make_client: MakeClient) -> None:
    client = make_client(workers=0)
    response = post(client, delay_seconds=1, run_at="2030-01-01T00:00:00Z")
    assert response.status_code == 422
    assert "delay_seconds or run_at, not both" in response.json()["detail"]


def test_a_run_at_more_than_a_year_ahead_is_422(make_client: MakeClient) -> None:
    client = make_client(workers=0)
    response = post(client, run_at=(utcnow() + timedelta(days=366)).isoformat())
    assert response.status_code == 422
    assert "run_at" in response.json()["detail"]
    assert total(client) == 0


def test_delay_seconds_sets_next_run_at(make_client: MakeClient) -> None:
    client = make_client(workers=0)
    before = utcnow()
    body = enqueue(client, "ECHO", delay_seconds=60)
    after = utcnow()
    next_run_at = at(body["next_run_at"])
    assert next_run_at is not None
    assert before + timedelta(seconds=60) <= next_run_at <= after + timedelta(seconds=60)
    assert (body["status"], body["attempts"]) == ("QUEUED", 0)
    assert queue_of(client).store.claim(10, 30) == []


def test_a_zero_delay_runs_now(make_client: MakeClient) -> None:
    client = make_client(workers=0)
    body = enqueue(client, "ECHO", delay_seconds=0)
    assert body["next_run_at"] is None
    assert [t.t_id for t in queue_of(client).store.claim(10, 30)] == [body["id"]]


def test_a_future_run_at_is_kept_in_utc(make_client: MakeClient) -> None:
    client = make_client(workers=0)
    when = (utcnow() + timedelta(hours=3)).replace(microsecond=0)
    local = when.astimezone(UTC).astimezone(datetime.now().astimezone().tzinfo)
    body = enqueue(client, "ECHO", run_at=when.isoformat().replace("+00:00", "+02:00"))
    assert at(body["next_run_at"]) == when - timedelta(hours=2)
    body = enqueue(client, "ECHO", run_at=local.isoformat())
    next_run_at = at(body["next_run_at"])
    assert next_run_at == when
    assert next_run_at is not None and next_run_at.utcoffset() == timedelta(0)
    assert queue_of(client).store.claim(10, 30) == []


def test_a_run_at_in_the_past_runs_now(make_client: MakeClient) -> None:
    client = make_client(workers=0)
    body = enqueue(client, "ECHO", run_at="2020-01-01T00:00:00Z")
    assert (body["status"], body["next_run_at"]) == ("QUEUED", None)
    assert [t.t_id for t in queue_of(client).store.claim(10, 30)] == [body["id"]]


def test_higher_priorities_are_claimed_first(make_client: MakeClient) -> None:
    client = make_client(workers=0)
    low = enqueue(client, "ECHO", priority=-5)
    first = enqueue(client, "ECHO")
    high = enqueue(client, "ECHO", priority=10)
    second = enqueue(client, "ECHO")
    claimed = queue_of(client).store.claim(10, 30)
    assert [t.t_id for t in claimed] == [b["id"] for b in (high, first, second, low)]


def test_batch_items_each_have_their_own_options(make_client: MakeClient) -> None:
    client = make_client(workers=0)
    when = (utcnow() + timedelta(hours=1)).replace(microsecond=0)
    tasks = [
        {"payload": 0, "t_type": "ECHO"},
        {"payload": 1, "t_type": "ECHO", "priority": 3},
        {"payload": 2, "t_type": "ECHO", "priority": -3, "delay_seconds": 30},
        {"payload": 3, "t_type": "ECHO", "priority": 100, "run_at": when.isoformat()},
    ]
    response = client.post("/api/enqueue/batch", json={"tasks": tasks})
    assert response.status_code == 201, response.text
    body = response.json()
    assert [t["priority"] for t in body] == [0, 3, -3, 100]
    assert [t["next_run_at"] is None for t in body] == [True, True, False, False]
    assert at(body[3]["next_run_at"]) == when
    claimed = queue_of(client).store.claim(10, 30)
    assert [t.t_id for t in claimed] == [body[1]["id"], body[0]["id"]]


def test_a_batch_with_one_bad_option_enqueues_nothing(make_client: MakeClient) -> None:
    client = make_client(workers=0)
    tasks = [
        {"payload": 0, "t_type": "ECHO", "priority": 1},
        {"payload": 1, "t_type": "ECHO", "priority": 101},
    ]
    assert client.post("/api/enqueue/batch", json={"tasks": tasks}).status_code == 422
    far = (utcnow() + timedelta(days=400)).isoformat()
    tasks[1] = {"payload": 1, "t_type": "ECHO", "run_at": far}
    response = client.post("/api/enqueue/batch", json={"tasks": tasks})
    assert response.status_code == 422
    assert "Task 1" in response.json()["detail"]
    assert total(client) == 0


def test_a_delayed_task_runs_once_its_time_comes(make_client: MakeClient) -> None:
    client = make_client(workers=1)
    body = enqueue(client, "ECHO", {"n": 1}, delay_seconds=0.3)
    next_run_at = at(body["next_run_at"])
    assert next_run_at is not None
    deadline = time.monotonic() + 10
    task = body
    while task["status"] != "COMPLETED" and time.monotonic() < deadline:
        time.sleep(0.05)
        task = client.get(f"/api/jobs/{body['id']}").json()
    assert task["status"] == "COMPLETED"
    started = at(task["started_at"])
    assert started is not None and started >= next_run_at
    assert (task["attempts"], task["result"]["echo"], task["next_run_at"]) == (1, {"n": 1}, None)


def test_a_manual_retry_keeps_the_priority(make_client: MakeClient) -> None:
    client = make_client(workers=1)
    body = enqueue(client, "CRASH", priority=42, max_retries=0)
    deadline = time.monotonic() + 10
    task = body
    while task["status"] != "FAILED" and time.monotonic() < deadline:
        time.sleep(0.05)
        task = client.get(f"/api/jobs/{body['id']}").json()
    assert task["status"] == "FAILED"
    assert task["priority"] == 42
    response = client.post(f"/api/jobs/{body['id']}/retry")
    assert response.status_code == 200, response.text
    assert client.get(f"/api/jobs/{body['id']}").json()["priority"] == 42


def test_the_python_api_takes_the_same_options(make_queue: MakeQueue) -> None:
    queue = make_queue(workers=0)
    high = queue.enqueue("ECHO", 1, priority=9)
    assert high.priority == 9 and high.next_run_at is None
    later = queue.enqueue("ECHO", 2, delay_seconds=60)
    assert later.next_run_at is not None
    assert later.next_run_at - utcnow() > timedelta(seconds=55)
    when = utcnow() + timedelta(minutes=5)
    scheduled = queue.enqueue("ECHO", 3, None, priority=-1, run_at=when)
    assert (scheduled.priority, scheduled.next_run_at) == (-1, when)
    batch = queue.enqueue_many([NewTask("ECHO", 4, None, 5, utcnow() - timedelta(days=1))])
    assert (batch[0].priority, batch[0].next_run_at) == (5, None)
    assert [t.t_id for t in queue.store.claim(10, 30)] == [high.t_id, batch[0].t_id]


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"priority": 101}, "priority is 101"),
        ({"priority": True}, "priority must be an integer"),
        ({"delay_seconds": -1}, "delay_seconds is -1"),
        ({"delay_seconds": float("nan")}, "delay_seconds is nan"),
        ({"delay_seconds": YEAR + 1}, "delay_seconds is"),
        ({"run_at": datetime(2030, 1, 1)}, "needs a UTC offset"),
        ({"run_at": utcnow() + timedelta(days=400)}, "more than 365 days ahead"),
        ({"delay_seconds": 1, "run_at": utcnow()}, "not both"),
    ],
)
def test_the_python_api_refuses_bad_options(
    make_queue: MakeQueue, options: dict[str, Any], message: str
) -> None:
    queue = make_queue(workers=0)
    with pytest.raises(InvalidTaskOption, match=message) as raised:
        queue.enqueue("ECHO", 1, **options)
    assert raised.value.status_code == 422
    assert queue.store.counts().total == 0


def test_a_delayed_task_cannot_be_retried_but_can_be_cancelled(make_client: MakeClient) -> None:
    client = make_client(workers=0)
    body = enqueue(client, "ECHO", delay_seconds=600)
    response = client.post(f"/api/jobs/{body['id']}/retry")
    assert response.status_code == 409
    assert "waiting for its scheduled time" in response.json()["detail"]
    cancelled = client.post(f"/api/jobs/{body['id']}/cancel").json()
    assert (cancelled["status"], cancelled["next_run_at"]) == ("CANCELLED", None)
    again = client.post(f"/api/jobs/{body['id']}/retry").json()
    assert (again["status"], again["next_run_at"], again["priority"]) == ("QUEUED", None, 0)
