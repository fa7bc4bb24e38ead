"""The audit log: every change made through the API, recorded in one place.

A route opts in with one line, ``dependencies=[audited("retry")]`` in its decorator. The dependency
leaves an :class:`AuditNote` on the request (the action, and as target the route's path parameters
and query filters); :class:`AuditRecorder`, a pure-ASGI middleware, holds that route's answer back,
and when it is a 2xx writes the entry (time, role, client address, action, target, count) to the
store *before* the answer leaves, so a client that sees the answer finds the entry. A refused change
(4xx/5xx) records nothing. The count is the note's ``count`` when the route set it, else the
answer's ``count``, ``removed`` or ``succeeded`` field, else 1; a route without parameters or
filters (one that creates something) gets the answer's ``id`` as its target. A route that knows
better (``bulk``) takes the note as a parameter and sets ``action``, ``target`` or ``count``.

An audit write that fails is logged and the answer still sent: the change itself was made.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from typing import Any

from fastapi import Depends, Request
from fastapi.dependencies.models import Dependant
from fastapi.params import Depends as DependsParam
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from pyqueue.api.deps import READS, call
from pyqueue.errors import PyQueueError
from pyqueue.models.audit import AuditEntry
from pyqueue.models.task import utcnow
from pyqueue.system.queue import Queue

logger = logging.getLogger("pyqueue.api")

NOTE = "pyqueue_audit"
"""The key of the note in the request's state."""
COUNT_FIELDS = ("count", "removed", "succeeded")


@dataclass(slots=True)
class AuditNote:
    action: str
    target: str
    count: int | None = None


def _query_names(dependant: Dependant | None) -> set[str]:
    """The query parameters a route declares, its dependencies' included."""
    if dependant is None:
        return set()
    names = {param.alias for param in dependant.query_params}
    for sub in dependant.dependencies:
        names |= _query_names(sub)
    return names


def describe_target(request: Request) -> str:
    """The route's path parameters (a task id) and the query filters it declares, e.g.
    ``status=FAILED`` (validated, like the path, before the route runs). A parameter the route
    does not know is ignored by it, so it is left out here too: its text was never checked."""
    known = _query_names(getattr(request.scope.get("route"), "dependant", None))
    parts = [str(value) for value in request.path_params.values()]
    parts += [
        f"{key}={value}" for key, value in sorted(request.query_params.items()) if key in known
    ]
    return " ".join(parts) or "*"


def audited(action: str) -> Any:
    """The dependency that marks a route's successful answers for the audit log as ``action``.
    Use ``dependencies=[audited("pause")]``, or ``note: Annotated[AuditNote, audited("x")]`` to
    refine the entry in the route."""

    async def note(request: Request) -> AuditNote:
        made = AuditNote(action, describe_target(request))
        setattr(request.state, NOTE, made)
        return made

    note.__name__ = f"audit_{action.replace('-', '_')}"
    depends: DependsParam = Depends(note)
    return depends


def _answer(body: bytes) -> object:
    try:
        return json.loads(body) if body else None
    except ValueError:
        return None


def count_of(note: AuditNote, answer: object) -> int:
    """The note's count, else the answer's ``count``, ``removed`` or ``succeeded``, else 1."""
    if note.count is not None:
        return note.count
    if isinstance(answer, dict):
        for field in COUNT_FIELDS:
            value = answer.get(field)
            if isinstance(value, int) and not isinstance(value, bool):
                return value
    return 1


def target_of(note: AuditNote, answer: object) -> str:
    """The note's target; when the route had neither parameters nor filters (``*``), the id of
    what it created (its answer's ``id``)."""
    if note.target == "*" and isinstance(answer, dict) and isinstance(answer.get("id"), str):
        return str(answer["id"])
    return note.target


class AuditRecorder:
    """Records the changes that routes marked with :func:`audited` made (see the module)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] in READS:
            await self.app(scope, receive, send)
            return
        state: dict[str, Any] = scope.setdefault("state", {})
        held: list[Message] = []

        async def hold(message: Message) -> None:
            if message["type"] == "http.response.start":
                note = state.get(NOTE)
                if note is None or not 200 <= message["status"] < 300:
                    held.clear()
                    await send(message)
                    return
                held.append(message)
                return
            if not held:
                await send(message)
                return
            held.append(message)
            if message["type"] == "http.response.body" and not message.get("more_body"):
                body = b"".join(m.get("body", b"") for m in held[1:])
                await self._record(scope, state, state[NOTE], body)
                for kept in held:
                    await send(kept)
                held.clear()

        await self.app(scope, receive, hold)

    @staticmethod
    async def _record(scope: Scope, state: dict[str, Any], note: AuditNote, body: bytes) -> None:
        queue: Queue | None = getattr(scope["app"].state, "queue", None)
        if queue is None:
            return
        client = scope.get("client")
        answer = _answer(body)
        entry = AuditEntry(
            at=utcnow(),
            role=str(state.get("role", "admin")),
            client=str(client[0]) if client else "unknown",
            action=note.action,
            target=target_of(note, answer),
            count=count_of(note, answer),
        )
        try:
            await call(queue, queue.record_audit, entry)
        except PyQueueError as exc:
            logger.error(
                "Could not write the audit entry %s %s: %s", entry.action, entry.target, exc
            )
