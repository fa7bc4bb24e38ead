"""``pyqueue.Client`` against a real ``pyqueue serve`` (memory without a token, SQLite with one)."""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from pyqueue import (
    Client,
    ConnectionFailed,
    NotFound,
    PyQueueError,
    Unauthorized,
    ValidationFailed,
    WaitTimeout,
)
from pyqueue.client import Conflict, Page
from pyqueue.client.common import DEFAULT_URL, deadline_of
from pyqueue.client.sync import _run
from pyqueue.config import Settings
from pyqueue.enums import TaskStatus
from pyqueue.schemas.task import DeletedOut, EnqueueRequest, StatsOut, TaskOut
from tests.client.server import TOKEN, Server
from tests.faults.harness import free_port

LONG = 3600.0
"""A poll interval no test may reach: a wait that returns before it followed the event stream."""


@pytest.fixture
def client(server: Server) -> Iterator[Client]:
    with Client(server.url, token=server.token, timeout=30) as client:
        yield client


def parked(client: Client, payload: object = "p") -> TaskOut:
    """A task that stays QUEUED (delayed an hour)."""
    return client.enqueue("PARKED", payload, delay_seconds=LONG)


def test_enqueue_returns_the_created_task_with_its_options(client: Client) -> None:
    task = client.enqueue("ECHO", {"to": "ada"}, priority=7, max_retries=0)
    assert isinstance(task, TaskOut)
    assert task.id.startswith("Task-")
    assert (task.type, task.payload, task.priority, task.max_retries) == (
        "ECHO",
        {"to": "ada"},
        7,
        0,
    )
    later = client.enqueue("PARKED", None, delay_seconds=LONG)
    assert later.status is TaskStatus.QUEUED and later.next_run_at is not None
    assert later.next_run_at > datetime.now(UTC) + timedelta(minutes=50)
    when = datetime.now(UTC) + timedelta(hours=2)
    at = client.enqueue("PARKED", [1, 2], run_at=when)
    assert at.next_run_at == when


def test_every_field_of_the_enqueue_schema_passes_through(client: Client) -> None:
    """Options are the server's EnqueueRequest fields, whatever they are today."""
    assert {"priority", "delay_seconds", "run_at", "max_retries"} <= set(
        EnqueueRequest.model_fields
    )
    task = client.enqueue("PARKED", 1, **{"delay_seconds": LONG, "priority": -3})
    assert task.priority == -3


def test_a_bad_option_is_refused_before_anything_is_sent(client: Client) -> None:
    before = client.stats().total
    with pytest.raises(ValidationFailed) as refused:
        client.enqueue("ECHO", 1, colour="red")
    assert refused.value.status is None
    assert refused.value.message == "colour: unknown field"
    with pytest.raises(ValidationFailed, match="priority: Input should be less than or equal"):
        client.enqueue("ECHO", 1, priority=10**6)
    with pytest.raises(ValidationFailed, match="delay_seconds or run_at, not both"):
        client.enqueue("ECHO", 1, delay_seconds=1, run_at=datetime.now(UTC))
    assert client.stats().total == before


def test_the_server_refusal_carries_its_message_and_status(client: Client) -> None:
    with pytest.raises(ValidationFailed) as refused:
        client.enqueue("NO_SUCH_TYPE", 1)
    assert refused.value.status == 422
    assert refused.value.message.startswith("Unknown task type 'NO_SUCH_TYPE'; known types: ")
    assert "ECHO" in refused.value.message
    assert isinstance(refused.value, PyQueueError)


def test_enqueue_many_is_one_batch(client: Client) -> None:
    tasks = client.enqueue_many(
        [
            {"t_type": "PARKED", "payload": 1, "delay_seconds": LONG},
            EnqueueRequest(t_type="PARKED", payload=2, priority=4, delay_seconds=LONG),
        ]
    )
    assert [t.payload for t in tasks] == [1, 2]
    assert [t.priority for t in tasks] == [0, 4]
    with pytest.raises(ValidationFailed, match=r"tasks\.1\.priority"):
        client.enqueue_many([{"t_type": "ECHO", "payload": 1}, {"t_type": "ECHO", "priority": "x"}])


