"""An ASGI guard against cross-site requests to the API's mutating routes.

A browser sends a "simple" cross-origin request (a form post, or ``fetch`` with a ``text/plain``
body) without asking first, so without a token any web page could clear the queue. For ``POST``,
``PUT``, ``PATCH`` and ``DELETE`` under ``/api`` the guard therefore refuses

- an ``Origin`` that is present and is neither the server's own (the request's scheme and ``Host``)
  nor one of ``FRONTEND_ORIGIN`` (``*`` there allows every origin): 403;
- a body whose ``Content-Type`` is not JSON (``application/json`` or ``application/*+json``), or a
  body without one: 415. A request with neither a body nor a content type (``curl -X POST``) passes.

A browser cannot send a JSON content type across origins without a CORS preflight, which only the
allowed origins pass; programs that send no ``Origin`` are not affected.
"""

from __future__ import annotations

from collections.abc import Iterable

from starlette.types import ASGIApp, Receive, Scope, Send

from pyqueue.api.errors import send_error

MUTATING = frozenset({"POST", "PUT", "PATCH", "DELETE"})
_DEFAULT_PORTS = {"http": ":80", "https": ":443"}


def normalize_origin(origin: str) -> str:
    """``scheme://host[:port]`` in lower case, without a trailing slash or the default port."""
    origin = origin.strip().rstrip("/").lower()
    scheme, _, host = origin.partition("://")
    default_port = _DEFAULT_PORTS.get(scheme)
    if default_port and host.endswith(default_port):
        origin = origin[: -len(default_port)]
    return origin


def is_json(content_type: bytes) -> bool:
    media_type = content_type.partition(b";")[0].strip().lower()
    return media_type == b"application/json" or (
        media_type.startswith(b"application/") and media_type.endswith(b"+json")
    )


class CrossSiteGuard:
    def __init__(self, app: ASGIApp, allowed_origins: Iterable[str], prefix: str = "/api") -> None:
        self.app = app
        self.allowed = frozenset(normalize_origin(o) for o in allowed_origins)
        self.allow_all = "*" in self.allowed
        self.prefix = prefix.rstrip("/")

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] != "http"
            or scope["method"] not in MUTATING
            or not _under(scope["path"], self.prefix)
        ):
            await self.app(scope, receive, send)
            return
        origin = host = content_type = None
        has_body = False
        for name, value in scope["headers"]:
            if name == b"origin":
                origin = value
            elif name == b"host":
                host = value
            elif name == b"content-type":
                content_type = value
            elif name == b"content-length":
                has_body = value.strip() not in (b"", b"0")
            elif name == b"transfer-encoding":
                has_body = True
        if origin is not None and not self._allowed(origin, scope["scheme"], host):
            shown = origin.decode("latin-1")[:200]
            await send_error(
                send,
                403,
                f"Cross-site request refused: the origin {shown!r} is neither this server's "
                "nor listed in FRONTEND_ORIGIN",
            )
            return
        if content_type is not None and not is_json(content_type):
            shown = content_type.decode("latin-1")[:200]
            await send_error(send, 415, f"Content-Type must be application/json, not {shown!r}")
            return
        if content_type is None and has_body:
            await send_error(send, 415, "A request body needs Content-Type: application/json")
            return
        await self.app(scope, receive, send)

    def _allowed(self, origin: bytes, scheme: str, host: bytes | None) -> bool:
        if self.allow_all:
            return True
        given = normalize_origin(origin.decode("latin-1"))
        if host is not None and given == normalize_origin(f"{scheme}://{host.decode('latin-1')}"):
            return True
        return given in self.allowed


def _under(path: str, prefix: str) -> bool:
    return path.startswith(prefix) and (len(path) == len(prefix) or path[len(prefix)] == "/")
