"""What running an async handler costs per attempt: ``python -m bench.async_loop [COUNT]``.

Compares, for a coroutine that awaits once and returns, three ways a worker thread can run it:
PyQueue's (``run_awaitable``: the worker thread's own loop, reused), a fresh ``asyncio.Runner`` per
attempt, and one long-lived loop thread shared by the pool (``run_coroutine_threadsafe`` from the
worker thread, then waiting for the future). Prints microseconds per attempt for each, and a plain
sync call as the floor.
"""

from __future__ import annotations

import asyncio
import sys
import threading
import time
from typing import Any

from pyqueue.models.handlers import TaskContext
from pyqueue.system.aio import run_awaitable


async def handler(payload: Any, ctx: TaskContext) -> Any:
    await asyncio.sleep(0)
    return payload


def sync_handler(payload: Any, ctx: TaskContext) -> Any:
    return payload


def thread_loop(count: int) -> float:
    ctx = TaskContext("Task-bench", 1, 0)
    start = time.perf_counter()
    for i in range(count):
        run_awaitable(handler(i, ctx), ctx)
    return (time.perf_counter() - start) / count * 1e6


def per_attempt(count: int) -> float:
    ctx = TaskContext("Task-bench", 1, 0)
    start = time.perf_counter()
    for i in range(count):
        with asyncio.Runner() as runner:
            runner.run(handler(i, ctx))
    return (time.perf_counter() - start) / count * 1e6


def shared_loop(count: int) -> float:
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()
    ctx = TaskContext("Task-bench", 1, 0)
    start = time.perf_counter()
    for i in range(count):
        asyncio.run_coroutine_threadsafe(handler(i, ctx), loop).result()
    elapsed = (time.perf_counter() - start) / count * 1e6
    loop.call_soon_threadsafe(loop.stop)
    thread.join()
    loop.close()
    return elapsed


def plain(count: int) -> float:
    ctx = TaskContext("Task-bench", 1, 0)
    start = time.perf_counter()
    for i in range(count):
        sync_handler(i, ctx)
    return (time.perf_counter() - start) / count * 1e6


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 5000
    print(f"sync call:                        {plain(count):8.1f} µs per attempt")
    print(f"worker thread's loop (PyQueue):   {thread_loop(count):8.1f} µs per attempt")
    print(f"asyncio.Runner per attempt:       {per_attempt(count):8.1f} µs per attempt")
    print(f"shared loop thread (threadsafe):  {shared_loop(count):8.1f} µs per attempt")


if __name__ == "__main__":
    main()
