"""A small HTTP/1.1 load generator: keep-alive connections on asyncio, one request in flight each.

It sends the same pre-built request over ``connections`` sockets until ``requests`` answers came
back, checks each status, and reports requests per second. It only talks to 127.0.0.1.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class LoadResult:
    requests: int
    errors: int
    seconds: float

    @property
    def rate(self) -> float:
        return self.requests / self.seconds


def build_request(path: str, body: bytes, port: int) -> bytes:
    head = (
        f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
        f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n"
    )
    return head.encode() + body


async def _connection(
    port: int, request: bytes, left: list[int], errors: list[int], expect: int
) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        while left[0] > 0:
            left[0] -= 1
            writer.write(request)
            head = await reader.readuntil(b"\r\n\r\n")
            if int(head[9:12]) != expect:
                errors[0] += 1
            length = 0
            for line in head.split(b"\r\n"):
                if line[:15].lower() == b"content-length:":
                    length = int(line[15:])
                    break
            await reader.readexactly(length)
    finally:
        writer.close()


async def _run(
    port: int, request: bytes, requests: int, connections: int, expect: int
) -> LoadResult:
    left, errors = [requests], [0]
    started = time.perf_counter()
    await asyncio.gather(
        *(_connection(port, request, left, errors, expect) for _ in range(connections))
    )
    return LoadResult(requests, errors[0], time.perf_counter() - started)


def run_load(
    port: int, path: str, body: bytes, requests: int, connections: int, expect: int = 201
) -> LoadResult:
    """Send ``requests`` POSTs of ``body`` to ``path`` over ``connections`` connections."""
    request = build_request(path, body, port)
    import uvloop  # as uvicorn[standard] serves, so the client is no slower than the server

    return uvloop.run(_run(port, request, requests, connections, expect))
