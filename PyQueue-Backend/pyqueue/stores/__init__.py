"""Task stores behind the one :class:`~pyqueue.stores.base.TaskStore` protocol."""

from __future__ import annotations

from pyqueue.errors import ConfigurationError
from pyqueue.stores.base import ChangeFeed, ScheduleStore, TaskStore, WakeupSource

__all__ = ["ChangeFeed", "ScheduleStore", "TaskStore", "WakeupSource", "open_store", "url_scheme"]

SCHEMES = ("memory://", "sqlite:///path.db", "postgresql://…")


def url_scheme(url: str) -> str:
    """The scheme of a ``PYQUEUE_DATABASE_URL`` in lower case (``""`` when it has none)."""
    return url.split(":", 1)[0].lower() if ":" in url else ""


def open_store(url: str, pool_size: int | None = None) -> TaskStore:
    """The store for a ``PYQUEUE_DATABASE_URL``; backends are imported only when used.

    ``pool_size`` bounds the PostgreSQL connection pool (``PYQUEUE_DB_POOL_SIZE``); the other
    stores ignore it.
    """
    scheme = url_scheme(url)
    if scheme == "memory":
        from pyqueue.stores.memory import MemoryStore

        return MemoryStore()
    if scheme == "sqlite":
        from pyqueue.stores.sqlite import SQLiteStore, sqlite_path

        return SQLiteStore(sqlite_path(url))
    if scheme in ("postgresql", "postgres"):
        from pyqueue.stores.postgres import PostgresStore

        return PostgresStore(url, pool_size=pool_size)
    raise ConfigurationError(
        f"Unsupported PYQUEUE_DATABASE_URL scheme {scheme!r}; use one of: {', '.join(SCHEMES)}"
    )
