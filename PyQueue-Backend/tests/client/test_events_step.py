"""How one event of ``/api/events`` moves a wait along (no server needed)."""

from __future__ import annotations

import json

import httpx2 as httpx

from pyqueue.client.common import step
from pyqueue.models.task import Task
from pyqueue.schemas import mappers

TASK = mappers.task_to_out(Task.create("ECHO", None, 3)).model_dump(mode="json")
TASK_ID = TASK["id"]


def event(body: object, kind: str = "task") -> httpx.ServerSentEvent:
    return httpx.ServerSentEvent(event=kind, data=json.dumps(body), id="7")


def test_an_update_of_the_task_is_its_new_state() -> None:
    state = step(event({"kind": "updated", "task": TASK}), TASK_ID)
    assert not isinstance(state, str) and state is not None
    assert state.id == TASK_ID and state.status == "QUEUED"


def test_other_tasks_and_other_events_are_ignored() -> None:
    assert step(event({"kind": "updated", "task": TASK}), "Task-2") is None
    assert step(event({"kind": "updated", "task": {"id": TASK_ID}}), TASK_ID) == "reload"
    assert step(event({"kind": "deleted", "id": "Task-2"}), TASK_ID) is None
    assert step(httpx.ServerSentEvent(event="message", data="", retry=2000), TASK_ID) is None
    assert step(event({"kind": "paused", "type": "ECHO"}), TASK_ID) is None


def test_a_delete_clear_or_resync_is_acted_on() -> None:
    assert step(event({"kind": "deleted", "id": TASK_ID}), TASK_ID) == "deleted"
    assert step(event({"kind": "cleared"}), TASK_ID) == "reload"
    assert step(event({"kind": "resync"}), TASK_ID) == "reload"
    assert step(httpx.ServerSentEvent(event="task", data="{not json"), TASK_ID) == "reload"