def test_get_and_not_found(client: Client) -> None:
    task = parked(client)
    assert client.get(task.id) == task
    with pytest.raises(NotFound) as missing:
        client.get("Task-00000000000000000000000000")
    assert missing.value.status == 404
    assert missing.value.message == "Job Task-00000000000000000000000000 not found"
    with pytest.raises(NotFound):
        client.get("a/../../stats")  # quoted into one path segment, never another route


def test_wait_follows_the_event_stream(client: Client) -> None:
    task = client.enqueue("SLOW", {"ms": 200})
    done = client.wait(task.id, timeout=30, poll_interval=LONG)
    assert done.status is TaskStatus.COMPLETED
    assert done.result == {"slept_ms": 200}
    # The stream alone (None would mean "unusable, poll instead"):
    task = client.enqueue("SLOW", {"ms": 200})
    followed = _run(client._wait_events(task.id, deadline_of(30), 30))
    assert followed is not None and followed.status is TaskStatus.COMPLETED


def test_wait_polls_when_told_not_to_use_the_stream(client: Client) -> None:
    task = client.enqueue("SLOW", {"ms": 200})
    done = client.wait(task.id, timeout=30, events=False, poll_interval=0.05)
    assert done.status is TaskStatus.COMPLETED


@pytest.mark.parametrize("events", [True, False], ids=["events", "polling"])
def test_wait_returns_a_failed_task_and_a_finished_one_at_once(
    client: Client, events: bool
) -> None:
    task = client.enqueue("FAIL", {"message": "no luck"}, max_retries=0)
    failed = client.wait(task.id, timeout=30, events=events, poll_interval=0.05)
    assert failed.status is TaskStatus.FAILED
    assert failed.last_error is not None and "no luck" in failed.last_error
    assert client.wait(task.id, timeout=0, events=events) == failed


@pytest.mark.parametrize("events", [True, False], ids=["events", "polling"])
def test_wait_times_out_with_the_last_state(client: Client, events: bool) -> None:
    task = parked(client)
    with pytest.raises(WaitTimeout) as late:
        client.wait(task.id, timeout=0.5, events=events, poll_interval=0.1)
    assert isinstance(late.value, TimeoutError)
    assert late.value.task is not None and late.value.task.status is TaskStatus.QUEUED
    assert f"Job {task.id} did not finish within 0.5 s" in late.value.message


@pytest.mark.parametrize("events", [True, False], ids=["events", "polling"])
def test_wait_sees_a_cancel_and_a_delete(client: Client, events: bool) -> None:
    held = client.enqueue("HOLD", None)
    outcome: list[object] = []

    def waiting() -> None:
        with Client(client.url, token=client._token) as other:
            outcome.append(other.wait(held.id, timeout=30, events=events, poll_interval=0.05))

    waiter = threading.Thread(target=waiting)
    waiter.start()
    client.cancel(held.id)
    waiter.join(30)
    [cancelled] = outcome
    assert isinstance(cancelled, TaskOut) and cancelled.status is TaskStatus.CANCELLED

    task = parked(client)
    errors: list[BaseException] = []

    def waiting_for_delete() -> None:
        with Client(client.url, token=client._token) as other:
            try:
                other.wait(task.id, timeout=30, events=events, poll_interval=0.05)
            except NotFound as exc:
                errors.append(exc)

    waiter = threading.Thread(target=waiting_for_delete)
    waiter.start()
    client.delete(task.id)
    waiter.join(30)
    assert len(errors) == 1 and errors[0].status_code == 404  # type: ignore[attr-defined]


def test_wait_works_inside_a_running_event_loop(client: Client) -> None:
    task = client.enqueue("SLOW", {"ms": 50})

    async def inside() -> TaskOut:
        return client.wait(task.id, timeout=30, poll_interval=LONG)

    assert asyncio.run(inside()).status is TaskStatus.COMPLETED


