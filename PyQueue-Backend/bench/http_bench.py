"""HTTP enqueue: a server in a subprocess, the load generator in this one, both on 127.0.0.1.

PyQueue runs as ``python -m pyqueue.cli serve`` (what ``pyqueue serve`` runs) with no worker
threads (``PYQUEUE_WORKERS=0``), so the figure is the API's alone; the baseline is
:mod:`bench.bare_app` under the same ``uvicorn.run`` settings.
"""

from __future__ import annotations

import contextlib
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

from bench.loadgen import run_load
from bench.servers import fresh_database
from bench.stats import Record, record

BACKEND = Path(__file__).resolve().parents[1]
SERVERS = ("fastapi-bare", "pyqueue-memory", "pyqueue-sqlite", "pyqueue-postgres")
CONNECTIONS = 50
BATCH = 100
BATCH_CONNECTIONS = 4


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _command(system: str, port: int, workdir: str) -> tuple[list[str], dict[str, str]]:
    env = dict(os.environ, PYTHONPATH=str(BACKEND))
    if system == "fastapi-bare":
        return [sys.executable, "-m", "bench.bare_app", "--port", str(port)], env
    store = system.removeprefix("pyqueue-")
    url = {
        "memory": "memory://",
        "sqlite": f"sqlite:///{workdir}/http.db",
        "postgres": fresh_database("http") if store == "postgres" else "",
    }[store]
    env.update(
        PYQUEUE_DATABASE_URL=url,
        PYQUEUE_WORKERS="0",
        PYQUEUE_TASK_MODULES="bench.pyqueue_tasks",
        PYQUEUE_LOG_LEVEL="WARNING",
    )
    return [sys.executable, "-m", "pyqueue.cli", "serve", "--port", str(port)], env


@contextlib.contextmanager
def serving(system: str) -> Iterator[int]:
    """Start the server for ``system``, wait for its health route, stop it afterwards."""
    port = _free_port()
    with tempfile.TemporaryDirectory(prefix="pyqueue-http-") as workdir:
        command, env = _command(system, port, workdir)
        proc = subprocess.Popen(command, env=env, cwd=workdir)
        try:
            _wait_healthy(port, proc)
            yield port
        finally:
            proc.terminate()
            try:
                proc.wait(15)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


def _wait_healthy(port: int, proc: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"the server exited with {proc.returncode}")
        with (
            contextlib.suppress(OSError),
            urllib.request.urlopen(f"http://127.0.0.1:{port}/api/health", timeout=1),
        ):
            return
        time.sleep(0.1)
    raise TimeoutError("the server did not answer /api/health within 30 s")


def _task(i: int) -> dict[str, object]:
    return {"payload": {"i": i}, "t_type": "BENCH"}


SINGLE_BODY = json.dumps(_task(0)).encode()
"""The body of ``POST /api/enqueue``: one no-op task."""
BATCH_BODY = json.dumps({"tasks": [_task(i) for i in range(BATCH)]}).encode()
"""The body of ``POST /api/enqueue/batch``: :data:`BATCH` no-op tasks."""


def run_http(system: str, scenarios: list[str], size: int, repeat: int) -> list[Record]:
    single, batch = SINGLE_BODY, BATCH_BODY
    records: list[Record] = []
    with serving(system) as port:
        run_load(port, "/api/enqueue", single, 500, CONNECTIONS)  # warm up
        if "http" in scenarios:
            runs = []
            for _ in range(repeat):
                result = run_load(port, "/api/enqueue", single, size, CONNECTIONS)
                _check(result.errors, system)
                runs.append(result.rate)
            records.append(
                record(system, "http", "noop", "tasks/s", runs, size, connections=CONNECTIONS)
            )
        if "http-batch" in scenarios:
            requests = max(1, size // BATCH)
            runs = []
            for _ in range(repeat):
                result = run_load(port, "/api/enqueue/batch", batch, requests, BATCH_CONNECTIONS)
                _check(result.errors, system)
                runs.append(result.rate * BATCH)
            records.append(
                record(
                    system,
                    "http-batch",
                    "noop",
                    "tasks/s",
                    runs,
                    requests * BATCH,
                    batch=BATCH,
                    connections=BATCH_CONNECTIONS,
                )
            )
    return records


def _check(errors: int, system: str) -> None:
    if errors:
        raise RuntimeError(f"{system}: {errors} requests got an unexpected status")
