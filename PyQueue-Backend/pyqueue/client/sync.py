"""The synchronous client: :class:`Client`."""

from __future__ import annotations

import asyncio
import concurrent.futures
import time
from collections.abc import Coroutine, Iterable, Iterator, Mapping
from types import TracebackType
from typing import Any, Self, TypeVar

import httpx2 as httpx

from pyqueue.client import common
from pyqueue.client.aio import AsyncClient
from pyqueue.client.common import DEFAULT_TIMEOUT, DEFAULT_URL, Order, Page
from pyqueue.enums import TaskStatus
from pyqueue.schemas.task import DeletedOut, EnqueueRequest, StatsOut, TaskOut, TaskTypeOut

T = TypeVar("T")


class Client:
    """A PyQueue server over HTTP::

        with Client("http://127.0.0.1:8000", token=os.environ.get("PYQUEUE_TOKEN")) as client:
            task = client.enqueue("EMAIL", {"to": "ada@example.com"}, priority=5)
            done = client.wait(task.id, timeout=60)

    Answers are the server's own schemas (:class:`TaskOut`, :class:`StatsOut`, …); an error
    answer raises the :mod:`pyqueue.client.errors` class for its status, with the server's message.
    """

    def __init__(
        self,
        url: str = DEFAULT_URL,
        token: str | None = None,
        timeout: float | None = DEFAULT_TIMEOUT,
    ) -> None:
        self.url = common.base_url(url)
        self.timeout = timeout
        self._token = token
        self._http = httpx.Client(
            base_url=self.url, headers=common.headers(token), timeout=common.timeout(timeout)
        )

    def __repr__(self) -> str:
        return f"Client({self.url!r})"  # never the token

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        self._http.close()

    def _send(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        try:
            return self._http.request(method, path, **kwargs)
        except httpx.TransportError as exc:
            raise common.unreachable(self.url, exc) from None

    def enqueue(self, t_type: str, payload: Any = None, **options: Any) -> TaskOut:
        """Enqueue one task; ``options`` are the other fields of the server's enqueue request
        (``priority``, ``delay_seconds``, ``run_at``, ``max_retries``, …), checked with its schema
        before sending: a bad one raises :class:`ValidationFailed` and nothing is sent."""
        body = common.enqueue_body(t_type, payload, options)
        return common.parse(TaskOut, self._send("POST", "/api/enqueue", json=body))

    def enqueue_many(self, items: Iterable[EnqueueRequest | Mapping[str, Any]]) -> list[TaskOut]:
        """Enqueue up to 1000 tasks at once, all or none; each item is an
        :class:`EnqueueRequest` or a mapping of its fields (``t_type``, ``payload``, …)."""
        body = common.batch_body(items)
        return common.parse_tasks(self._send("POST", "/api/enqueue/batch", json=body)).tasks

    def get(self, task_id: str) -> TaskOut:
        return common.parse(TaskOut, self._send("GET", common.task_path(task_id)))

    def page(
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
        return common.parse_tasks(self._send("GET", "/api/jobs", params=params))

    def jobs(
        self,
        status: TaskStatus | str | None = None,
        t_type: str | None = None,
        *,
        page_size: int = 100,
        order: Order = "desc",
        limit: int | None = None,
    ) -> Iterator[TaskOut]:
        """Every task that matches (at most ``limit``), fetching one page after another: by
        the server's cursor (nothing shifts while it pages), or by offset from a server without
        one (a task pushed onto the next page by a new one is not given twice; one deleted
        meanwhile may let another slip onto a page already read)."""
        pager = common.Pager(page_size, limit)
        while not pager.done:
            page = self.page(
                status,
                t_type,
                limit=page_size,
                offset=pager.offset,
                order=order,
                cursor=pager.cursor,
            )
            yield from pager.fresh(page)

    def retry(self, task_id: str) -> TaskOut:
        """A FAILED or CANCELLED task back to QUEUED (409 :class:`Conflict` otherwise)."""
        return common.parse(TaskOut, self._send("POST", common.task_path(task_id, "/retry")))

    def cancel(self, task_id: str) -> TaskOut:
        return common.parse(TaskOut, self._send("POST", common.task_path(task_id, "/cancel")))

    def delete(self, task_id: str) -> DeletedOut:
        return common.parse(DeletedOut, self._send("DELETE", common.task_path(task_id)))

    def stats(self) -> StatsOut:
        return common.parse(StatsOut, self._send("GET", "/api/stats"))

    def types(self) -> list[TaskTypeOut]:
        response = self._send("GET", "/api/types")
        common.check(response)
        return [TaskTypeOut.model_validate(item) for item in response.json()]

    def wait(
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
            # The stream is read with asyncio, whose timeout ends a silent read at the deadline
            # (a blocking read cannot be interrupted); a loop of its own, on its own connection.
            found = _run(self._wait_events(task_id, deadline, timeout))
            if found is not None:
                return found
        while True:
            last = self.get(task_id)
            if last.status.is_final:
                return last
            left = common.remaining(deadline)
            if left == 0:
                raise common.timed_out(task_id, timeout, last)
            time.sleep(poll_interval if left is None else min(poll_interval, left))

    async def _wait_events(
        self, task_id: str, deadline: float | None, timeout: float | None
    ) -> TaskOut | None:
        async with AsyncClient(self.url, self._token, self.timeout) as client:
            return await client._wait_events(task_id, deadline, timeout)


def _run(coroutine: Coroutine[Any, Any, T]) -> T:
    """Run ``coroutine`` to its end: here, or on a thread when this one already runs a loop."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(coroutine)
    with concurrent.futures.ThreadPoolExecutor(1, thread_name_prefix="pyqueue-wait") as pool:
        return pool.submit(asyncio.run, coroutine).result()
