"""A real ``pyqueue serve`` for the client tests: its own process, port and store."""

from __future__ import annotations

import os
import signal
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from tests.faults.harness import BACKEND, free_port, start_server

TOKEN = "client-test-token-7Hq2"


@dataclass(frozen=True)
class Server:
    url: str
    token: str | None
    kind: str

    def env(self, **extra: str) -> dict[str, str]:
        """An environment for a ``pyqueue`` CLI process (no PYQUEUE_* of ours leaks in)."""
        env = {k: v for k, v in os.environ.items() if not k.startswith("PYQUEUE_")}
        env.update(PYQUEUE_URL=self.url, PYTHONPATH=str(BACKEND))
        if self.token:
            env["PYQUEUE_TOKEN"] = self.token
        env.update(extra)
        return env


@contextmanager
def serve(
    kind: str, token: str | None, folder: Path, database_url: str | None = None
) -> Iterator[Server]:
    """``pyqueue serve`` on ``kind`` (memory or sqlite, or ``database_url``), stopped with SIGTERM
    afterwards."""
    port = free_port()
    if database_url is None:
        database_url = "memory://" if kind == "memory" else f"sqlite:///{folder / 'q.db'}"
    settings = {
        "PYQUEUE_DATABASE_URL": database_url,
        "PYQUEUE_TASK_MODULES": "tests.client.handlers",
        "PYQUEUE_WORKERS": "2",
        "PYQUEUE_RETRY_BACKOFF_BASE": "0",
        "PYQUEUE_RETRY_BACKOFF_MAX": "0",
        "PYQUEUE_POLL_INTERVAL": "0.2",
        "PYQUEUE_SHUTDOWN_TIMEOUT": "1",
        "PYQUEUE_LOG_LEVEL": "WARNING",
    }
    if token:
        settings["PYQUEUE_API_TOKEN"] = token
    process = start_server(port, **settings)
    url = f"http://127.0.0.1:{port}"
    try:
        yield Server(url, token, kind)
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
