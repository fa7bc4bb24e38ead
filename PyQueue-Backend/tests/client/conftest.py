"""Real servers for the client and CLI tests: started once for the package, each on its port.

The client tests run on ``memory://`` without a token and on SQLite with one; the CLI tests
mostly on memory (with and without a token)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.client.server import TOKEN, Server, serve


@pytest.fixture(scope="package")
def memory_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    with serve("memory", None, tmp_path_factory.mktemp("memory")) as server:
        yield server


@pytest.fixture(scope="package")
def memory_token_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    with serve("memory", TOKEN, tmp_path_factory.mktemp("memory-token")) as server:
        yield server


@pytest.fixture(scope="package")
def sqlite_token_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    with serve("sqlite", TOKEN, tmp_path_factory.mktemp("sqlite-token")) as server:
        yield server


@pytest.fixture(
    params=[
        pytest.param("memory_server", id="memory"),
        pytest.param("sqlite_token_server", id="sqlite-token", marks=pytest.mark.sqlite),
    ]
)
def server(request: pytest.FixtureRequest) -> Server:
    """The client tests' servers: memory without a token, SQLite with one."""
    found: Server = request.getfixturevalue(request.param)
    return found


@pytest.fixture
def token_server(memory_token_server: Server) -> Server:
    return memory_token_server
