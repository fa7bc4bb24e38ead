"""``pyqueue enqueue|get|jobs|stats|retry|cancel|delete`` as a user runs them: a real process
talking to a real server; output, ``--json`` and exit codes."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from pyqueue import Client
from pyqueue.enums import TaskStatus
from tests.client.server import TOKEN, Server
from tests.faults.harness import BACKEND, free_port

LONG = "3600"


def pyqueue(server: Server, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "pyqueue.cli", *args],
        cwd=BACKEND,
        env=server.env(**env),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def as_json(result: subprocess.CompletedProcess[str]) -> Any:
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def detail(result: subprocess.CompletedProcess[str]) -> dict[str, str]:
    """The ``name  value`` lines of a task shown as a table."""
    assert result.returncode == 0, result.stderr
    return dict(line.split(None, 1) for line in result.stdout.splitlines())


def one_error_line(result: subprocess.CompletedProcess[str]) -> str:
    assert result.stdout == ""
    [line] = result.stderr.splitlines()
    assert line.startswith("pyqueue: ")
    return line


@pytest.fixture
def client(memory_server: Server) -> Iterator[Client]:
    with Client(memory_server.url) as client:
        yield client


def test_enqueue_shows_the_task_or_its_json(memory_server: Server) -> None:
    shown = detail(pyqueue(memory_server, "enqueue", "echo", "--payload", '{"to": "ada"}'))
    assert shown["type"] == "ECHO" and shown["payload"] == '{"to": "ada"}'
    assert shown["id"].startswith("Task-") and shown["status"] == "QUEUED"
    body = as_json(
        pyqueue(
            memory_server,
            *("enqueue", "PARKED", "--priority", "9", "--delay", LONG),
            *("--max-retries", "1", "--json"),
        )
    )
    assert (body["type"], body["priority"], body["max_retries"], body["payload"]) == (
        "PARKED",
        9,
        1,
        None,
    )
    assert body["next_run_at"] is not None
    when = (datetime.now(UTC) + timedelta(days=2)).replace(microsecond=0)
    at = as_json(
        pyqueue(memory_server, "enqueue", "PARKED", "--run-at", when.isoformat(), "--json")
    )
    assert datetime.fromisoformat(at["next_run_at"]) == when
    generic = pyqueue(
        memory_server,
        *("enqueue", "PARKED", "--json", "--option", "max_retries=5"),
        *("--option", f"run_at={when.isoformat()}"),  # not JSON: taken as text
    )
    assert (as_json(generic)["max_retries"], as_json(generic)["next_run_at"]) == (
        5,
        at["next_run_at"],
    )


def test_bad_input_is_a_usage_error_and_sends_nothing(
    memory_server: Server, client: Client
) -> None:
    before = client.stats().total
    bad_json = pyqueue(memory_server, "enqueue", "ECHO", "--payload", "{oops")
    assert bad_json.returncode == 2
    assert one_error_line(bad_json).startswith("pyqueue: --payload is not valid JSON: ")
    out_of_range = pyqueue(memory_server, "enqueue", "ECHO", "--priority", "1000000")
    assert out_of_range.returncode == 2
    assert "priority: Input should be less than or equal to 100" in one_error_line(out_of_range)
    assert pyqueue(memory_server, "enqueue", "ECHO", "--priority", "high").returncode == 2
    assert pyqueue(memory_server, "jobs", "--limit", "0").returncode == 2
    unknown = pyqueue(memory_server, "enqueue", "ECHO", "--option", "colour=1")
    assert unknown.returncode == 2 and one_error_line(unknown) == "pyqueue: colour: unknown field"
    assert pyqueue(memory_server, "enqueue", "ECHO", "--option", "priority").returncode == 2
    bad_url = pyqueue(memory_server, "stats", "--url", "localhost:8000")
    assert bad_url.returncode == 2 and "server URL" in one_error_line(bad_url)
    assert client.stats().total == before


def test_a_refusal_is_exit_1_with_the_server_message(memory_server: Server, client: Client) -> None:
    missing = pyqueue(memory_server, "retry", "Task-00000000000000000000000000")
    assert missing.returncode == 1
    assert one_error_line(missing) == (
        "pyqueue: Job Task-00000000000000000000000000 not found (HTTP 404)"
    )
    done = client.wait(client.enqueue("ECHO", 1).id, timeout=30)
    conflict = pyqueue(memory_server, "retry", done.id)
    assert conflict.returncode == 1
    assert "cannot be retried" in one_error_line(conflict) and "(HTTP 409)" in conflict.stderr
    unknown = pyqueue(memory_server, "enqueue", "NO_SUCH_TYPE")
    assert unknown.returncode == 1 and "Unknown task type" in one_error_line(unknown)


def test_jobs_table_json_and_filters(memory_server: Server, client: Client) -> None:
    ids = {t.id for t in client.enqueue_many([{"t_type": "PARKED", "delay_seconds": 3600}] * 3)}
    table = pyqueue(memory_server, "jobs", "--type", "parked", "--status", "queued", "--limit", "2")
    assert table.returncode == 0, table.stderr
    header, first, second, footer = table.stdout.splitlines()
    columns = "ID TYPE STATUS PRIORITY ATTEMPTS CREATED (UTC) LAST ERROR"
    assert header.split() == columns.split()
    assert first.split()[1:3] == ["PARKED", "QUEUED"] and second.split()[1:3] == [
        "PARKED",
        "QUEUED",
    ]
    total = client.page("QUEUED", "PARKED").total
    assert footer == f"2 of {total} tasks (--limit N or --all for more)"
    everything = as_json(pyqueue(memory_server, "jobs", "--type", "PARKED", "--all", "--json"))
    assert len(everything) == total and ids <= {t["id"] for t in everything}
    assert {t["status"] for t in everything} <= {s.value for s in TaskStatus}
    none = pyqueue(memory_server, "jobs", "--type", "HOLD", "--status", "completed", "--json")
    assert as_json(none) == []


def test_control_characters_in_task_data_are_escaped(memory_server: Server, client: Client) -> None:
    task = client.enqueue("FAIL", {"message": "\x1b[31mred\nsecond line"}, max_retries=0)
    client.wait(task.id, timeout=30)
    for args in (("get", task.id), ("jobs", "--type", "FAIL", "--status", "failed")):
        shown = pyqueue(memory_server, *args)
        assert shown.returncode == 0, shown.stderr
        assert "\x1b" not in shown.stdout
        assert "\\x1b[31mred\\nsecond line" in shown.stdout


def test_stats_table_and_json(memory_server: Server, client: Client) -> None:
    client.enqueue("PARKED", delay_seconds=3600)
    table = pyqueue(memory_server, "stats")
    assert table.returncode == 0, table.stderr
    lines = table.stdout.splitlines()
    assert lines[0].split() == ["STATUS", "TASKS"]
    assert any(line.split()[0] == "PARKED" for line in lines if line)
    assert lines[-1].endswith("workers: 0 busy of 2 in 1 process") or "busy of 2" in lines[-1]
    stats = as_json(pyqueue(memory_server, "stats", "--json"))
    assert stats["total"] == sum(stats["by_status"].values()) and stats["workers"]["total"] == 2


def test_cancel_retry_delete(memory_server: Server, client: Client) -> None:
    task = client.enqueue("PARKED", delay_seconds=3600)
    assert detail(pyqueue(memory_server, "cancel", task.id))["status"] == "CANCELLED"
    assert as_json(pyqueue(memory_server, "retry", task.id, "--json"))["status"] == "QUEUED"
    deleted = pyqueue(memory_server, "delete", task.id)
    assert deleted.returncode == 0 and deleted.stdout == f"Job {task.id} deleted!\n"
    gone = pyqueue(memory_server, "delete", task.id, "--json")
    assert gone.returncode == 1 and "(HTTP 404)" in one_error_line(gone)


def test_no_server_is_exit_3(memory_server: Server) -> None:
    nowhere = pyqueue(memory_server, "stats", PYQUEUE_URL=f"http://127.0.0.1:{free_port()}")
    assert nowhere.returncode == 3
    assert one_error_line(nowhere).startswith("pyqueue: cannot reach http://127.0.0.1:")


def test_the_token_from_the_environment_or_the_option(memory_token_server: Server) -> None:
    anonymous = pyqueue(memory_token_server, "stats", PYQUEUE_TOKEN="")
    assert anonymous.returncode == 1
    assert one_error_line(anonymous).startswith("pyqueue: A valid API token is required")
    assert "(HTTP 401)" in anonymous.stderr
    wrong = pyqueue(memory_token_server, "jobs", PYQUEUE_TOKEN="not-it")
    assert wrong.returncode == 1 and "not-it" not in wrong.stderr
    assert pyqueue(memory_token_server, "stats").returncode == 0  # PYQUEUE_TOKEN
    by_option = pyqueue(memory_token_server, "stats", "--json", "--token", TOKEN, PYQUEUE_TOKEN="")
    assert by_option.returncode == 0 and TOKEN not in by_option.stdout + by_option.stderr


def test_help_names_the_exit_codes(memory_server: Server) -> None:
    shown = pyqueue(memory_server, "jobs", "--help")
    assert shown.returncode == 0
    text = " ".join(shown.stdout.split())
    assert "exit codes: 0 done; 1 the server refused the request" in text
    assert "3 the server could not be reached" in text
