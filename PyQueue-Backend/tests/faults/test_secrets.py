"""Real processes never print a credential: not a database password, not the API token."""

from __future__ import annotations

import signal
import subprocess
import sys
from pathlib import Path

import httpx2 as httpx
import pytest

from tests.faults.harness import BACKEND, Cluster, free_port, wait_for_health

pytestmark = pytest.mark.slow

BAD_URL = "postgresql://admin:hunter2@[::1/db"
"""A malformed URL: libpq's error message quotes it whole (the pool retried it four times)."""


def _popen(cluster: Cluster, args: list[str], **env: str) -> subprocess.Popen[str]:
    process = subprocess.Popen(
        [sys.executable, *args],
        cwd=BACKEND,
        env=cluster.env(**env),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    cluster.processes.append(process)  # type: ignore[arg-type]
    return process


def test_a_password_in_a_bad_database_url_is_never_printed(tmp_path: Path) -> None:
    cluster = Cluster(BAD_URL, tmp_path / "runs.log")
    commands = {
        "pyqueue worker": ["-m", "pyqueue.cli", "worker"],
        "pyqueue serve": ["-m", "pyqueue.cli", "serve", "--port", str(free_port())],
        "uvicorn main:app": ["-m", "uvicorn", "main:app", "--port", str(free_port())],
    }
    try:
        started = {
            name: _popen(cluster, args, PYQUEUE_LOG_LEVEL="INFO") for name, args in commands.items()
        }
        for name, process in started.items():  # each gives up on the pool after ~10 s
            out, err = process.communicate(timeout=60)
            assert process.returncode != 0, name
            assert "hunter2" not in out + err, f"{name} printed the password:\n{out}{err}"
            assert "admin:***@" in err, f"{name} no longer says which URL failed:\n{err}"
    finally:
        cluster.stop_all()


def test_a_token_in_a_query_string_is_masked_in_the_access_log(tmp_path: Path) -> None:
    token = "s3cret-access-token"
    cluster = Cluster("memory://", tmp_path / "runs.log")
    port = free_port()
    server = _popen(
        cluster,
        ["-m", "uvicorn", "main:app", "--port", str(port)],  # access log on, at INFO
        PYQUEUE_API_TOKEN=token,
        PYQUEUE_LOG_LEVEL="INFO",
    )
    api = f"http://127.0.0.1:{port}/api"
    try:
        wait_for_health(server, f"http://127.0.0.1:{port}")
        assert httpx.get(f"{api}/jobs", params={"access_token": token}).status_code == 401
        assert httpx.get(f"{api}/types", params={"token": token}).status_code == 401
        bearer = {"Authorization": f"Bearer {token}"}
        assert httpx.get(f"{api}/jobs", params={"limit": 1}, headers=bearer).status_code == 200
        server.send_signal(signal.SIGTERM)
        out, err = server.communicate(timeout=30)
    finally:
        cluster.stop_all()
    assert token not in out + err
    assert '"GET /api/jobs?access_token=*** HTTP/1.1" 401' in out
    assert '"GET /api/types?token=*** HTTP/1.1" 401' in out
    assert '"GET /api/jobs?limit=1 HTTP/1.1" 200' in out
