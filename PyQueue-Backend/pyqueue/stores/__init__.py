"""Task stores behind the one :class:`~pyqueue.stores.base.TaskStore` protocol."""

from __future__ import annotations

from pyqueue.errors import ConfigurationError
from pyqueue.stores.base import Counts, MinuteCount, RenewResult, TaskQuery, TaskStore

__all__ = ["Counts", "MinuteCount", "RenewResult", "TaskQuery", "TaskStore", "open_store"]


def open_store(url: str) -> TaskStore:
    """The store for a ``PYQUEUE_DATABASE_URL``; backends are imported only when used."""
    scheme = url.split(":", 1)[0].lower()
    if scheme == "memory":
        from pyqueue.stores.memory import MemoryStore

        return MemoryStore()
    raise ConfigurationError(f"Unsupported PYQUEUE_DATABASE_URL scheme {scheme!r}; use memory://")