def test_jobs_iterates_every_page(client: Client) -> None:
    created = client.enqueue_many(
        [{"t_type": "PARKED", "payload": i, "delay_seconds": LONG} for i in range(23)]
    )
    listed = list(client.jobs(status="queued", t_type="PARKED", page_size=5))
    ids = [t.id for t in listed]
    assert len(ids) == len(set(ids))  # no task twice across the pages
    assert {t.id for t in created} <= set(ids)
    page = client.page("QUEUED", "PARKED", limit=5)
    assert isinstance(page, Page) and len(page.tasks) == 5 and page.total == len(ids)
    assert all(t.status is TaskStatus.QUEUED and t.type == "PARKED" for t in listed)
    assert [t.id for t in client.jobs(t_type="PARKED", page_size=4, limit=6)] == ids[:6]
    oldest = next(iter(client.jobs(t_type="PARKED", order="asc")))
    assert oldest.created_at <= min(t.created_at for t in created)


def test_retry_cancel_delete(client: Client) -> None:
    failed = client.wait(client.enqueue("FAIL", {}, max_retries=0).id, timeout=30)
    again = client.retry(failed.id)
    assert again.id == failed.id and again.status in (TaskStatus.QUEUED, TaskStatus.INPROGRESS)
    done = client.wait(client.enqueue("ECHO", 1).id, timeout=30)
    with pytest.raises(Conflict) as conflict:
        client.retry(done.id)
    assert conflict.value.status == 409 and "cannot be retried" in conflict.value.message

    task = parked(client)
    cancelled = client.cancel(task.id)
    assert cancelled.status is TaskStatus.CANCELLED
    deleted = client.delete(task.id)
    assert isinstance(deleted, DeletedOut) and deleted.id == task.id
    with pytest.raises(NotFound):
        client.delete(task.id)
    with pytest.raises(NotFound):
        client.cancel(task.id)


def test_stats(client: Client) -> None:
    parked(client)
    stats = client.stats()
    assert isinstance(stats, StatsOut)
    assert stats.by_status[TaskStatus.QUEUED] >= 1 and stats.by_type["PARKED"] >= 1
    assert stats.total == sum(stats.by_status.values())
    assert stats.workers.total == 2
    assert {t.name for t in client.types()} >= {"ECHO", "SLOW", "HOLD", "FAIL", "PARKED"}


def test_the_context_manager_closes_the_connection(server: Server) -> None:
    with Client(server.url, token=server.token) as client:
        client.stats()
    assert client._http.is_closed


def test_a_token_is_required_and_never_shown(
    token_server: Server, caplog: pytest.LogCaptureFixture
) -> None:
    with Client(token_server.url) as anonymous:
        with pytest.raises(Unauthorized) as refused:
            anonymous.stats()
        assert refused.value.status == 401
        assert refused.value.message.startswith("A valid API token is required")
        with pytest.raises(Unauthorized):
            anonymous.wait("Task-00000000000000000000000000", timeout=5)
    with Client(token_server.url, token="wrong") as wrong, pytest.raises(Unauthorized):
        wrong.enqueue("ECHO", 1)
    with caplog.at_level(logging.DEBUG), Client(token_server.url, token=TOKEN) as client:
        task = client.enqueue("SLOW", {"ms": 10})
        assert client.wait(task.id, timeout=30).status is TaskStatus.COMPLETED
        assert TOKEN not in repr(client)
    assert caplog.records  # the HTTP library did log the requests, without the token
    assert TOKEN not in caplog.text


def test_no_server_is_a_connection_error() -> None:
    with Client(f"http://127.0.0.1:{free_port()}", timeout=5) as client:
        with pytest.raises(ConnectionFailed, match=r"cannot reach http://127\.0\.0\.1:"):
            client.stats()
        with pytest.raises(ConnectionFailed):
            client.wait("Task-00000000000000000000000000", timeout=5)


def test_urls_and_tokens_are_checked() -> None:
    assert Client("http://h:1/api/").url == "http://h:1"
    defaults = Settings.model_fields
    assert f"http://{defaults['host'].default}:{defaults['port'].default}" == DEFAULT_URL
    with pytest.raises(ValueError, match="server URL"):
        Client("localhost:8000")
    with pytest.raises(ValueError, match="token"):
        Client(DEFAULT_URL, token="two words")
