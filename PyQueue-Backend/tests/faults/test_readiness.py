"""Readiness (`/api/ready`) when the store cannot take writes, and `pyqueue serve` refusing to be
open to the network without a token."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx2 as httpx
import psycopg
import pytest
from fastapi.testclient import TestClient
from psycopg import sql

from pyqueue.cli import is_loopback
from pyqueue.main import create_app
from tests.faults.harness import BACKEND, free_port, wait_for_health
from tests.stores.factory import POSTGRES_URL, drop_schema, postgres_reason, store_url
from tests.stores.tcp_proxy import TcpProxy
from tests.support import make_settings, skip_or_fail

PYQUEUE = Path(sys.executable).with_name("pyqueue")


def _env(**settings: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYQUEUE_")}
    env["PYTHONPATH"] = str(BACKEND)
    env.update(settings)
    return env


@pytest.fixture
def postgres_schema(tmp_path: Path) -> Iterator[str]:
    if reason := postgres_reason():
        skip_or_fail(reason)
    schema = f"pyqueue_ready_{tmp_path.name}"[:60].lower()
    yield schema
    drop_schema(schema)


@pytest.mark.postgres
def test_a_dropped_table_makes_postgres_not_ready(postgres_schema: str, tmp_path: Path) -> None:
    url = store_url("postgres", tmp_path, postgres_schema)
    with TestClient(create_app(make_settings(database_url=url, workers=0))) as client:
        assert client.get("/api/ready").status_code == 200
        with psycopg.connect(POSTGRES_URL, autocommit=True) as conn:
            table = sql.Identifier(postgres_schema, "pyqueue_readiness")
            conn.execute(sql.SQL("DROP TABLE {}").format(table))
        response = client.get("/api/ready")
        assert response.status_code == 503
        body = response.json()
        assert body["status"] == "not ready"
        assert "pyqueue_readiness" in body["detail"]
        assert response.headers["Retry-After"] == "5"
        assert client.get("/api/health").status_code == 200  # liveness is not readiness


@pytest.mark.postgres
@pytest.mark.slow
def test_an_unreachable_postgres_is_not_ready_until_it_returns(
    postgres_schema: str, tmp_path: Path
) -> None:
    proxy = TcpProxy(("127.0.0.1", 5432)).start()
    try:
        url = store_url("postgres", tmp_path, postgres_schema).replace(
            "127.0.0.1:5432", f"127.0.0.1:{proxy.port}"
        )
        with TestClient(create_app(make_settings(database_url=url, workers=0))) as client:
            assert client.get("/api/ready").status_code == 200
            proxy.cut()
            response = client.get("/api/ready")
            assert response.status_code == 503
            assert "unavailable" in response.json()["detail"]
            proxy.start()
            assert client.get("/api/ready").status_code == 200
    finally:
        proxy.cut()


@pytest.mark.sqlite
def test_a_sqlite_file_made_read_only_is_not_ready(tmp_path: Path) -> None:
    """root writes any file whatever its mode, so as root the server runs without the capability
    that lets it (as tests/faults/test_startup.py does)."""
    path = tmp_path / "ro.db"
    prefix = (
        ["setpriv", "--bounding-set=-dac_override,-dac_read_search"] if os.geteuid() == 0 else []
    )
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = _env(PYQUEUE_DATABASE_URL=f"sqlite:///{path}", PYQUEUE_WORKERS="0")
    process = subprocess.Popen(
        [*prefix, str(PYQUEUE), "serve", "--port", str(port)],
        cwd=tmp_path,
        env=env,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_for_health(process, base)
        assert httpx.get(f"{base}/api/ready", timeout=10).status_code == 200
        path.chmod(0o444)
        response = httpx.get(f"{base}/api/ready", timeout=10)
        assert response.status_code == 503
        assert "is read-only" in response.json()["detail"]
        path.chmod(0o644)
        assert httpx.get(f"{base}/api/ready", timeout=10).status_code == 200
    finally:
        process.terminate()
        process.wait(timeout=30)


# -- serving beyond this machine -----------------------------------------------------------------
def test_serving_on_a_public_address_without_a_token_is_refused(tmp_path: Path) -> None:
    port = free_port()
    done = subprocess.run(
        [str(PYQUEUE), "serve", "--host", "0.0.0.0", "--port", str(port)],
        cwd=tmp_path,
        env=_env(PYQUEUE_WORKERS="0"),
        capture_output=True,
        text=True,
        timeout=60,
    )
    lines = done.stderr.strip().splitlines()
    assert done.returncode == 2, done.stderr
    assert len(lines) == 1, done.stderr
    assert "refusing to serve on 0.0.0.0 without PYQUEUE_API_TOKEN" in lines[0]
    assert "PYQUEUE_ALLOW_OPEN=1" in lines[0]


@pytest.mark.parametrize(
    "settings",
    [{"PYQUEUE_ALLOW_OPEN": "1"}, {"PYQUEUE_API_TOKEN": "t0ken"}],
    ids=["allowed open", "with a token"],
)
def test_a_public_address_is_served_when_allowed_or_with_a_token(
    tmp_path: Path, settings: dict[str, str]
) -> None:
    port = free_port()
    process = subprocess.Popen(
        [str(PYQUEUE), "serve", "--host", "0.0.0.0", "--port", str(port)],
        cwd=tmp_path,
        env=_env(PYQUEUE_WORKERS="0", **settings),
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_for_health(process, f"http://127.0.0.1:{port}")
    finally:
        process.terminate()
        process.wait(timeout=30)


@pytest.mark.parametrize(
    ("host", "loopback"),
    [
        ("127.0.0.1", True),
        ("::1", True),
        ("localhost", True),
        ("127.0.0.2", True),
        ("0.0.0.0", False),
        ("::", False),
        ("192.0.2.10", False),
    ],
)
def test_loopback_hosts(host: str, loopback: bool) -> None:
    assert is_loopback(host) is loopback
