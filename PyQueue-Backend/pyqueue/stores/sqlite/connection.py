"""Connections to a SQLite file: one per thread, transactions, and errors as ``StoreUnavailable``.

Writes run inside ``BEGIN IMMEDIATE``, so SQLite's single writer lock makes each of them atomic
across threads and processes on one machine; reads run in a ``DEFERRED`` transaction (one snapshot)
and never wait for writers (WAL). ``synchronous=NORMAL`` keeps every commit across a process crash
and loses at most the last transactions on power loss.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from pathlib import Path

from pyqueue.errors import ConfigurationError, StoreUnavailable

logger = logging.getLogger("pyqueue.stores.sqlite")


class Database:
    def __init__(self, path: Path, busy_timeout: float) -> None:
        self.path = path
        self._busy_timeout = busy_timeout
        self._local = threading.local()
        self._lock = threading.Lock()
        # Writers of this process queue here rather than in SQLite's busy handler, which sleeps
        # (1, 2, 5, 10 ms ...) between retries; other processes still meet the busy timeout.
        self._write_lock = threading.Lock()
        self._connections: list[sqlite3.Connection] = []
        self._closed = False
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise ConfigurationError(f"Cannot create the folder of {self.path}: {exc}") from exc

    def _connect(self) -> sqlite3.Connection:
        if self._closed:
            raise StoreUnavailable(f"The SQLite store {self.path} is closed")
        try:
            conn = sqlite3.connect(
                self.path, timeout=self._busy_timeout, isolation_level=None, check_same_thread=False
            )
            conn.execute("PRAGMA synchronous = NORMAL")
            conn.execute(f"PRAGMA busy_timeout = {int(self._busy_timeout * 1000)}")
        except sqlite3.Error as exc:
            raise StoreUnavailable(f"Cannot open the SQLite database {self.path}: {exc}") from exc
        with self._lock:
            self._connections.append(conn)
        return conn

    def raw(self) -> sqlite3.Connection:
        """This thread's connection, outside any transaction."""
        conn: sqlite3.Connection | None = getattr(self._local, "conn", None)
        if conn is None or self._closed:
            conn = self._local.conn = self._connect()
        return conn

    def transaction(self) -> AbstractContextManager[sqlite3.Connection]:
        """A write transaction: takes the write lock up front (``BEGIN IMMEDIATE``)."""
        return self._begin("IMMEDIATE")

    def connection(self) -> AbstractContextManager[sqlite3.Connection]:
        """A read transaction: one consistent snapshot, no write lock (``BEGIN DEFERRED``)."""
        return self._begin("DEFERRED")

    @contextmanager
    def _begin(self, mode: str) -> Iterator[sqlite3.Connection]:
        conn = self.raw()
        with self._write_lock if mode == "IMMEDIATE" else nullcontext():
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

    def migrate(self, schema: str, version: int) -> None:
        """Switch to WAL and run ``schema`` (idempotent) when the file is older than ``version``."""
        conn = self.raw()
        try:
            conn.execute("PRAGMA journal_mode = WAL")
            current = conn.execute("PRAGMA user_version").fetchone()[0]
            if current < version:
                conn.executescript(
                    f"BEGIN IMMEDIATE;\n{schema}\nPRAGMA user_version = {version};\nCOMMIT;"
                )
                logger.info("Created the schema of %s", self.path)
        except sqlite3.Error as exc:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            message = f"Cannot prepare the SQLite database {self.path}: {exc}"
            raise StoreUnavailable(message) from exc

    def close(self) -> None:
        """Close every thread's connection; later calls raise :class:`StoreUnavailable`."""
        self._closed = True
        with self._lock:
            connections, self._connections = self._connections, []
        for conn in connections:
            conn.close()
