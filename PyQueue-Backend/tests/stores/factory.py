"""Stores for tests: one fresh, empty store of each kind, reusable from any test package.

``make_store(kind, tmp_path)`` gives a memory store, a SQLite store in ``tmp_path`` or a PostgreSQL
store in a schema of its own (dropped and recreated first; ``drop_schema`` removes it afterwards).
``store_url(kind, tmp_path)`` gives the ``PYQUEUE_DATABASE_URL`` of the same database, for tests
that start other processes against it.
"""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import quote

import psycopg
from psycopg import sql

from pyqueue.stores import TaskStore, open_store
from tests.support import skip_or_fail

KINDS = ("memory", "sqlite", "postgres")
POSTGRES_URL = os.environ.get(
    "PYQUEUE_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test"
)
SCHEMA = f"pyqueue_test_{os.getpid()}"
"""One schema per test process, so parallel runs on one server never share tables."""


def postgres_reason() -> str | None:
    """Why the test server cannot be used, or ``None`` when it can."""
    try:
        with psycopg.connect(POSTGRES_URL, connect_timeout=3):
            return None
    except psycopg.Error as exc:
        return (
            f"PostgreSQL is not reachable at {POSTGRES_URL} ({exc}); set PYQUEUE_TEST_POSTGRES_URL"
        )


def require_postgres(ready: bool) -> None:
    """Skip (locally) or fail (CI) a PostgreSQL test when the server is missing."""
    if not ready:
        skip_or_fail(postgres_reason() or "PostgreSQL is not reachable")


def postgres_url(schema: str = SCHEMA) -> str:
    """The test server's URL with ``schema`` as the only search path."""
    separator = "&" if "?" in POSTGRES_URL else "?"
    return f"{POSTGRES_URL}{separator}options={quote(f'-c search_path={schema}')}"


def reset_schema(schema: str = SCHEMA) -> None:
    """Drop ``schema`` with everything in it and create it empty."""
    with psycopg.connect(POSTGRES_URL, autocommit=True) as conn:
        conn.execute(sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(sql.Identifier(schema)))
        conn.execute(sql.SQL("CREATE SCHEMA {}").format(sql.Identifier(schema)))


def drop_schema(schema: str = SCHEMA) -> None:
    with psycopg.connect(POSTGRES_URL, autocommit=True) as conn:
        conn.execute(sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(sql.Identifier(schema)))


def store_url(kind: str, tmp_path: Path, schema: str = SCHEMA) -> str:
    """The database URL of a fresh store of ``kind`` (the PostgreSQL schema is reset)."""
    if kind == "memory":
        return "memory://"
    if kind == "sqlite":
        return f"sqlite:///{tmp_path / 'pyqueue.db'}"
    if kind == "postgres":
        reset_schema(schema)
        return postgres_url(schema)
    raise ValueError(f"Unknown store kind {kind!r}; expected one of {KINDS}")


def make_store(kind: str, tmp_path: Path, schema: str = SCHEMA) -> TaskStore:
    """A fresh, empty store of ``kind``."""
    return open_store(store_url(kind, tmp_path, schema))
