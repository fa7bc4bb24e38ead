"""A server whose store went away answers 503: the client raises ``ServerError`` with the server's
message, the CLI exits 4, and both work again once the store is back (real PostgreSQL, cut by a
TCP proxy)."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from pyqueue import Client
from pyqueue.client import ServerError
from tests.client.server import Server, serve
from tests.faults.harness import BACKEND, wait_until
from tests.stores.factory import drop_schema, postgres_reason, store_url
from tests.stores.tcp_proxy import TcpProxy
from tests.support import skip_or_fail

pytestmark = [pytest.mark.postgres, pytest.mark.slow]


@pytest.fixture
def proxy() -> Iterator[TcpProxy]:
    if reason := postgres_reason():
        skip_or_fail(reason)
    proxy = TcpProxy(("127.0.0.1", 5432)).start()
    yield proxy
    proxy.cut()


def test_a_store_outage_is_a_server_error_and_exit_4(proxy: TcpProxy, tmp_path: Path) -> None:
    schema = f"pyqueue_client_{tmp_path.name}"[:60].lower()
    url = store_url("postgres", tmp_path, schema).replace(
        "127.0.0.1:5432", f"127.0.0.1:{proxy.port}"
    )
    try:
        with serve("postgres", None, tmp_path, url) as server, Client(server.url) as client:
            task = client.enqueue("ECHO", 1)
            proxy.cut()
            with pytest.raises(ServerError) as down:
                client.get(task.id)
            assert down.value.status == 503 and "database" in down.value.message.lower()
            cli = _cli(server, "get", task.id)
            assert cli.returncode == 4
            assert cli.stderr.startswith("pyqueue: ") and "(HTTP 503)" in cli.stderr
            proxy.start()

            def back() -> bool:
                try:
                    client.stats()
                except ServerError:
                    return False
                return True

            wait_until(back, 60, "the server to reach its store again")
            assert client.wait(task.id, timeout=60).result == {"echo": 1}
    finally:
        drop_schema(schema)


def _cli(server: Server, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "pyqueue.cli", *args],
        cwd=BACKEND,
        env=server.env(),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
