"""The ``store`` fixture: every contract test runs against memory, SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from pyqueue.stores import TaskStore
from tests.conftest import skip_or_fail
from tests.stores.factory import KINDS, drop_schema, make_store, postgres_reason

_PARAMS = [pytest.param(k, marks=pytest.mark.postgres) if k == "postgres" else k for k in KINDS]


@pytest.fixture(scope="session")
def postgres_ready() -> bool:
    """Whether the PostgreSQL test server answers (checked once per session)."""
    return postgres_reason() is None


def require_postgres(ready: bool) -> None:
    """Skip (locally) or fail (CI) a PostgreSQL test when the server is missing."""
    if not ready:
        skip_or_fail(postgres_reason() or "PostgreSQL is not reachable")


@pytest.fixture(params=_PARAMS)
def store_kind(request: pytest.FixtureRequest, postgres_ready: bool) -> str:
    kind: str = request.param
    if kind == "postgres":
        require_postgres(postgres_ready)
    return kind


@pytest.fixture
def store(store_kind: str, tmp_path: Path) -> Iterator[TaskStore]:
    """A fresh, empty store of each kind."""
    opened = make_store(store_kind, tmp_path)
    try:
        yield opened
    finally:
        opened.close()
        if store_kind == "postgres":
            drop_schema()
