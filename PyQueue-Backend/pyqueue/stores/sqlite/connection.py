"""Connections to a SQLite file: a small pool, transactions, and errors as ``StoreUnavailable``.

Each transaction checks a connection out of the pool and gives it back when it ends, so the number
of open connections follows how many transactions run at once, never how many threads ever ran
one (a request thread pool replaces its idle threads all the time). At most ``max_idle``
connections are kept between transactions, most recently used first; one opened for a burst
beyond that is closed when it is given back.

Writes run inside ``BEGIN IMMEDIATE``, so SQLite's single writer lock makes each of them atomic
across threads and processes on one machine; reads run in a ``DEFERRED`` transaction (one snapshot)
and never wait for writers (WAL). ``synchronous=NORMAL`` keeps every commit across a process crash
and loses at most the last transactions on power loss.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path

from pyqueue.errors import ConfigurationError, StoreUnavailable

logger = logging.getLogger("pyqueue.stores.sqlite")

MAX_IDLE = 16
"""Connections kept open between transactions (the API's and the workers' threads share them)."""


class Database:
    def __init__(self, path: Path, busy_timeout: float, max_idle: int = MAX_IDLE) -> None:
        self.path = path
        self._busy_timeout = busy_timeout
        self._max_idle = max_idle
        self._lock = threading.Lock()  # guards _idle, _open and _closed; never held during I/O
        self._idle: list[sqlite3.Connection] = []  # a stack: the warmest connection on top
        self._open = 0
        # Writers of this process queue here rather than in SQLite's busy handler, which sleeps
        # (1, 2, 5, 10 ms ...) between retries; other processes still meet the busy timeout.
        self._write_lock = threading.Lock()
        self._closed = False
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise ConfigurationError(f"Cannot create the folder of {self.path}: {exc}") from exc

    @property
    def open_connections(self) -> int:
        """Connections open now, idle or in use."""
        with self._lock:
            return self._open

    def _connect(self) -> sqlite3.Connection:
        try:
            conn = sqlite3.connect(
                self.path, timeout=self._busy_timeout, isolation_level=None, check_same_thread=False
            )
        except sqlite3.Error as exc:
            raise StoreUnavailable(f"Cannot open the SQLite database {self.path}: {exc}") from exc
        try:
            conn.execute("PRAGMA synchronous = NORMAL")
            conn.execute(f"PRAGMA busy_timeout = {int(self._busy_timeout * 1000)}")
        except sqlite3.Error as exc:
            conn.close()
            raise StoreUnavailable(f"Cannot open the SQLite database {self.path}: {exc}") from exc
        return conn

    def _check_out(self) -> sqlite3.Connection:
        """A connection of the pool for the caller alone, until :meth:`_give_back`."""
        with self._lock:
            if self._closed:
                raise StoreUnavailable(f"The SQLite store {self.path} is closed")
            if self._idle:
                return self._idle.pop()
            self._open += 1
        try:
            return self._connect()
        except BaseException:
            with self._lock:
                self._open -= 1
            raise

    def _give_back(self, conn: sqlite3.Connection) -> None:
        reusable = not conn.in_transaction  # a failed ROLLBACK leaves it unusable
        with self._lock:
            if reusable and not self._closed and len(self._idle) < self._max_idle:
                self._idle.append(conn)
                return
            self._open -= 1
        conn.close()

    def transaction(self) -> AbstractContextManager[sqlite3.Connection]:
        """A write transaction: takes the write lock up front (``BEGIN IMMEDIATE``)."""
        return self._begin("IMMEDIATE")

    def connection(self) -> AbstractContextManager[sqlite3.Connection]:
        """A read transaction: one consistent snapshot, no write lock (``BEGIN DEFERRED``)."""
        return self._begin("DEFERRED")

    @contextmanager
    def _begin(self, mode: str) -> Iterator[sqlite3.Connection]:
        # A writer waits for the write lock before it takes a connection, so waiting holds none.
        # (Plain calls rather than nested context managers: this runs on every store call.)
        write = mode == "IMMEDIATE"
        if write:
            self._write_lock.acquire()
        try:
            conn = self._check_out()
            try:
                conn.execute(f"BEGIN {mode}")
                try:
                    yield conn
                    conn.execute("COMMIT")
                finally:
                    if conn.in_transaction:
                        conn.execute("ROLLBACK")
            except sqlite3.OperationalError as exc:
                raise StoreUnavailable(f"The SQLite database {self.path} failed: {exc}") from exc
            finally:
                self._give_back(conn)
        finally:
            if write:
                self._write_lock.release()

    def migrate(
        self, schema: str, version: int, add_columns: Sequence[tuple[str, str, str]] = ()
    ) -> None:
        """Switch to WAL, run ``schema`` (idempotent) when the file is older than ``version``, and
        prove that this process can write to the file (a read-only file is refused here, not at
        the first task).

        ``add_columns`` are ``(table, column, definition)`` that a later version added to a table
        an older file already has: SQLite's ``ADD COLUMN`` is not idempotent, so each is added
        first, in its own write transaction, only when the table exists without it."""
        conn = self._check_out()
        try:
            try:
                conn.execute("PRAGMA journal_mode = WAL")
                current = conn.execute("PRAGMA user_version").fetchone()[0]
                if current < version:
                    if add_columns:
                        conn.execute("BEGIN IMMEDIATE")
                        for table, column, definition in add_columns:
                            info = conn.execute(f"PRAGMA table_info({table})").fetchall()
                            if info and column not in {row[1] for row in info}:
                                conn.execute(
                                    f"ALTER TABLE {table} ADD COLUMN {column} {definition}"
                                )
                        conn.execute("COMMIT")
                    conn.executescript(
                        f"BEGIN IMMEDIATE;\n{schema}\nPRAGMA user_version = {version};\nCOMMIT;"
                    )
                    logger.info("Created the schema of %s", self.path)
                else:  # rewrite the version it has: a write that changes nothing
                    conn.execute("BEGIN IMMEDIATE")
                    current = conn.execute("PRAGMA user_version").fetchone()[0]
                    conn.execute(f"PRAGMA user_version = {int(current)}")
                    conn.execute("COMMIT")
            except sqlite3.Error as exc:
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
                if isinstance(exc, sqlite3.OperationalError) and "readonly" in str(exc):
                    raise ConfigurationError(
                        f"The SQLite database {self.path} is read-only ({exc}); PyQueue needs to "
                        "write to the file and to its folder"
                    ) from exc
                message = f"Cannot prepare the SQLite database {self.path}: {exc}"
                raise StoreUnavailable(message) from exc
        finally:
            self._give_back(conn)

    def close(self) -> None:
        """Close the idle connections (one in use closes when it is given back); later calls
        raise :class:`StoreUnavailable`."""
        with self._lock:
            self._closed = True
            idle, self._idle = self._idle, []
            self._open -= len(idle)
        for conn in idle:
            conn.close()
