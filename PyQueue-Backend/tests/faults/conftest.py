from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from pyqueue.stores import TaskStore, open_store
from tests.faults.harness import Cluster, cluster_for
from tests.stores.factory import drop_schema, postgres_reason, store_url
from tests.support import skip_or_fail

DURABLE = [
    pytest.param("sqlite", marks=pytest.mark.sqlite),
    pytest.param("postgres", marks=pytest.mark.postgres),
]


@pytest.fixture(params=DURABLE)
def kind(request: pytest.FixtureRequest) -> str:
    kind: str = request.param
    if kind == "postgres" and (reason := postgres_reason()):
        skip_or_fail(reason)
    return kind


@pytest.fixture
def url(kind: str, tmp_path: Path) -> Iterator[str]:
    schema = f"pyqueue_fault_{tmp_path.name}"[:60].lower()
    yield store_url(kind, tmp_path, schema)
    if kind == "postgres":
        drop_schema(schema)


@pytest.fixture
def cluster(url: str, tmp_path: Path) -> Iterator[Cluster]:
    yield from cluster_for(url, tmp_path)


@pytest.fixture
def store(url: str) -> Iterator[TaskStore]:
    """The test's own view of the shared database."""
    opened = open_store(url)
    yield opened
    opened.close()
