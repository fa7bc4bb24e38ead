"""`pyqueue serve` and `pyqueue worker` as a deployer meets them: the real command, real files.

A start-up problem is one clear line and exit code 2, before anything listens; a volatile store is
said out loud; stopping says what it waits for.
"""

from __future__ import annotations

import os
import signal
import socket
import sqlite3
import subprocess
import sys
from pathlib import Path

import httpx2 as httpx
import pytest

from pyqueue.stores.sqlite import SQLiteStore
from tests.faults.harness import BACKEND, free_port, wait_until

PYQUEUE = Path(sys.executable).with_name("pyqueue")
"""The console script of the virtualenv the tests run in."""


def _env(**settings: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYQUEUE_")}
    env["PYTHONPATH"] = str(BACKEND)
    env.update(settings)
    return env


def _run(
    command: list[str], cwd: Path, settings: dict[str, str], timeout: float = 30
) -> tuple[int, str]:
    """Run ``command`` to its end: (exit code, stderr); it must print nothing on stdout."""
    done = subprocess.run(
        command, cwd=cwd, env=_env(**settings), capture_output=True, text=True, timeout=timeout
    )
    assert done.stdout == ""
    return done.returncode, done.stderr


def _read_only(path: Path) -> list[str]:
    """A SQLite file that this process may not write, and the prefix that runs a command so.

    root writes to any file whatever its mode, so as root the command runs without the
    capabilities that let it (CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH)."""
    SQLiteStore(path).close()
    path.chmod(0o444)
    if os.geteuid() != 0:
        return []
    return ["setpriv", "--bounding-set=-dac_override,-dac_read_search"]


def _corrupt(path: Path) -> None:
    path.write_bytes(b"this is not a SQLite database " * 200)


@pytest.fixture
def bad_module(tmp_path: Path) -> str:
    (tmp_path / "raises_on_import.py").write_text("import os\n\nLIMIT = 1 / 0\n")
    return "raises_on_import"


CASES = {
    "bad scheme": ({"PYQUEUE_DATABASE_URL": "mysql://db/q"}, "Unsupported PYQUEUE_DATABASE_URL"),
    "missing module": (
        {"PYQUEUE_DATABASE_URL": "sqlite:///q.db", "PYQUEUE_TASK_MODULES": "no_such_tasks"},
        "cannot import 'no_such_tasks'",
    ),
    "module raises": (
        {"PYQUEUE_DATABASE_URL": "sqlite:///q.db", "PYQUEUE_TASK_MODULES": "raises_on_import"},
        "importing 'raises_on_import' failed: ZeroDivisionError",
    ),
    "corrupt file": ({"PYQUEUE_DATABASE_URL": "sqlite:///bad.db"}, "file is not a database"),
    "read-only file": ({"PYQUEUE_DATABASE_URL": "sqlite:///ro.db"}, "is read-only"),
}


@pytest.mark.sqlite
@pytest.mark.parametrize("command", ["serve", "worker"])
@pytest.mark.parametrize("case", list(CASES))
def test_a_start_up_problem_is_one_line_and_exit_2(
    tmp_path: Path, bad_module: str, command: str, case: str
) -> None:
    settings, expected = CASES[case]
    prefix: list[str] = []
    if case == "corrupt file":
        _corrupt(tmp_path / "bad.db")
    if case == "read-only file":
        prefix = _read_only(tmp_path / "ro.db")
    args = ["--port", str(free_port())] if command == "serve" else []
    settings = {**settings, "PYTHONPATH": f"{BACKEND}{os.pathsep}{tmp_path}"}
    code, stderr = _run([*prefix, str(PYQUEUE), command, *args], tmp_path, settings)
    lines = stderr.strip().splitlines()
    assert code == 2, stderr
    assert "Traceback" not in stderr
    assert len(lines) == 1, stderr
    assert " ERROR " in lines[0]
    assert expected in lines[0]


@pytest.mark.slow
def test_an_unreachable_database_is_one_line_and_exit_2(tmp_path: Path) -> None:
    """Nothing listens on the port: PostgreSQL's pool retries for its connect timeout (10 s), and
    the line says why it gave up instead of printing every retry."""
    url = f"postgresql://pyqueue@127.0.0.1:{free_port()}/pyqueue"
    command = [str(PYQUEUE), "serve", "--port", str(free_port())]
    code, stderr = _run(command, tmp_path, {"PYQUEUE_DATABASE_URL": url}, timeout=60)
    lines = stderr.strip().splitlines()
    assert code == 2, stderr
    assert "Traceback" not in stderr
    assert len(lines) == 1, stderr
    assert "Cannot start: Cannot connect to PostgreSQL" in lines[0]
    assert "Connection refused" in lines[0]


def test_a_port_in_use_is_one_line_and_exit_2(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        command = [str(PYQUEUE), "serve", "--port", str(port)]
        code, stderr = _run(command, tmp_path, {"PYQUEUE_DATABASE_URL": "sqlite:///q.db"})
    lines = stderr.strip().splitlines()
    assert code == 2, stderr
    assert len(lines) == 1, stderr
    assert f"cannot listen on 127.0.0.1:{port}" in lines[0]
    assert "Address already in use" in lines[0]
    assert not (tmp_path / "q.db").exists()  # refused before the store was opened


def test_a_worker_refuses_the_memory_store(tmp_path: Path) -> None:
    """A memory:// worker could never receive a task (the default store when nothing is set)."""
    code, stderr = _run([str(PYQUEUE), "worker"], tmp_path, {})
    lines = stderr.strip().splitlines()
    assert code == 2, stderr
    assert len(lines) == 1, stderr
    assert "pyqueue worker needs a store it shares with the API" in lines[0]


@pytest.mark.sqlite
def test_the_read_only_file_really_cannot_be_written(tmp_path: Path) -> None:
    """The read-only case above is not vacuous: a plain write to the file fails the same way."""
    path = tmp_path / "ro.db"
    prefix = _read_only(path)
    probe = f"import sqlite3; sqlite3.connect({str(path)!r}).execute('PRAGMA user_version = 9')"
    done = subprocess.run(
        [*prefix, sys.executable, "-c", probe], capture_output=True, text=True, timeout=30
    )
    assert done.returncode == 1
    assert "attempt to write a readonly database" in done.stderr
    with sqlite3.connect(path) as conn:
        assert conn.execute("PRAGMA user_version").fetchone()[0] != 9


@pytest.mark.slow
def test_serve_on_memory_warns_and_stopping_says_what_it_waits_for(tmp_path: Path) -> None:
    server_log = tmp_path / "server.log"
    port = free_port()
    api = f"http://127.0.0.1:{port}/api"
    env = _env(
        PYQUEUE_TASK_MODULES="tests.fault_tasks",
        PYQUEUE_TEST_RUNLOG=str(tmp_path / "runs.log"),
        PYQUEUE_WORKERS="2",
        PYQUEUE_SHUTDOWN_TIMEOUT="1",
        PYQUEUE_LOG_LEVEL="INFO",
    )
    with server_log.open("wb") as log:
        process = subprocess.Popen(
            [str(PYQUEUE), "serve", "--port", str(port)], cwd=tmp_path, env=env, stderr=log
        )
    try:

        def healthy() -> bool:
            assert process.poll() is None, server_log.read_text()
            try:
                return httpx.get(f"{api}/health", timeout=1).status_code == 200
            except httpx.HTTPError:
                return False

        wait_until(healthy, 30, "the server to answer")
        held = httpx.post(f"{api}/enqueue", json={"t_type": "HOLD", "payload": {}}, timeout=5)
        assert held.status_code == 201
        task_id = held.json()["id"]
        running = f"{api}/jobs/{task_id}"
        wait_until(
            lambda: httpx.get(running, timeout=5).json()["status"] == "INPROGRESS",
            30,
            "the task to run",
        )
        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=30) == 0
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    text = server_log.read_text()
    lines = text.splitlines()
    warning = next(i for i, line in enumerate(lines) if "memory://" in line)
    serving = next(i for i, line in enumerate(lines) if "Serving on" in line)
    assert " WARNING " in lines[warning]
    assert "lost when it exits" in lines[warning]
    assert warning < serving
    assert "Stopping: waiting up to 1 s for 1 running task (PYQUEUE_SHUTDOWN_TIMEOUT)" in text
    assert "Traceback" not in text
