"""FastAPI dependencies: the Queue and settings from ``app.state``, and the token check."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from typing import Annotated, Any, Literal, TypeVar

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


Role = Literal["admin", "readonly"]
READS = frozenset({"GET", "HEAD", "OPTIONS"})
"""Methods a read-only token may use (every other one changes something)."""


def token_role(request: Request, settings: Settings) -> Role | None:
    """The role of the request's bearer token: ``admin`` (``PYQUEUE_API_TOKEN``, or anyone when
    no token is configured), ``readonly`` (``PYQUEUE_READONLY_TOKEN``), or ``None`` (no valid
    token). Tokens are compared in constant time."""
    if settings.api_token is None:
        return "admin"
    header = request.headers.get("authorization", "")
    scheme, _, given = header.partition(" ")
    if scheme.lower() != "bearer" or not given.strip():
        return None
    presented = given.strip().encode()
    admin = secrets.compare_digest(presented, settings.api_token.get_secret_value().encode())
    readonly = settings.readonly_token is not None and secrets.compare_digest(
        presented, settings.readonly_token.get_secret_value().encode()
    )
    if admin:
        return "admin"
    return "readonly" if readonly else None


async def require_token(request: Request, settings: SettingsDep) -> Role:
    """With ``PYQUEUE_API_TOKEN`` set, ``Authorization: Bearer <token>`` is required, on every
    route (the event stream too: the dashboard reads it with ``fetch``). A token in the URL is
    never accepted: URLs end up in access logs, proxies and browser history.

    ``PYQUEUE_READONLY_TOKEN`` may read (GET, the event stream, the metrics); any other method
    answers 403. The role is kept in ``request.state.role`` (the audit log records it)."""
    role = token_role(request, settings)
    if role is None:
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED,
            detail="A valid API token is required: send 'Authorization: Bearer <token>'",
            headers={"WWW-Authenticate": "Bearer"},
        )
    request.state.role = role
    if role == "readonly" and request.method not in READS:
        raise HTTPException(
            status.HTTP_403_FORBIDDEN,
            detail="This token is read-only: changes need the admin token (PYQUEUE_API_TOKEN)",
        )
    return role


RoleDep = Annotated[Role, Depends(require_token)]


async def require_admin(role: RoleDep) -> Role:
    """Routes that reveal more than task data (the audit log) need the admin token."""
    if role != "admin":
        raise HTTPException(
            status.HTTP_403_FORBIDDEN,
            detail="This needs the admin token (PYQUEUE_API_TOKEN); a read-only token may not",
        )
    return role
