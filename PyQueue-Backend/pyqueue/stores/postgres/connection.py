"""Connections to PostgreSQL: a pool, transactions, and server errors as ``StoreUnavailable``.

Every connection is in autocommit mode with the UTC time zone; :meth:`Database.transaction` groups
statements. ``fast`` transactions commit with ``synchronous_commit = off``: used only where a commit
lost in a server crash means no more than a lease that runs out and an attempt that runs again.
"""

from __future__ import annotations

import logging
import time
import weakref
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager, nullcontext
from typing import Any, LiteralString, TypeVar

import psycopg
import psycopg.errors
from psycopg_pool import ConnectionPool

from pyqueue.errors import StoreUnavailable
from pyqueue.logs import redact

logger = logging.getLogger("pyqueue.stores.postgres")
T = TypeVar("T")
Row = tuple[Any, ...]

DEFAULT_POOL_SIZE = 10
CONFLICT_RETRIES = 3
_CONFLICTS = (psycopg.errors.DeadlockDetected, psycopg.errors.SerializationFailure)
_ASYNC_COMMIT = "SET LOCAL synchronous_commit = off"
_ORDERED_WALK = (
    "SELECT set_config('enable_sort', 'off', true), set_config('enable_bitmapscan', 'off', true)"
)
"""Planner settings for one transaction whose statement must walk an index in its order: right
after a burst of inserts the table's statistics say nothing yet, and the planner may otherwise
prefer a bitmap scan of every matching row and a sort (a cost that grows with the backlog)."""
_BY_KEY = (
    "SELECT set_config('enable_seqscan', 'off', true), set_config('enable_bitmapscan', 'off', true)"
)
"""Planner settings for one transaction whose statement takes a batch of rows by primary key: the
planner may otherwise scan the whole table, or every entry of another index, when its statistics
(stale under a drain) make the table or that index look small."""


def _configure(conn: psycopg.Connection[Any]) -> None:
    conn.execute("SET TIME ZONE 'UTC'")
    conn.execute("SET jit = off")


IDLE_CHECK_AFTER = 1.0
"""Seconds a connection may sit in the pool and be handed out again unchecked."""


class _IdleCheck:
    """Checks a connection on checkout (one round trip) only when it sat in the pool longer than
    :data:`IDLE_CHECK_AFTER`: a connection that worked a moment ago is handed out as it is, so a
    busy process does not pay a round trip per operation (a single enqueue is one round trip
    of its own). One the server dropped since is found by its first statement, which raises
    :class:`StoreUnavailable` like any outage, and the pool replaces it.

    :meth:`returned` is called by :meth:`Database.connection` as the connection goes back, not as
    the pool's ``reset`` callback: with a ``reset`` callback the pool returns every connection
    through its worker thread, a thread hop (and a wait for the GIL) on every operation."""

    def __init__(self) -> None:
        self._returned: weakref.WeakKeyDictionary[psycopg.Connection[Any], float] = (
            weakref.WeakKeyDictionary()
        )

    def returned(self, conn: psycopg.Connection[Any]) -> None:
        self._returned[conn] = time.monotonic()

    def check(self, conn: psycopg.Connection[Any]) -> None:
        returned = self._returned.get(conn)
        if returned is None or time.monotonic() - returned > IDLE_CHECK_AFTER:
            ConnectionPool.check_connection(conn)


class Database:
    def __init__(
        self, url: str, pool_size: int | None, connect_timeout: float, wait_timeout: float
    ) -> None:
        self._idle = idle = _IdleCheck()
        self._pool = ConnectionPool(
            url,
            min_size=1,
            max_size=max(2, pool_size or DEFAULT_POOL_SIZE),
            kwargs={"autocommit": True},
            configure=_configure,
            check=idle.check,
            timeout=wait_timeout,
            name="pyqueue",
            open=False,
        )
        try:
            self._pool.open(wait=True, timeout=connect_timeout)
        except psycopg.OperationalError as exc:
            self._pool.close()
            raise StoreUnavailable(f"Cannot connect to PostgreSQL: {redact(str(exc))}") from exc

    @property
    def max_size(self) -> int:
        return self._pool.max_size

    @contextmanager
    def connection(self) -> Iterator[psycopg.Connection[Any]]:
        """A pooled connection; an unreachable server raises :class:`StoreUnavailable`."""
        try:
            with self._pool.connection() as conn:
                try:
                    yield conn
                finally:
                    self._idle.returned(conn)
        except (psycopg.OperationalError, psycopg.InterfaceError) as exc:
            raise StoreUnavailable(
                f"The database (PostgreSQL) is unavailable: {redact(str(exc))}. "
                "Nothing was changed; try again"
            ) from exc

    @contextmanager
    def transaction(
        self, fast: bool = False, pipeline: bool = False
    ) -> Iterator[psycopg.Connection[Any]]:
        """A transaction; ``fast`` commits without waiting for the WAL flush. ``pipeline`` sends
        its statements without waiting for each answer (psycopg's pipeline mode): BEGIN, the
        statements whose results nobody reads and COMMIT travel in one round trip, and reading a
        result waits only for what was sent before it."""
        with (
            self.connection() as conn,
            conn.pipeline() if pipeline else nullcontext(),
            conn.transaction(),
        ):
            if fast:
                conn.execute(_ASYNC_COMMIT)
            yield conn

    def fast(
        self,
        sql: LiteralString,
        params: Mapping[str, Any],
        ordered_walk: bool = False,
        by_key: bool = False,
    ) -> list[Row]:
        """One statement in an asynchronously committed transaction, in one round trip;
        ``ordered_walk`` keeps the planner from sorting (see :data:`_ORDERED_WALK`), ``by_key``
        from scanning (see :data:`_BY_KEY`)."""
        with self.connection() as conn:
            with conn.pipeline(), conn.transaction():
                conn.execute(_ASYNC_COMMIT)
                if ordered_walk:
                    conn.execute(_ORDERED_WALK)
                if by_key:
                    conn.execute(_BY_KEY)
                cur = conn.execute(sql, params)
            return cur.fetchall()

    def close(self) -> None:
        self._pool.close()


def retry_conflicts(work: Callable[[], T]) -> T:
    """Run ``work`` (one transaction) again when PostgreSQL rolled it back to break a deadlock or
    a serialization conflict; nothing of it was applied."""
    for attempt in range(1, CONFLICT_RETRIES + 1):
        try:
            return work()
        except StoreUnavailable as exc:
            conflict = isinstance(exc.__cause__, _CONFLICTS)
            if not conflict or attempt == CONFLICT_RETRIES:
                raise
            logger.info("Retrying a transaction PostgreSQL rolled back: %s", exc.__cause__)
    raise AssertionError("unreachable")
