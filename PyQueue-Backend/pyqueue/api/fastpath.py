"""``POST /api/enqueue`` (and ``/api/enqueue/batch``) answered without FastAPI's per-request
machinery, when nothing is unusual.

The enqueue route is the one a producer calls once per task, so its fixed cost per request is the
API's throughput. FastAPI spends most of that cost around the route rather than in it: walking the
included routers twice to select the route, solving the route's dependencies (the queue, the token,
the settings) for each request, and validating the answer it is handed. :class:`EnqueueRoute` sits
first in the app's routes and answers the *plain* request itself: an admin (or no token
configured), a JSON body that is a valid :class:`~pyqueue.schemas.task.EnqueueRequest`. It does what
the FastAPI route does, in the same order and with the same schemas and mappers, and answers the
same bytes and headers (``tests/api/test_enqueue_fast_path.py`` holds the two side by side).

A batch costs FastAPI little per request but much per task: it parses the body with ``json.loads``
and validates the objects made, then serializes each answered task to Python objects and those with
``json.dumps``. :class:`BatchEnqueueRoute` parses and validates the JSON in one step and writes the
answer as JSON in one step, the same schemas either way: about 13 of the 41 µs a task of a batch of
100 cost here (measured piece by piece).

Anything else is handed to the FastAPI route, with the body it already read: a missing or
read-only token, a body that is not JSON or does not validate. So every refusal, and its message,
is FastAPI's own, made in one place. The middlewares (metrics, security headers, CORS, body size,
cross-site guard, audit) run around both alike: this is a route, not a middleware. The OpenAPI
document still describes the FastAPI route; this one is not in the schema.

An error of the queue itself (a store that is down, an unknown type, a payload too large) is raised
as the route would raise it, to the app's exception handlers, which answer it the same way.
"""

from __future__ import annotations

from typing import Any, TypeVar

from pydantic import BaseModel, TypeAdapter
from starlette._utils import get_route_path
from starlette.requests import Request
from starlette.routing import BaseRoute, Match
from starlette.types import Message, Receive, Scope, Send

from pyqueue.api.csrf import is_json
from pyqueue.api.deps import call, token_role
from pyqueue.config import Settings
from pyqueue.schemas import mappers
from pyqueue.schemas.task import BatchEnqueueRequest, BatchItemOut, EnqueueRequest, TaskOut
from pyqueue.system.queue import Queue

PATH = "/api/enqueue"
BATCH_PATH = "/api/enqueue/batch"
SKIP = "pyqueue.fastpath.skip"
"""Set in the scope of a request handed on, so that the second routing pass selects FastAPI's."""

_TASK_OUT: TypeAdapter[TaskOut] = TypeAdapter(TaskOut)
_ITEMS_OUT: TypeAdapter[list[BatchItemOut]] = TypeAdapter(list[BatchItemOut])
_JSON = b"application/json"
M = TypeVar("M", bound=BaseModel)


class EnqueueRoute(BaseRoute):
    """The plain ``POST /api/enqueue`` (see the module); everything else goes on to FastAPI."""

    path = PATH
    """The route's template, as the request metrics label it (the FastAPI route's own)."""

    def matches(self, scope: Scope) -> tuple[Match, Scope]:
        if (
            scope["type"] == "http"
            and scope["method"] == "POST"
            and SKIP not in scope
            and get_route_path(scope) == self.path
        ):
            return Match.FULL, {"route": self}
        return Match.NONE, {}

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        body, more = await _read_body(receive)
        if more is None:  # the client went away
            return
        answer = await self._answer(scope, body)
        if answer is None:
            await _hand_on(scope, body, send)
            return
        status, headers, content = answer
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": content})

    @staticmethod
    async def _answer(
        scope: Scope, body: bytes
    ) -> tuple[int, list[tuple[bytes, bytes]], bytes] | None:
        """The answer to a plain request, or None to hand it on."""
        plain = _plain(scope, body, EnqueueRequest)
        if plain is None:
            return None
        queue, request = plain
        entry = (await call(queue, queue.submit_many, [mappers.request_to_new_task(request)]))[0]
        content = _TASK_OUT.dump_json(_TASK_OUT.validate_python(mappers.task_fields(entry.task)))
        headers = [
            (b"content-length", str(len(content)).encode()),
            (b"content-type", _JSON),
            (b"location", f"/api/jobs/{entry.task.t_id}".encode()),
        ]
        return (201 if entry.created else 200), headers, content


class BatchEnqueueRoute(EnqueueRoute):
    """The plain ``POST /api/enqueue/batch``, as :class:`EnqueueRoute` answers one task."""

    path = BATCH_PATH

    @staticmethod
    async def _answer(
        scope: Scope, body: bytes
    ) -> tuple[int, list[tuple[bytes, bytes]], bytes] | None:
        plain = _plain(scope, body, BatchEnqueueRequest)
        if plain is None:
            return None
        queue, request = plain
        new = [mappers.request_to_new_task(item) for item in request.tasks]
        entries = await call(queue, queue.submit_many, new)
        items = [mappers.enqueued_to_item(entry) for entry in entries]
        content = _ITEMS_OUT.dump_json(_ITEMS_OUT.validate_python(items))
        headers = [(b"content-length", str(len(content)).encode()), (b"content-type", _JSON)]
        return (201 if any(entry.created for entry in entries) else 200), headers, content


def _plain(scope: Scope, body: bytes, model: type[M]) -> tuple[Queue, M] | None:
    """The queue and the request's body as ``model``, when the request is plain: a JSON body that
    validates, and the admin token (or none configured); None to hand it on."""
    app = scope["app"]
    settings: Settings = app.state.settings
    queue: Queue | None = getattr(app.state, "queue", None)
    if queue is None or not _json_body(scope, body):
        return None
    if settings.api_token is not None and token_role(Request(scope), settings) != "admin":
        return None
    try:  # in JSON mode, as FastAPI validates what json.loads made of the body
        request = model.model_validate_json(body)
    except (ValueError, RecursionError):  # a ValidationError too: FastAPI says why
        return None
    scope.setdefault("state", {})["role"] = "admin"
    return queue, request


def _json_body(scope: Scope, body: bytes) -> bool:
    """A non-empty body that says it is JSON (FastAPI's other cases are left to FastAPI)."""
    if not body:
        return False
    for name, value in scope["headers"]:
        if name == b"content-type":
            return is_json(value)
    return False


async def _read_body(receive: Receive) -> tuple[bytes, bool | None]:
    """The whole request body; ``None`` as the second item when the client disconnected."""
    chunks = []
    while True:
        message = await receive()
        if message["type"] != "http.request":
            return b"", None
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            return b"".join(chunks), False


async def _hand_on(scope: Scope, body: bytes, send: Send) -> None:
    """Route the request again, past this route, with ``body`` as what it receives."""
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if sent:
            return {"type": "http.disconnect"}
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    scope[SKIP] = True
    router: Any = scope["router"]
    await router.app(scope, replay, send)
