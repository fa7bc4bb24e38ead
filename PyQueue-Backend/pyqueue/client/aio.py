"""The asynchronous client: :class:`AsyncClient`, the same methods as
:class:`~pyqueue.client.sync.Client`, awaited (``async for`` over :meth:`AsyncClient.jobs`)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Iterable, Mapping
from types import TracebackType
from typing import Any, Self

import httpx2 as httpx

from pyqueue.client import common
from pyqueue.client.common import DEFAULT_TIMEOUT, DEFAULT_URL, Order, Page
from pyqueue.client.errors import NotFound
from pyqueue.enums import TaskStatus
from pyqueue.schemas.task import (
    DeletedOut,
    EnqueueRequest,
    StatsOut,
    TaskOut,
    TaskTypeOut,
)

logger = logging.getLogger("pyqueue.client")


class AsyncClient:
    """A PyQueue server over HTTP, for ``asyncio``::

    async with AsyncClient("http://127.0.0.1:8000", token=...) as client:
        task = await client.enqueue("EMAIL", {"to": "ada@example.com"}, priority=5)
        done = await client.wait(task.id, timeout=60)
    """

    def __init__(
        self,
        url: str = DEFAULT_URL,
        token: str | None = None,
        timeout: float | None = DEFAULT_TIMEOUT,
    ) -> None:
        self.url = common.base_url(url)
        self.timeout = timeout
        self._http = httpx.AsyncClient(
            base_url=self.url, headers=common.headers(token), timeout=common.timeout(timeout)
        )

    def __repr__(self) -> str:
        return f"AsyncClient({self.url!r})"  # never the token

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self._http.aclose()

    async def _send(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        try:
            return await self._http.request(method, path, **kwargs)
        except httpx.TransportError as exc:
            raise common.unreachable(self.url, exc) from None

    async def enqueue(self, t_type: str, payload: Any = None, **options: Any) -> TaskOut:
        """Enqueue one task; ``options`` are the other fields of the server's enqueue request
        (``priority``, ``delay_seconds``, ``run_at``, ``max_retries``, …), checked with its schema
        before sending: a bad one raises :class:`ValidationFailed` and nothing is sent."""
        body = common.enqueue_body(t_type, payload, options)
        return common.parse(TaskOut, await self._send("POST", "/api/enqueue", json=body))

    async def enqueue_many(
        self, items: Iterable[EnqueueRequest | Mapping[str, Any]]
    ) -> list[TaskOut]:
        """Enqueue up to 1000 tasks at once, all or none; each item is an
        :class:`EnqueueRequest` or a mapping of its fields (``t_type``, ``payload``, …)."""
        body = common.batch_body(items)
        response = await self._send("POST", "/api/enqueue/batch", json=body)
        return common.parse_tasks(response).tasks

    async def get(self, task_id: str) -> TaskOut:
        return common.parse(TaskOut, await self._send("GET", common.task_path(task_id)))

    async def page(
        self,
        status: TaskStatus | str | None = None,
        t_type: str | None = None,
        *,
        limit: int = 100,
        offset: int = 0,
        order: Order = "desc",
        cursor: str | None = None,
    ) -> Page:
        """One page of tasks (newest first unless ``order="asc"``), the total that match, and
        the ``cursor`` of the next page (``offset`` then counts from that cursor)."""
        params = common.list_params(status, t_type, limit, offset, order, cursor)
        return common.parse_tasks(await self._send("GET", "/api/jobs", params=params))

    async def jobs(
        self,
        status: TaskStatus | str | None = None,
        t_type: str | None = None,
        *,
        page_size: int = 100,
        order: Order = "desc",
        limit: int | None = None,
    ) -> AsyncIterator[TaskOut]:
        """Every task that matches (at most ``limit``), fetching one page after another: by
        the server's cursor (nothing shifts while it pages), or by offset from a server without
        one (a task pushed onto the next page by a new one is not given twice; one deleted
        meanwhile may let another slip onto a page already read)."""
        pager = common.Pager(page_size, limit)
        while not pager.done:
            page = await self.page(
                status,
                t_type,
                limit=page_size,
                offset=pager.offset,
                order=order,
                cursor=pager.cursor,
            )
            for task in pager.fresh(page):
                yield task

    async def retry(self, task_id: str) -> TaskOut:
        """A FAILED or CANCELLED task back to QUEUED (409 :class:`Conflict` otherwise)."""
        path = common.task_path(task_id, "/retry")
        return common.parse(TaskOut, await self._send("POST", path))

    async def cancel(self, task_id: str) -> TaskOut:
        path = common.task_path(task_id, "/cancel")
        return common.parse(TaskOut, await self._send("POST", path))

    async def delete(self, task_id: str) -> DeletedOut:
        path = common.task_path(task_id)
        return common.parse(DeletedOut, await self._send("DELETE", path))

    async def stats(self) -> StatsOut:
        return common.parse(StatsOut, await self._send("GET", "/api/stats"))

    async def types(self) -> list[TaskTypeOut]:
        response = await self._send("GET", "/api/types")
        common.check(response)
        return [TaskTypeOut.model_validate(item) for item in response.json()]

    async def wait(
        self,
        task_id: str,
        timeout: float | None = None,
        *,
        poll_interval: float = 0.5,
        events: bool = True,
    ) -> TaskOut:
        """Wait until the task is COMPLETED, FAILED or CANCELLED and return it.

        Follows the server's event stream (``/api/events``); when the stream cannot be used (or
        with ``events=False``) it asks for the task every ``poll_interval`` seconds instead.
        Raises :class:`WaitTimeout` after ``timeout`` seconds (``None``: no limit) and
        :class:`NotFound` when the task is (or gets) deleted."""
        deadline = common.deadline_of(timeout)
        common.task_path(task_id)
        if events:
            found = await self._wait_events(task_id, deadline, timeout)
            if found is not None:
                return found
        last: TaskOut | None = None
        while True:
            last = await self.get(task_id)
            if last.status.is_final:
                return last
            left = common.remaining(deadline)
            if left == 0:
                raise common.timed_out(task_id, timeout, last)
            await asyncio.sleep(poll_interval if left is None else min(poll_interval, left))

    async def _wait_events(
        self, task_id: str, deadline: float | None, timeout: float | None = None
    ) -> TaskOut | None:
        """:meth:`wait` on the event stream; ``None`` when the stream cannot be used (not
        offered, broken, or ended by the server) and the caller should poll for what is left."""
        seen: list[TaskOut] = []
        try:
            async with asyncio.timeout(common.remaining(deadline)):
                return await self._follow(task_id, seen)
        except TimeoutError:
            pass
        except httpx.TransportError as exc:
            logger.debug("Event stream unusable (%s); polling for %s", type(exc).__name__, task_id)
            return None
        # Out of time: the state last seen (read now if the stream had not even opened).
        last = seen[-1] if seen else await self.get(task_id)
        if last.status.is_final:
            return last
        raise common.timed_out(task_id, timeout, last)

    async def _follow(self, task_id: str, seen: list[TaskOut]) -> TaskOut | None:
        """Follow the stream until the task is final (``seen`` gets each state on the way)."""
        timeout = common.stream_timeout(self.timeout)
        async with self._http.sse(
            "/api/events", timeout=timeout, max_event_size=common.MAX_EVENT_BYTES
        ) as source:
            response = source.response
            if response.status_code in (401, 403):
                await response.aread()
                common.check(response)
            if not common.is_event_stream(response):
                return None
            connected = False
            async for event in source:
                if not connected:
                    # The stream's first block (": connected", "retry:"): the server subscribed
                    # before sending it, so every change after the read below follows on it.
                    connected = True
                    seen.append(await self.get(task_id))
                    if seen[-1].status.is_final:
                        return seen[-1]
                change = common.step(event, task_id)
                if change == "deleted":
                    raise NotFound(f"Job {task_id} was deleted", 404)
                if change == "reload":
                    change = await self.get(task_id)
                if isinstance(change, TaskOut):
                    seen.append(change)
                    if change.status.is_final:
                        return change
        return None  # the server ended the stream (it is stopping)
