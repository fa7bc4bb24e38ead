"""The PostgreSQL schema: versioned migrations, applied once each, under an advisory lock.

Migrations are the files ``migrations/NNNN_name.sql`` beside this module, applied in order and
recorded in ``pyqueue_schema_version``. :func:`migrate` runs inside one transaction that first
takes an advisory lock, so processes starting together migrate once and the others wait, then find
nothing to do.
"""

from __future__ import annotations

import logging
import re
from typing import Any

import psycopg

from pyqueue.stores.common import literal, read_sql, sql_names

logger = logging.getLogger("pyqueue.stores.postgres")

_LOCK = "SELECT pg_advisory_xact_lock(hashtext('pyqueue_schema_migration'))"
_VERSION_TABLE = """
CREATE TABLE IF NOT EXISTS pyqueue_schema_version (
    version    integer PRIMARY KEY,
    name       text NOT NULL,
    applied_at timestamptz NOT NULL DEFAULT now()
)
"""


_PACKAGE = "pyqueue.stores.postgres"


def migrations() -> list[tuple[int, str]]:
    """``(version, file name)`` of every migration, in order."""
    found = []
    for name in sql_names(_PACKAGE, "migrations"):
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
            conn.execute(literal(read_sql(_PACKAGE, f"migrations/{name}")))
            conn.execute(
                "INSERT INTO pyqueue_schema_version (version, name) VALUES (%s, %s)",
                (version, name),
            )
            applied.append(version)
    for version in applied:
        logger.info("Applied PostgreSQL migration %04d", version)
    return applied
