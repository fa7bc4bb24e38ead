"""The PostgreSQL store's SQL: versioned migrations and the named statements.

Migrations are the files ``sql/postgres/NNNN_name.sql``, applied in order, each once, recorded in
``pyqueue_schema_version``. :func:`migrate` runs inside one transaction that first takes an
advisory lock, so processes starting together migrate once and the others wait, then find nothing
to do. Statements live in ``sql/postgres_queries.sql`` under ``-- name: x`` headers.
"""

from __future__ import annotations

import logging
import re
from typing import Any, LiteralString

import psycopg

from pyqueue.stores.sqlcommon import SELECT_LIST, read_sql, sql_names

logger = logging.getLogger("pyqueue.stores.postgres")

_LOCK = "SELECT pg_advisory_xact_lock(hashtext('pyqueue_schema_migration'))"
_VERSION_TABLE = """
CREATE TABLE IF NOT EXISTS pyqueue_schema_version (
    version    integer PRIMARY KEY,
    name       text NOT NULL,
    applied_at timestamptz NOT NULL DEFAULT now()
)
"""


def literal(text: str) -> LiteralString:
    """SQL that comes from this package's own files (never from input)."""
    return text  # type checkers other than mypy check LiteralString


def migrations() -> list[tuple[int, str]]:
    """``(version, file name)`` of every migration, in order."""
    found = []
    for name in sql_names("postgres"):
        match = re.fullmatch(r"(\d{4})_\w+\.sql", name)
        if match:
            found.append((int(match.group(1)), name))
    return found


SCHEMA_VERSION = migrations()[-1][0]
"""The version a migrated database declares."""


def migrate(conn: psycopg.Connection[Any]) -> list[int]:
    """Apply the migrations this database lacks; returns the versions applied."""
    applied = []
    with conn.transaction():
        conn.execute(_LOCK)
        conn.execute(_VERSION_TABLE)
        row = conn.execute(
            "SELECT coalesce(max(version), 0) FROM pyqueue_schema_version"
        ).fetchone()
        current = row[0] if row else 0
        for version, name in migrations():
            if version <= current:
                continue
            conn.execute(literal(read_sql(f"postgres/{name}")))
            conn.execute(
                "INSERT INTO pyqueue_schema_version (version, name) VALUES (%s, %s)",
                (version, name),
            )
            applied.append(version)
    for version in applied:
        logger.info("Applied PostgreSQL migration %04d", version)
    return applied


def _load_queries() -> dict[str, LiteralString]:
    text = read_sql("postgres_queries.sql")
    parts = re.split(r"^-- name: (\w+)[ \t]*$", text, flags=re.MULTILINE)
    return {
        name: literal(body.strip().replace("{columns}", SELECT_LIST))
        for name, body in zip(parts[1::2], parts[2::2], strict=True)
    }


QUERIES = _load_queries()
