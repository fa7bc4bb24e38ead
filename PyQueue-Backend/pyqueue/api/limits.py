"""An ASGI guard that refuses request bodies over a byte limit with 413, before they are parsed.

A body announced larger than the limit (``Content-Length``) is refused before the app runs, and one
announced within it passes untouched (HTTP framing holds the body to its declared length); one sent
without a length (chunked) is counted as the app reads it and refused once it passes the limit,
whatever the app would have answered. Either way the guard first reads and discards what the client
still sends, up to ``drain_bytes``: a client that writes its whole body before reading the answer
(urllib, requests) would otherwise see the connection reset instead of the 413. A body larger even
than that is not read, and its connection is closed; so is nothing read from a client that waits
for the answer before it sends (``Expect: 100-continue``, as curl does).
"""

from __future__ import annotations

import contextlib

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from pyqueue.api.errors import send_error


class BodyTooLarge(Exception):
    pass


class BodySizeLimit:
    def __init__(self, app: ASGIApp, max_bytes: int, drain_bytes: int | None = None) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.drain_bytes = 4 * max_bytes if drain_bytes is None else drain_bytes
        self._detail = f"Request body is larger than the limit of {max_bytes} bytes"

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared, expects_continue = _body_headers(scope)
        if declared is not None and declared > self.max_bytes:
            if declared <= self.drain_bytes and not expects_continue:
                await self._drain(receive, 0)
            await self._refuse(send)
            return
        if declared is not None:  # the server delivers exactly the declared length: no counting
            await self.app(scope, receive, send)
            return
        seen = 0
        more = True
        overflow = False
        started = False

        async def counting_receive() -> Message:
            nonlocal seen, more, overflow
            if overflow:  # the app asks again after the overflow: it gets nothing more
                return {"type": "http.disconnect"}
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                more = message.get("more_body", False)
                if seen > self.max_bytes:
                    overflow = True
                    raise BodyTooLarge
            return message

        async def guarded_send(message: Message) -> None:
            nonlocal started
            if overflow:  # the app's answer to the overflow (FastAPI: a 400) is replaced
                return
            started = started or message["type"] == "http.response.start"
            await send(message)

        with contextlib.suppress(BodyTooLarge):  # unless the app turned it into an answer
            await self.app(scope, counting_receive, guarded_send)
        if overflow and not started:
            if more:
                await self._drain(receive, seen)
            await self._refuse(send)

    async def _drain(self, receive: Receive, seen: int) -> None:
        """Read and discard the rest of the body, up to ``drain_bytes`` in all."""
        while seen <= self.drain_bytes:
            message = await receive()
            if message["type"] != "http.request":
                return
            seen += len(message.get("body", b""))
            if not message.get("more_body", False):
                return

    async def _refuse(self, send: Send) -> None:
        await send_error(send, 413, self._detail)


def _body_headers(scope: Scope) -> tuple[int | None, bool]:
    """The declared ``Content-Length`` (None when absent, or beside a ``Transfer-Encoding``, which
    overrides it: RFC 9112, 6.3) and whether ``Expect: 100-continue``."""
    length = None
    chunked = False
    expects_continue = False
    for name, value in scope["headers"]:
        if name == b"content-length":
            length = int(value) if value.isdigit() else None
        elif name == b"transfer-encoding":
            chunked = True
        elif name == b"expect":
            expects_continue = value.lower() == b"100-continue"
    return (None if chunked else length), expects_continue
