"""``pyqueue.AsyncClient`` against a real ``pyqueue serve``: the same methods, awaited."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import TypeVar

import pytest

from pyqueue import AsyncClient, ConnectionFailed, NotFound, Unauthorized, ValidationFailed
from pyqueue.client import Conflict, WaitTimeout
from pyqueue.client.common import deadline_of
from pyqueue.enums import TaskStatus
from pyqueue.schemas.task import DeletedOut, StatsOut, TaskOut
from tests.client.server import TOKEN, Server
from tests.faults.harness import free_port

T = TypeVar("T")
LONG = 3600.0


def run(server: Server, scenario: Callable[[AsyncClient], Awaitable[T]]) -> T:
    async def main() -> T:
        async with AsyncClient(server.url, token=server.token, timeout=30) as client:
            return await scenario(client)

    return asyncio.run(main())


def test_enqueue_get_and_errors(server: Server) -> None:
    async def scenario(client: AsyncClient) -> None:
        task = await client.enqueue("PARKED", {"n": 1}, priority=2, delay_seconds=LONG)
        assert isinstance(task, TaskOut) and task.priority == 2 and task.next_run_at
        assert await client.get(task.id) == task
        with pytest.raises(NotFound, match="not found"):
            await client.get("Task-00000000000000000000000000")
        with pytest.raises(ValidationFailed) as refused:
            await client.enqueue("NO_SUCH_TYPE")
        assert refused.value.status == 422 and "known types" in refused.value.message
        with pytest.raises(ValidationFailed) as local:
            await client.enqueue("ECHO", 1, max_retries=-1)
        assert local.value.status is None
        batch = await client.enqueue_many([{"t_type": "ECHO", "payload": i} for i in range(3)])
        assert [t.payload for t in batch] == [0, 1, 2]

    run(server, scenario)


def test_wait_on_the_stream_and_by_polling(server: Server) -> None:
    async def scenario(client: AsyncClient) -> None:
        first = await client.enqueue("SLOW", {"ms": 200})
        second = await client.enqueue("SLOW", {"ms": 200})
        followed = await client._wait_events(first.id, deadline_of(30), 30)
        assert followed is not None and followed.status is TaskStatus.COMPLETED
        polled = await client.wait(second.id, timeout=30, events=False, poll_interval=0.05)
        assert polled.status is TaskStatus.COMPLETED
        both = await asyncio.gather(
            client.wait((await client.enqueue("SLOW", {"ms": 100})).id, 30, poll_interval=LONG),
            client.wait((await client.enqueue("ECHO", 5)).id, 30, poll_interval=LONG),
        )
        assert [t.status for t in both] == [TaskStatus.COMPLETED, TaskStatus.COMPLETED]

    run(server, scenario)


@pytest.mark.parametrize("events", [True, False], ids=["events", "polling"])
def test_wait_times_out_then_sees_the_cancel(server: Server, events: bool) -> None:
    async def scenario(client: AsyncClient) -> None:
        held = await client.enqueue("HOLD")
        with pytest.raises(WaitTimeout) as late:
            await client.wait(held.id, timeout=0.3, events=events, poll_interval=0.05)
        assert late.value.task is not None and not late.value.task.status.is_final
        waiting = asyncio.ensure_future(
            client.wait(held.id, timeout=30, events=events, poll_interval=0.05)
        )
        await client.cancel(held.id)
        assert (await waiting).status is TaskStatus.CANCELLED

        parked = await client.enqueue("PARKED", delay_seconds=LONG)
        waiting = asyncio.ensure_future(
            client.wait(parked.id, timeout=30, events=events, poll_interval=0.05)
        )
        await client.delete(parked.id)
        with pytest.raises(NotFound):
            await waiting

    run(server, scenario)


def test_jobs_with_async_for_reads_every_page(server: Server) -> None:
    async def scenario(client: AsyncClient) -> None:
        created = await client.enqueue_many(
            [{"t_type": "PARKED", "payload": i, "delay_seconds": LONG} for i in range(12)]
        )
        ids = [t.id async for t in client.jobs("QUEUED", "PARKED", page_size=5)]
        assert len(ids) == len(set(ids)) and {t.id for t in created} <= set(ids)
        assert (await client.page("QUEUED", "PARKED", limit=5)).total == len(ids)
        assert [t.id async for t in client.jobs(t_type="PARKED", limit=7, page_size=3)] == ids[:7]

    run(server, scenario)


def test_retry_cancel_delete_stats(server: Server) -> None:
    async def scenario(client: AsyncClient) -> None:
        failed = await client.wait((await client.enqueue("FAIL", max_retries=0)).id, 30)
        assert failed.status is TaskStatus.FAILED
        assert (await client.retry(failed.id)).id == failed.id
        done = await client.wait((await client.enqueue("ECHO", 1)).id, 30)
        with pytest.raises(Conflict):
            await client.retry(done.id)
        parked = await client.enqueue("PARKED", delay_seconds=LONG)
        assert (await client.cancel(parked.id)).status is TaskStatus.CANCELLED
        deleted = await client.delete(parked.id)
        assert isinstance(deleted, DeletedOut) and deleted.id == parked.id
        stats = await client.stats()
        assert isinstance(stats, StatsOut) and stats.total == sum(stats.by_status.values())
        assert "ECHO" in {t.name for t in await client.types()}

    run(server, scenario)


def test_token_and_connection_errors(token_server: Server) -> None:
    async def scenario() -> None:
        async with AsyncClient(token_server.url) as anonymous:
            with pytest.raises(Unauthorized, match="A valid API token is required"):
                await anonymous.stats()
            with pytest.raises(Unauthorized):
                await anonymous.wait("Task-00000000000000000000000000", timeout=5)
        async with AsyncClient(token_server.url, token=TOKEN) as client:
            assert (await client.stats()).total >= 0
            assert TOKEN not in repr(client)
        async with AsyncClient(f"http://127.0.0.1:{free_port()}", timeout=5) as nowhere:
            with pytest.raises(ConnectionFailed):
                await nowhere.get("Task-00000000000000000000000000")
            with pytest.raises(ConnectionFailed):
                await nowhere.wait("Task-00000000000000000000000000", timeout=5)

    asyncio.run(scenario())
