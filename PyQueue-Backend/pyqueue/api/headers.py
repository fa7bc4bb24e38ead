"""Security headers on every answer (pure ASGI): the dashboard, ``/docs``, ``/redoc`` and the API.

The Content-Security-Policy allows no inline script and no script from elsewhere: the built
dashboard loads its bundle from a file, and the docs pages load theirs and their start-up script
from ``/docs/assets`` and ``/docs/swagger-init.js`` (see ``api/pages.py``). Styles may be inline
(Swagger UI and ReDoc set them at run time); images and fonts may be ``data:`` URLs (their icons).
ReDoc runs its search in a worker made from a ``blob:`` URL. ``frame-ancestors 'none'`` forbids
framing (clickjacking); ``nosniff`` stops browsers guessing a script out of a JSON answer; no
referrer leaves the dashboard. Headers a route set itself are kept.
"""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

CONTENT_SECURITY_POLICY = "; ".join(
    (
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data:",
        "font-src 'self' data:",
        "connect-src 'self'",
        "worker-src 'self' blob:",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    )
)

HEADERS = (
    (b"content-security-policy", CONTENT_SECURITY_POLICY.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"x-frame-options", b"DENY"),
)
NAMES = frozenset(name for name, _ in HEADERS)


class SecurityHeaders:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", ()))
                if any(name.lower() in NAMES for name, _ in headers):  # the route set some
                    present = {name.lower() for name, _ in headers}
                    headers += [(name, value) for name, value in HEADERS if name not in present]
                else:
                    headers += HEADERS
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, with_headers)
