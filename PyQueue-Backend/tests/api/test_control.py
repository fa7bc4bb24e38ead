"""REST: timeout_seconds and idempotency_key on enqueue (201 created, 200 existing), the batch's
created flags, progress in TaskOut, stuck_workers in stats."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from pyqueue.errors import InvalidTaskOption
from pyqueue.models.values import NewTask
from tests.support import MakeClient, MakeQueue, enqueue, queue_of

WEEK = 7 * 24 * 3600


def post(client: TestClient, **fields: Any) -> Any:
    return client.post("/api/enqueue", json={"payload": 1, "t_type": "ECHO", **fields})


def batch(client: TestClient, *items: dict[str, Any]) -> Any:
    tasks = [{"payload": 1, "t_type": "ECHO", **item} for item in items]
    return client.post("/api/enqueue/batch", json={"tasks": tasks})


def total(client: TestClient) -> int:
    return int(client.get("/api/jobs").headers["X-Total-Count"])


def test_a_new_key_is_created_then_returned_with_200(
    every_store_url: str, make_client: MakeClient
) -> None:
    client = make_client(workers=0, database_url=every_store_url)
    first = post(client, idempotency_key="order-7", payload={"n": 1})
    assert first.status_code == 201, first.text
    again = post(client, idempotency_key="order-7", payload={"n": 2}, priority=5)
    assert again.status_code == 200, again.text
    assert again.json() == first.json()  # the existing task, unchanged
    assert again.headers["Location"] == f"/api/jobs/{first.json()['id']}"
    assert first.json()["idempotency_key"] == "order-7"
    assert total(client) == 1
    client.delete(f"/api/jobs/{first.json()['id']}")
    assert post(client, idempotency_key="order-7").status_code == 201  # free once deleted


def test_a_batch_says_which_items_were_created(
    every_store_url: str, make_client: MakeClient
) -> None:
    client = make_client(workers=0, database_url=every_store_url)
    existing = enqueue(client, "ECHO", idempotency_key="a")
    response = batch(client, {"idempotency_key": "a"}, {}, {"idempotency_key": "b"}, {})
    assert response.status_code == 201, response.text
    items = response.json()
    assert [i["created"] for i in items] == [False, True, True, True]
    assert items[0]["id"] == existing["id"]
    assert {k: v for k, v in items[0].items() if k != "created"} == existing
    assert total(client) == 4
    retried = batch(client, {"idempotency_key": "a"}, {"idempotency_key": "b"})
    assert retried.status_code == 200  # nothing new: a retried batch is safe
    assert [i["created"] for i in retried.json()] == [False, False]
    assert [i["id"] for i in retried.json()] == [items[0]["id"], items[2]["id"]]
    assert total(client) == 4


def test_one_key_twice_in_a_batch_creates_one_task(make_client: MakeClient) -> None:
    client = make_client(workers=0)
    items = batch(client, {"idempotency_key": "k"}, {"idempotency_key": "k"}).json()
    assert [i["created"] for i in items] == [True, False]
    assert items[0]["id"] == items[1]["id"]


def test_timeout_and_progress_fields_are_in_task_out(make_client: MakeClient) -> None:
    client = make_client(workers=0, default_timeout=120)
    body = enqueue(client, "ECHO", timeout_seconds=1.5)
    assert body["timeout_seconds"] == 1.5
    assert (body["progress"], body["progress_message"], body["idempotency_key"]) == (
        None,
        None,
        None,
    )
    assert enqueue(client, "ECHO")["timeout_seconds"] == 120
    assert client.get(f"/api/jobs/{body['id']}").json()["timeout_seconds"] == 1.5


def test_stats_report_stuck_workers(client: TestClient) -> None:
    assert client.get("/api/stats").json()["stuck_workers"] == 0


@pytest.mark.parametrize(
    ("fields", "named"),
    [
        ({"timeout_seconds": 0}, "timeout_seconds"),
        ({"timeout_seconds": -1}, "timeout_seconds"),
        ({"timeout_seconds": WEEK + 1}, "timeout_seconds"),
        ({"timeout_seconds": "5"}, "timeout_seconds"),
        ({"timeout_seconds": True}, "timeout_seconds"),
        ({"idempotency_key": ""}, "idempotency_key"),
        ({"idempotency_key": "k" * 201}, "idempotency_key"),
        ({"idempotency_key": "line\nbreak"}, "idempotency_key"),
        ({"idempotency_key": "del\x7f"}, "idempotency_key"),
        ({"idempotency_key": "c1\x85"}, "idempotency_key"),
        ({"idempotency_key": 42}, "idempotency_key"),
    ],
)
def test_bad_control_options_are_422_naming_the_field(
    make_client: MakeClient, fields: dict[str, Any], named: str
) -> None:
    client = make_client(workers=0)
    response = post(client, **fields)
    assert response.status_code == 422, response.text
    assert named in response.text
    in_batch = batch(client, {}, fields)
    assert in_batch.status_code == 422
    assert named in in_batch.text
    assert total(client) == 0


def test_the_longest_key_and_timeout_are_accepted(make_client: MakeClient) -> None:
    client = make_client(workers=0)
    body = enqueue(client, "ECHO", idempotency_key="é" * 200, timeout_seconds=WEEK)
    assert (body["idempotency_key"], body["timeout_seconds"]) == ("é" * 200, WEEK)


def test_openapi_documents_200_and_201(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    for path in ("/api/enqueue", "/api/enqueue/batch"):
        responses = paths[path]["post"]["responses"]
        assert {"200", "201"} <= set(responses), path
    item = client.get("/openapi.json").json()["components"]["schemas"]["BatchItemOut"]
    assert "created" in item["required"]


def test_the_python_api_validates_and_says_what_was_created(make_queue: MakeQueue) -> None:
    queue = make_queue(workers=0)
    first = queue.enqueue_unique("ECHO", 1, "job-1", priority=3)
    assert first.created and first.task.priority == 3
    again = queue.enqueue_unique("ECHO", 2, "job-1")
    assert not again.created and again.task == first.task
    assert queue.enqueue("ECHO", 3, idempotency_key="job-1") == first.task
    entries = queue.submit_many([NewTask("ECHO", 1, idempotency_key="job-1"), NewTask("ECHO", 1)])
    assert [e.created for e in entries] == [False, True]
    for bad in ({"idempotency_key": ""}, {"idempotency_key": "a\tb"}, {"timeout_seconds": 0}):
        with pytest.raises(InvalidTaskOption):
            queue.enqueue("ECHO", 1, **bad)
    with pytest.raises(InvalidTaskOption, match="Task 1: timeout_seconds"):
        queue.enqueue_many([NewTask("ECHO", 1), NewTask("ECHO", 1, timeout_seconds=-1)])
    assert queue.store.counts().total == 2


def test_an_api_process_sees_progress_written_by_a_worker(make_client: MakeClient) -> None:
    client = make_client(workers=0)
    queue = queue_of(client)
    task = queue.enqueue("ECHO", 1)
    claimed = queue.store.claim(1, 30)[0]
    assert claimed.lease_id is not None
    queue.store.set_progress(task.t_id, claimed.lease_id, 0.25, "a quarter")
    body = client.get(f"/api/jobs/{task.t_id}").json()
    assert (body["progress"], body["progress_message"]) == (0.25, "a quarter")
