"""The ``store`` fixture: every contract test runs against memory, SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from pyqueue.stores import TaskStore
from tests.stores.factory import KINDS, drop_schema, make_store, postgres_reason, require_postgres

_MARKS = {"sqlite": pytest.mark.sqlite, "postgres": pytest.mark.postgres}
_PARAMS = [pytest.param(k, marks=[_MARKS[k]] if k in _MARKS else []) for k in KINDS]


@pytest.fixture(scope="session")
def postgres_ready() -> bool:
    """Whether the PostgreSQL test server answers (checked once per session)."""
    return postgres_reason() is None


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
