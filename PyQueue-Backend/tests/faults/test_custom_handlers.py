"""The custom-handler example of additional_docs/api.md, run as written: saved as ``myapp/tasks.py``
in a fresh working directory, loaded by the installed ``pyqueue`` command through
``PYQUEUE_TASK_MODULES=myapp.tasks`` (regression: "No module named 'myapp'", the command's own
folder was all Python searched), its sync and async handlers both run by ``serve`` and ``worker``.
"""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path
from typing import Any

import httpx2 as httpx
import pytest

from pyqueue.enums import TaskStatus
from pyqueue.models.task import Task
from pyqueue.stores import open_store
from tests.faults.harness import BACKEND, free_port, wait_for_health, wait_until

API_MD = BACKEND.parent / "additional_docs" / "api.md"
PYQUEUE = Path(os.environ.get("VIRTUAL_ENV", BACKEND / ".venv")) / "bin" / "pyqueue"
MARKER = "<!-- tested by PyQueue-Backend/tests/faults/test_custom_handlers.py"

pytestmark = pytest.mark.sqlite


def documented_example() -> str:
    """The Python block that follows the marker in api.md."""
    text = API_MD.read_text(encoding="utf-8")
    after = text[text.index(MARKER) :]
    match = re.search(r"```python\n(.*?)```", after, flags=re.DOTALL)
    assert match is not None, "api.md lost its custom-handler example"
    return match.group(1)


def documented_results() -> dict[str, Any]:
    """What api.md says the two example tasks answer."""
    return {
        "INVOICE": {"sent_to": "ada@example.com", "attempt": 1},
        "FETCH": {"url": "https://example.com", "status": "fetched"},
    }


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A working directory holding ``myapp/tasks.py`` (the example, verbatim) and nothing else."""
    code = documented_example()
    assert code.startswith("# myapp/tasks.py\n")
    (tmp_path / "myapp").mkdir()
    (tmp_path / "myapp" / "tasks.py").write_text(code, encoding="utf-8")
    return tmp_path


def env(**extra: str) -> dict[str, str]:
    clean = {
        k: v for k, v in os.environ.items() if not k.startswith("PYQUEUE_") and k != "PYTHONPATH"
    }
    clean.update(
        PYQUEUE_TASK_MODULES="myapp.tasks",
        PYQUEUE_DATABASE_URL="sqlite:///app.db",  # relative to the working directory, as documented
        PYQUEUE_LOG_LEVEL="WARNING",
        **extra,
    )
    return clean


def test_the_documented_example_matches_what_this_test_expects() -> None:
    text = API_MD.read_text(encoding="utf-8")
    for t_type, result in documented_results().items():
        shown = ", ".join(f'"{k}": {_json(v)}' for k, v in result.items())
        assert "{" + shown + "}" in text, f"api.md no longer shows the result of {t_type}"
    assert "PYQUEUE_TASK_MODULES=myapp.tasks" in text


def _json(value: Any) -> str:
    return f'"{value}"' if isinstance(value, str) else str(value)


def test_serve_runs_the_documented_handlers_from_the_working_directory(project: Path) -> None:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = subprocess.Popen(
        [str(PYQUEUE), "serve", "--port", str(port)], cwd=project, env=env(PYQUEUE_WORKERS="2")
    )
    try:
        wait_for_health(server, base)
        payloads = {
            "INVOICE": {"customer": "ada@example.com"},
            "FETCH": {"url": "https://example.com"},
        }
        ids = {}
        for t_type, payload in payloads.items():
            response = httpx.post(
                f"{base}/api/enqueue", json={"t_type": t_type, "payload": payload}, timeout=10
            )
            assert response.status_code == 201, response.text
            ids[t_type] = response.json()["id"]

        def job(t_type: str) -> dict[str, Any]:
            body: dict[str, Any] = httpx.get(f"{base}/api/jobs/{ids[t_type]}", timeout=10).json()
            return body

        def finished() -> bool:
            return all(job(t)["status"] in ("COMPLETED", "FAILED") for t in ids)

        wait_until(finished, 30, "both example tasks to finish")
        for t_type in ids:
            done = job(t_type)
            assert done["status"] == "COMPLETED", done
            assert done["result"] == documented_results()[t_type]
    finally:
        server.terminate()
        server.wait(timeout=30)


def test_worker_runs_the_documented_handlers_from_the_working_directory(project: Path) -> None:
    store = open_store(f"sqlite:///{project / 'app.db'}")
    tasks = [
        Task.create("INVOICE", {"customer": "ada@example.com"}, 0),
        Task.create("FETCH", {"url": "https://example.com"}, 0),
    ]
    store.add(tasks)
    try:
        worker = subprocess.run(
            [str(PYQUEUE), "worker", "--burst", "--concurrency", "2"],
            cwd=project,
            env=env(),
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert worker.returncode == 0, worker.stderr
        for task in tasks:
            done = store.get(task.t_id)
            assert done is not None
            assert done.status is TaskStatus.COMPLETED, done.last_error
            assert done.result == documented_results()[task.t_type]
    finally:
        store.close()
