"""GET /api/events: server-sent events for every task change, resumable with Last-Event-ID."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from fastapi.testclient import TestClient

from tests.support import MakeClient, enqueue


def read_events(lines: Iterator[str], count: int) -> list[tuple[int, dict[str, Any]]]:
    events: list[tuple[int, dict[str, Any]]] = []
    seq, data = 0, ""
    for line in lines:
        if line.startswith("id: "):
            seq = int(line[4:])
        elif line.startswith("data: "):
            data = line[6:]
        elif line == "" and data:
            events.append((seq, json.loads(data)))
            data = ""
            if len(events) == count:
                break
    return events


def test_stream_follows_a_task_through_its_lifecycle(make_client: MakeClient) -> None:
    client = make_client(workers=1)
    with client.stream("GET", "/api/events") as response:
        assert response.headers["content-type"].startswith("text/event-stream")
        task = enqueue(client, "ECHO", "hello")
        events = read_events(response.iter_lines(), 3)
    statuses = [e["task"]["status"] for _, e in events]
    assert statuses == ["QUEUED", "INPROGRESS", "COMPLETED"]
    assert {e["task"]["id"] for _, e in events} == {task["id"]}
    assert [seq for seq, _ in events] == sorted(seq for seq, _ in events)
    assert events[2][1]["task"]["result"] == {"echo": "hello", "attempt": 1}


def test_stream_reports_deletes_and_clears(make_client: MakeClient) -> None:
    client = make_client(workers=0)
    with client.stream("GET", "/api/events") as response:
        task = enqueue(client, "ECHO")
        client.delete(f"/api/jobs/{task['id']}")
        client.post("/api/clear")
        events = read_events(response.iter_lines(), 3)
    assert [e["kind"] for _, e in events] == ["updated", "deleted", "cleared"]
    assert events[1][1]["id"] == task["id"]


def test_resume_with_last_event_id_replays_what_was_missed(make_client: MakeClient) -> None:
    client = make_client(workers=0)
    first = enqueue(client, "ECHO", 1)
    second = enqueue(client, "ECHO", 2)
    third = enqueue(client, "ECHO", 3)
    seq_after_first = _seq_of(client, first["id"])
    headers = {"Last-Event-ID": str(seq_after_first)}
    with client.stream("GET", "/api/events", headers=headers) as response:
        events = read_events(response.iter_lines(), 2)
    assert [e["task"]["id"] for _, e in events] == [second["id"], third["id"]]


def test_resume_from_an_unknown_id_asks_for_a_resync(make_client: MakeClient) -> None:
    client = make_client(workers=0)
    enqueue(client, "ECHO", 1)
    with client.stream("GET", "/api/events", headers={"Last-Event-ID": "999999"}) as response:
        events = read_events(response.iter_lines(), 1)
    assert events[0][1] == {"kind": "resync"}


def _seq_of(client: TestClient, task_id: str) -> int:
    queue = client.app.state.queue  # type: ignore[attr-defined]
    history = queue.events.since(0)
    seq: int = next(e.seq for e in history if e.task_id == task_id)
    return seq
