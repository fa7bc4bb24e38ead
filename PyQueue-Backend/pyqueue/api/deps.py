"""FastAPI dependencies: the Queue and settings from ``app.state``, and the token check."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from typing import Annotated, Any, TypeVar

from anyio import to_thread
from fastapi import Depends, HTTPException, Request, status

from pyqueue.config import Settings
from pyqueue.system.queue import Queue

T = TypeVar("T")


# The dependencies are ``async def`` although they never await: FastAPI runs a plain ``def``
# dependency on a worker thread, a hop that costs more than the whole enqueue route.


async def get_queue(request: Request) -> Queue:
    queue: Queue = request.app.state.queue
    return queue


async def get_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


QueueDep = Annotated[Queue, Depends(get_queue)]
SettingsDep = Annotated[Settings, Depends(get_settings)]


async def call(queue: Queue, func: Callable[..., T], *args: Any) -> T:
    """Run a Queue operation: inline when the store is in memory, else on a worker thread."""
    if queue.blocking:
        return await to_thread.run_sync(func, *args)
    return func(*args)


async def require_token(request: Request, settings: SettingsDep) -> None:
    """With ``PYQUEUE_API_TOKEN`` set, ``Authorization: Bearer <token>`` is required, on every
    route (the event stream too: the dashboard reads it with ``fetch``). A token in the URL is
    never accepted: URLs end up in access logs, proxies and browser history."""
    if settings.api_token is None:
        return
    expected = settings.api_token.get_secret_value().encode()
    header = request.headers.get("authorization", "")
    scheme, _, given = header.partition(" ")
    if scheme.lower() != "bearer":
        given = ""
    if not given or not secrets.compare_digest(given.strip().encode(), expected):
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED,
            detail="A valid API token is required: send 'Authorization: Bearer <token>'",
            headers={"WWW-Authenticate": "Bearer"},
        )
