"""A thread that LISTENs on the queue's channel and calls back on every NOTIFY.

It holds a connection of its own (outside the pool), reconnects by itself with a capped backoff
when the server goes away, and calls back once after each (re)connection, since notifications sent
while it was disconnected are lost.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

import psycopg

logger = logging.getLogger("pyqueue.stores.postgres")

CHANNEL = "pyqueue"
_MAX_BACKOFF = 5.0


class Listener:
    def __init__(self, conninfo: str, callback: Callable[[], None]) -> None:
        self._conninfo = conninfo
        self._callback = callback
        self._stop = threading.Event()
        self.connected = threading.Event()
        """Set while the LISTEN connection is up (tests wait on it)."""
        self.connections = 0
        """How many times the listener has connected."""
        self._thread = threading.Thread(target=self._run, name="pyqueue-listener", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        self._stop.set()
        self._thread.join(timeout)

    def _run(self) -> None:
        backoff = 0.1
        while not self._stop.is_set():
            try:
                self._listen()
                backoff = 0.1
            except psycopg.Error as exc:
                self.connected.clear()
                logger.warning("LISTEN connection lost (%s); retrying in %.1f s", exc, backoff)
                self._stop.wait(backoff)
                backoff = min(backoff * 2, _MAX_BACKOFF)

    def _listen(self) -> None:
        with psycopg.connect(self._conninfo, autocommit=True, connect_timeout=5) as conn:
            conn.execute(f"LISTEN {CHANNEL}")
            self.connections += 1
            self.connected.set()
            self._call()
            while not self._stop.is_set():
                for _ in conn.notifies(timeout=0.5):
                    self._call()

    def _call(self) -> None:
        try:
            self._callback()
        except Exception:  # a failing callback must not end the listener
            logger.exception("The wake-up callback failed")
