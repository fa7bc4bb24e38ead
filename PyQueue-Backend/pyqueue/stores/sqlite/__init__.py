"""``sqlite:///path.db``: the embedded durable store; its SQL is in ``schema.sql`` and
``queries.sql`` beside this module."""

from pyqueue.stores.sqlite.store import SCHEMA_VERSION, SQLiteStore, sqlite_path

__all__ = ["SCHEMA_VERSION", "SQLiteStore", "sqlite_path"]
