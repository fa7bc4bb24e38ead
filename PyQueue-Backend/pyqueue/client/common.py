"""What the synchronous and the asynchronous client share: URLs, headers, request bodies built
and checked with the server's own schemas, error answers turned into exceptions, and how an event
of the stream moves a :meth:`wait` along. No I/O here."""

from __future__ import annotations

import json
import math
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Literal, TypeVar
from urllib.parse import quote, urlsplit

import httpx2 as httpx
from pydantic import BaseModel, ValidationError

from pyqueue.client.errors import (
    ClientError,
    ConnectionFailed,
    ValidationFailed,
    WaitTimeout,
    error_for,
)
from pyqueue.enums import TaskStatus
from pyqueue.schemas.task import BatchEnqueueRequest, EnqueueRequest, TaskOut
from pyqueue.version import __version__

DEFAULT_URL = "http://127.0.0.1:8000"
"""Where ``pyqueue serve`` listens by default (``PYQUEUE_HOST``, ``PYQUEUE_PORT``)."""
DEFAULT_TIMEOUT = 10.0
"""Seconds to connect, and to wait for each answer."""
STREAM_READ_TIMEOUT = 60.0
"""Seconds the event stream may stay silent before it counts as broken (the server sends a
keep-alive every 15 s)."""
MAX_EVENT_BYTES = 16 * 1024 * 1024
"""The largest event read from the stream (an event carries a task: payload and result)."""

Order = Literal["asc", "desc"]
M = TypeVar("M", bound=BaseModel)


@dataclass(frozen=True)
class Page:
    """One page of :meth:`Client.page`: its tasks, how many match the filters in all, and the
    ``cursor`` of the next page (the server's ``X-Next-Cursor``: on a full page, from servers that
    page by key)."""

    tasks: list[TaskOut]
    total: int
    next_cursor: str | None = None


def base_url(url: str) -> str:
    """``url`` without a trailing ``/`` or ``/api``; only ``http`` and ``https``."""
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ValueError(f"the server URL must look like {DEFAULT_URL}, not {url!r}")
    if parts.query or parts.fragment:
        raise ValueError(f"the server URL must not have a query or fragment: {url!r}")
    path = parts.path.rstrip("/").removesuffix("/api")
    return f"{parts.scheme}://{parts.netloc}{path}"


def headers(token: str | None) -> dict[str, str]:
    """Request headers; the token as ``Authorization: Bearer …`` (never in a URL, never logged)."""
    values = {"User-Agent": f"pyqueue-client/{__version__}", "Accept": "application/json"}
    if token is not None:
        token = token.strip()
        if not token or any(c.isspace() or not c.isprintable() for c in token):
            raise ValueError("the token must be printable text without spaces")
        values["Authorization"] = f"Bearer {token}"
    return values


def timeout(seconds: float | None) -> httpx.Timeout:
    if seconds is not None and not (math.isfinite(seconds) and seconds > 0):
        raise ValueError(f"timeout must be a positive number of seconds (or None), not {seconds}")
    return httpx.Timeout(seconds)


def stream_timeout(seconds: float | None) -> httpx.Timeout:
    return httpx.Timeout(seconds, read=STREAM_READ_TIMEOUT)


def describe(exc: ValidationError) -> str:
    """A pydantic error as the server words it: ``field: problem; …``."""
    parts = []
    for error in exc.errors():
        where = ".".join(str(p) for p in error["loc"]) or "request"
        message = str(error["msg"]).removeprefix("Value error, ")
        if error["type"] == "extra_forbidden":
            message = "unknown field"
        parts.append(f"{where}: {message}")
    return "; ".join(parts) or "invalid request"


def _refused(exc: ValidationError) -> ValidationFailed:
    errors = [{k: e.get(k) for k in ("type", "loc", "msg")} for e in exc.errors()]
    return ValidationFailed(describe(exc), status=None, errors=errors)


def enqueue_body(t_type: str, payload: Any, options: Mapping[str, Any]) -> dict[str, Any]:
    """The ``POST /api/enqueue`` body, checked with the server's :class:`EnqueueRequest` first:
    every field it has (``priority``, ``delay_seconds``, ``run_at``, ``max_retries``, …) passes
    through; a bad one raises :class:`ValidationFailed` and nothing is sent."""
    try:
        request = EnqueueRequest.model_validate({**options, "t_type": t_type, "payload": payload})
    except ValidationError as exc:
        raise _refused(exc) from None
    body: dict[str, Any] = request.model_dump(mode="json", exclude_unset=True)
    return body


def batch_body(items: Iterable[EnqueueRequest | Mapping[str, Any]]) -> dict[str, Any]:
    """The ``POST /api/enqueue/batch`` body: each item a request or a mapping of its fields
    (``payload`` defaults to ``None``, as in :meth:`Client.enqueue`)."""
    tasks = [
        item.model_dump(exclude_unset=True)
        if isinstance(item, EnqueueRequest)
        else {"payload": None, **item}
        for item in items
    ]
    try:
        request = BatchEnqueueRequest.model_validate({"tasks": tasks})
    except ValidationError as exc:
        raise _refused(exc) from None
    body: dict[str, Any] = request.model_dump(mode="json", exclude_unset=True)
    return body


