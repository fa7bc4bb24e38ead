"""An asyncio worker run in a thread of its own, so a synchronous producer can feed it."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable, Coroutine
from typing import Any


class LoopThread:
    """Runs ``main()`` in a new event loop on a thread; ``stop`` calls ``on_stop`` in that loop."""

    def __init__(
        self, main: Callable[[], Coroutine[Any, Any, None]], on_stop: Callable[[], None]
    ) -> None:
        self._main = main
        self._on_stop = on_stop
        self._loop: asyncio.AbstractEventLoop | None = None
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._run, name="bench-asyncio", daemon=True)
        self.error: BaseException | None = None

    def _run(self) -> None:
        async def wrapper() -> None:
            self._loop = asyncio.get_running_loop()
            self._ready.set()
            await self._main()

        try:
            asyncio.run(wrapper())
        except BaseException as exc:  # reported by stop()
            self.error = exc
            self._ready.set()

    def start(self) -> None:
        self._thread.start()
        self._ready.wait()

    def stop(self, timeout: float = 30) -> None:
        if self._loop is not None and not self._loop.is_closed():
            self._loop.call_soon_threadsafe(self._on_stop)
        self._thread.join(timeout)
        if self.error is not None and not isinstance(self.error, asyncio.CancelledError):
            raise RuntimeError(f"the asyncio worker failed: {self.error!r}") from self.error
