"""Wake-ups across processes on one SQLite file: a thread that watches ``PRAGMA data_version``.

SQLite has no LISTEN/NOTIFY. ``PRAGMA data_version`` on a connection changes whenever another
connection, in this process or any other, commits to the file; reading it costs a few
microseconds and takes no lock. A worker process that polls it every ``interval`` seconds starts a
task enqueued by another process within about that interval, instead of at its next fallback poll.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
import time
from collections.abc import Callable
from pathlib import Path

logger = logging.getLogger("pyqueue.stores.sqlite")

WATCH_INTERVAL = 0.01
"""Seconds between two looks at ``data_version`` while this process finds work: a wake-up comes
within about this long."""

IDLE_INTERVAL = 0.02
"""Seconds between two looks once no claim has found work for :data:`IDLE_AFTER`. A look costs a
few microseconds, but waking the thread for it costs about 0.17 ms of CPU on these machines (1.7%
of a core at 100 a second): an idle worker looks half as often, and the first task after a quiet
spell waits about 5 ms more on average."""

IDLE_AFTER = 1.0
"""Seconds without work after which the watcher looks every :data:`IDLE_INTERVAL`. Work, not
commits: the heartbeat of every worker process on the file commits each second."""


class CommitWatcher:
    def __init__(
        self,
        path: Path,
        callback: Callable[[], None],
        interval: float = WATCH_INTERVAL,
        idle_interval: float = IDLE_INTERVAL,
        idle_after: float = IDLE_AFTER,
    ) -> None:
        self._path = path
        self._callback = callback
        self._interval = interval
        self._idle_interval = idle_interval
        self._idle_after = idle_after
        self._worked_at = time.monotonic()
        self._stop = threading.Event()
        self.watching = threading.Event()
        """Set once the watcher has read the first version (tests wait on it)."""
        self._thread = threading.Thread(target=self._run, name="pyqueue-sqlite-watch", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout)

    def _run(self) -> None:
        try:
            conn = sqlite3.connect(self._path, isolation_level=None, check_same_thread=False)
        except sqlite3.Error as exc:
            logger.warning("Cannot watch %s for other processes' work: %s", self._path, exc)
            return
        try:
            last = self._version(conn)
            self.watching.set()
            while not self._stop.wait(self.pause()):
                version = self._version(conn)
                if version is not None and version != last:
                    last = version
                    self._call()
        finally:
            conn.close()

    def worked(self) -> None:
        """This process found work (a claim took tasks): look at the fast pace for a while."""
        self._worked_at = time.monotonic()

    def pause(self) -> float:
        """Seconds until the next look: :data:`WATCH_INTERVAL` within :data:`IDLE_AFTER` of the
        last work found, else :data:`IDLE_INTERVAL`."""
        quiet = time.monotonic() - self._worked_at
        return self._interval if quiet < self._idle_after else self._idle_interval

    def _version(self, conn: sqlite3.Connection) -> int | None:
        try:
            value: int = conn.execute("PRAGMA data_version").fetchone()[0]
        except sqlite3.Error as exc:  # e.g. the file is briefly locked for a checkpoint
            logger.debug("Reading data_version of %s failed: %s", self._path, exc)
            return None
        return value

    def _call(self) -> None:
        try:
            self._callback()
        except Exception:  # a failing callback must not end the watcher
            logger.exception("The wake-up callback failed")