def task_path(task_id: str, suffix: str = "") -> str:
    if not isinstance(task_id, str) or not task_id:
        raise ValidationFailed(f"a task id must be a non-empty string, not {task_id!r}", None)
    return f"/api/jobs/{quote(task_id, safe='')}{suffix}"


def list_params(
    status: TaskStatus | str | None,
    t_type: str | None,
    limit: int,
    offset: int,
    order: Order,
    cursor: str | None = None,
) -> dict[str, str | int]:
    params: dict[str, str | int] = {"limit": limit, "offset": offset, "order": order}
    if cursor:
        params["cursor"] = cursor
    if status:
        params["status"] = str(status)
    if t_type:
        params["type"] = t_type
    return params


def body_of(response: httpx.Response) -> Any:
    try:
        return response.json()
    except (ValueError, UnicodeDecodeError):
        return None


def check(response: httpx.Response) -> None:
    """Raise the :mod:`~pyqueue.client.errors` exception for an error answer."""
    if response.is_success:
        return
    fallback = f"{response.status_code} {response.reason_phrase}".strip()
    raise error_for(response.status_code, body_of(response), fallback)


def parse(model: type[M], response: httpx.Response) -> M:
    check(response)
    try:
        return model.model_validate_json(response.content)
    except ValidationError as exc:
        raise ClientError(
            f"unexpected answer from {response.request.url.path}: {describe(exc)}",
            response.status_code,
        ) from None


def parse_tasks(response: httpx.Response) -> Page:
    check(response)
    body = body_of(response)
    if not isinstance(body, list):
        raise ClientError("unexpected answer: a list of tasks was expected", response.status_code)
    tasks = [TaskOut.model_validate(item) for item in body]
    total = response.headers.get("x-total-count", "")
    cursor = response.headers.get("x-next-cursor") or None
    return Page(tasks, int(total) if total.isdigit() else len(tasks), cursor)


class Pager:
    """Where :meth:`Client.jobs` is: the next page's ``cursor`` when the server gives one (keyset
    paging: nothing shifts, as fast deep as near the top), else its ``offset``."""

    def __init__(self, page_size: int, limit: int | None) -> None:
        if page_size < 1:
            raise ValueError(f"page_size must be at least 1, not {page_size}")
        self.page_size = page_size
        self.limit = limit
        self.offset = 0
        self.cursor: str | None = None
        self.seen: set[str] = set()
        self.done = limit is not None and limit <= 0

    def fresh(self, page: Page) -> list[TaskOut]:
        """The page's tasks not given yet (an offset page may repeat one), within the limit;
        moves past the page."""
        tasks = []
        for task in page.tasks:
            if task.id not in self.seen:
                self.seen.add(task.id)
                tasks.append(task)
        if self.limit is not None:
            tasks = tasks[: max(0, self.limit - (len(self.seen) - len(tasks)))]
            self.done = len(self.seen) >= self.limit
        if len(page.tasks) < self.page_size:
            self.done = True
        elif page.next_cursor:
            self.cursor, self.offset = page.next_cursor, 0
        else:
            self.offset += len(page.tasks)
            self.done = self.done or self.offset >= page.total
        return tasks


def unreachable(url: str, exc: httpx.TransportError) -> ConnectionFailed:
    if isinstance(exc, httpx.TimeoutException):
        return ConnectionFailed(f"no answer from {url} in time ({type(exc).__name__})")
    reason = str(exc) or type(exc).__name__
    return ConnectionFailed(f"cannot reach {url}: {reason}")


def deadline_of(timeout: float | None) -> float | None:
    if timeout is None:
        return None
    if not (math.isfinite(timeout) and timeout >= 0):
        raise ValueError(f"timeout must be a number of seconds >= 0 (or None), not {timeout}")
    return time.monotonic() + timeout


def remaining(deadline: float | None) -> float | None:
    return None if deadline is None else max(0.0, deadline - time.monotonic())


def is_event_stream(response: httpx.Response) -> bool:
    kind = response.headers.get("content-type", "").partition(";")[0].strip().lower()
    return response.is_success and kind == "text/event-stream"


Step = Literal["reload", "deleted"] | TaskOut | None


def step(event: httpx.ServerSentEvent, task_id: str) -> Step:
    """What one stream event means for a wait on ``task_id``: its new state, ``"deleted"``,
    ``"reload"`` (the stream lost track: cleared, or resync) or ``None`` (not about it)."""
    if event.event != "task" or not event.data:
        return None
    try:
        data = json.loads(event.data)
    except ValueError:
        return "reload"
    kind = data.get("kind") if isinstance(data, dict) else None
    if kind == "updated":
        task = data.get("task")
        if isinstance(task, dict) and task.get("id") == task_id:
            try:
                return TaskOut.model_validate(task)
            except ValidationError:
                return "reload"  # read it with GET, which says what is wrong with it
        return None
    if kind == "deleted":
        return "deleted" if data.get("id") == task_id else None
    if kind in ("cleared", "resync"):
        return "reload"
    return None  # a kind this client does not know says nothing it needs


def timed_out(task_id: str, timeout: float | None, last: TaskOut | None) -> WaitTimeout:
    state = f"; it is {last.status}" if last is not None else ""
    return WaitTimeout(f"Job {task_id} did not finish within {timeout} s{state}", last)
