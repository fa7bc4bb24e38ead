"""The shared servers: a fresh PostgreSQL database per system, a Redis database for the peers."""

from __future__ import annotations

import os

PG_HOST = os.environ.get("BENCH_PG_HOST", "127.0.0.1")
PG_ADMIN = f"postgresql://postgres@{PG_HOST}:5432/postgres"
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/9")


def pg_url(database: str) -> str:
    return f"postgresql://postgres@{PG_HOST}:5432/{database}"


def fresh_database(name: str) -> str:
    """Drop and create ``bench_<name>``; returns its URL. Nothing else on the server is touched."""
    import psycopg

    database = "bench_" + name.replace("-", "_")
    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{database}"')
    return pg_url(database)
