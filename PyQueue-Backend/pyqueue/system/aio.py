"""Async handlers: an ``async def`` handler's coroutine runs to its end in the worker thread.

Each worker thread of the pool owns one event loop, made on its first async attempt and closed
when the thread ends; an attempt runs its coroutine on the loop of the thread that runs it. So a
coroutine that blocks (``time.sleep``, a blocking client) only holds up its own attempt, never
another handler's, and the worker-slot accounting stays what it is for sync handlers. Tasks an
attempt leaves behind on the loop are cancelled when it ends, as ``asyncio.run`` would.

Why not ``asyncio.run`` per attempt, or one loop thread for the whole pool? ``bench/async_loop.py``
measures the cost per attempt of a handler that awaits once: a reused per-thread loop about 40 µs,
one shared loop thread (``run_coroutine_threadsafe``, two thread hand-offs) 100-150 µs, a fresh
loop per attempt (``asyncio.Runner``: a selector and a socket pair made and closed) 200-450 µs.
A shared loop would also let one blocking coroutine stall every async task of the process.

Cancellation (a cancel request, a delete, a timeout, a shutdown, a lost lease) cancels the
coroutine's asyncio task from the cancelling thread: the handler sees ``CancelledError`` at its
current ``await`` (``ctx.asleep`` included) and the attempt ends as a cancelled sync handler's does.
"""

from __future__ import annotations

import asyncio
import contextlib
import inspect
import threading
from collections.abc import Awaitable
from typing import Any

from pyqueue.models.handlers import TaskContext


class CoroutineCancelled(RuntimeError):
    """The handler's coroutine was cancelled by something other than PyQueue."""


class _ThreadLoop:
    """The event loop of one worker thread; closed when the thread ends (its locals go)."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()

    def __del__(self) -> None:
        if not self.loop.is_closed():
            self.loop.close()


_local = threading.local()


def thread_loop() -> asyncio.AbstractEventLoop:
    """This thread's event loop for async handlers (made on first use)."""
    holder: _ThreadLoop | None = getattr(_local, "holder", None)
    if holder is None or holder.loop.is_closed():
        holder = _local.holder = _ThreadLoop()
    return holder.loop


def run_awaitable(awaitable: Awaitable[Any], ctx: TaskContext) -> Any:
    """Run an async handler's awaitable on this thread's event loop; its result.

    Raises :class:`~pyqueue.models.handlers.TaskCancelled` when the attempt was asked to stop."""
    loop = thread_loop()
    try:
        return loop.run_until_complete(_drive(awaitable, ctx))
    finally:
        _cancel_leftovers(loop)


async def _drive(awaitable: Awaitable[Any], ctx: TaskContext) -> Any:
    loop = asyncio.get_running_loop()
    task = asyncio.current_task()
    assert task is not None

    def cancel() -> None:  # from the thread that cancels the attempt
        with contextlib.suppress(RuntimeError):  # the loop has closed: the attempt is over
            loop.call_soon_threadsafe(task.cancel)

    undo = ctx.on_cancel(cancel)
    try:
        if ctx.cancelled:  # asked to stop before it began: never start it
            if inspect.iscoroutine(awaitable):
                awaitable.close()
            ctx.raise_if_cancelled()
        return await awaitable
    except asyncio.CancelledError:
        ctx.raise_if_cancelled()  # PyQueue cancelled it: TaskCancelled, as for a sync handler
        raise CoroutineCancelled("The handler's coroutine was cancelled") from None
    finally:
        undo()


def _cancel_leftovers(loop: asyncio.AbstractEventLoop) -> None:
    """Cancel the tasks an attempt started and left running, and let them end."""
    leftovers = [task for task in asyncio.all_tasks(loop) if not task.done()]
    if not leftovers:
        return
    for task in leftovers:
        task.cancel()
    loop.run_until_complete(asyncio.gather(*leftovers, return_exceptions=True))
