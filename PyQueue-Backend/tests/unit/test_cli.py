"""The ``pyqueue`` command line."""

from __future__ import annotations

import json
import logging
import os
from pathlib import Path

import pytest

from pyqueue import Settings, build_queue
from pyqueue.cli import _settings, freeze_start_up_objects, main
from pyqueue.main import stop_queue
from tests import sample_tasks
from tests.support import make_settings


def test_openapi_prints_the_contract(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["openapi"]) == 0
    schema = json.loads(capsys.readouterr().out)
    assert schema["info"]["title"] == "PyQueue"
    assert {"/api/enqueue", "/api/jobs", "/api/jobs/{task_id}/retry"} <= set(schema["paths"])


def test_bad_settings_exit_2_naming_the_variable(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setenv("PYQUEUE_WORKERS", "-3")
    logging.getLogger("pyqueue").propagate = True
    with caplog.at_level(logging.ERROR, logger="pyqueue.cli"):
        assert main(["serve"]) == 2
    assert "PYQUEUE_WORKERS" in caplog.text


@pytest.fixture
def bare_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """No PYQUEUE_ variable set, and an empty working directory (no .env)."""
    for name in list(os.environ):
        if name.startswith("PYQUEUE_"):
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_the_default_store_applies_only_when_no_url_is_set_anywhere(
    bare_env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """What `make run` relies on: its SQLite file is PYQUEUE_DEFAULT_DATABASE_URL, so a
    PYQUEUE_DATABASE_URL in .env or in the environment wins over it."""
    assert Settings().database_url == "memory://"
    monkeypatch.setenv("PYQUEUE_DEFAULT_DATABASE_URL", "sqlite:///default.db")
    assert Settings().database_url == "sqlite:///default.db"
    (bare_env / ".env").write_text("PYQUEUE_DATABASE_URL=sqlite:///from-dotenv.db\n")
    assert Settings().database_url == "sqlite:///from-dotenv.db"
    monkeypatch.setenv("PYQUEUE_DATABASE_URL", "sqlite:///from-env.db")
    assert Settings().database_url == "sqlite:///from-env.db"
    assert Settings(database_url="sqlite:///given.db").database_url == "sqlite:///given.db"


def test_env_files_are_read_in_order_and_must_exist(
    bare_env: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    backend = bare_env / "backend.env"
    backend.write_text("PYQUEUE_DATABASE_URL=sqlite:///backend.db\nPYQUEUE_WORKERS=3\n")
    root = bare_env / "root.env"
    root.write_text("PYQUEUE_DATABASE_URL=sqlite:///root.db\n")
    settings = _settings([str(backend), str(root)])
    assert (settings.database_url, settings.workers) == ("sqlite:///root.db", 3)
    monkeypatch.setattr(logging.getLogger("pyqueue"), "propagate", True)
    with caplog.at_level(logging.ERROR, logger="pyqueue.cli"):
        assert main(["--env-file", str(bare_env / "missing.env"), "worker"]) == 2
    assert "--env-file" in caplog.text
    assert "missing.env: no such file" in caplog.text


def test_stopping_says_what_it_waits_for(
    fresh_sample_tasks: None, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    queue = build_queue(make_settings(workers=2))
    queue.start()
    try:
        running = [queue.enqueue("BLOCK", i) for i in range(2)]
        for _ in running:
            sample_tasks.started.get(timeout=10)
    finally:
        monkeypatch.setattr(logging.getLogger("pyqueue"), "propagate", True)
        with caplog.at_level(logging.INFO, logger="pyqueue.queue"):
            stop_queue(queue, 0.05)
    assert (
        "Stopping: waiting up to 0.05 s for 2 running tasks (PYQUEUE_SHUTDOWN_TIMEOUT), then they "
        "are requeued" in caplog.messages
    )


def test_stopping_an_idle_queue_says_so(
    caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    queue = build_queue(make_settings(workers=1))
    queue.start()
    monkeypatch.setattr(logging.getLogger("pyqueue"), "propagate", True)
    with caplog.at_level(logging.INFO, logger="pyqueue.queue"):
        stop_queue(queue, 5)
    assert "Stopping: no task is running" in caplog.messages


def test_start_up_objects_are_frozen_out_of_the_collectors_sight() -> None:
    """``pyqueue serve`` and ``pyqueue worker`` freeze what start-up made; later objects are still
    collected (a reference cycle made after the freeze is freed)."""
    import gc
    import weakref

    class Node:
        other: object = None

    try:
        freeze_start_up_objects()
        assert gc.get_freeze_count() > 0
        node = Node()
        node.other = node
        gone = weakref.ref(node)
        del node
        gc.collect()
        assert gone() is None
    finally:
        gc.unfreeze()


def test_a_worker_process_runs_with_an_event_bus_that_keeps_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # ``pyqueue worker --burst`` in this process, on a SQLite file holding three tasks: it drains
    # them with a bus that wants no tasks (so ends are recorded without reading them back).
    import signal

    from pyqueue import cli

    url = f"sqlite:///{tmp_path / 'q.db'}"
    producer = build_queue(make_settings(database_url=url, workers=0))
    tasks = [producer.enqueue("ECHO", i) for i in range(3)]
    built: list[object] = []
    real_build = cli._build_queue

    def build(settings: Settings, events: object = None) -> object:
        built.append(events)
        queue = real_build(settings, events)  # type: ignore[arg-type]
        built.append(queue)
        return queue

    monkeypatch.setattr(cli, "_build_queue", build)
    monkeypatch.setattr(cli, "freeze_start_up_objects", lambda: None)
    monkeypatch.setenv("PYQUEUE_DATABASE_URL", url)
    monkeypatch.setenv("PYQUEUE_TASK_MODULES", "tests.sample_tasks")
    env_file = tmp_path / "empty.env"
    env_file.write_text("")
    handlers = {s: signal.getsignal(s) for s in (signal.SIGTERM, signal.SIGINT)}
    try:  # main() installs its own signal handlers: put these back after
        assert main(["--env-file", str(env_file), "worker", "--burst", "--concurrency", "2"]) == 0
    finally:
        for signum, handler in handlers.items():
            signal.signal(signum, handler)
    bus = built[0]
    assert bus is not None and not bus.wants_tasks  # type: ignore[attr-defined]
    for task in tasks:
        done = producer.store.get(task.t_id)
        assert done is not None and done.status.value == "COMPLETED"
    producer.close()
