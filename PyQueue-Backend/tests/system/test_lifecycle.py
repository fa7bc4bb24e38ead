"""Start, stop and drain: shutdown never waits for the backlog and loses nothing."""

from __future__ import annotations

import time

import pytest

from pyqueue import NewTask
from pyqueue.enums import TaskStatus
from pyqueue.errors import ConfigurationError, QueueStopped
from pyqueue.main import build_queue
from tests import sample_tasks
from tests.support import MakeQueue, make_settings


def test_shutdown_with_a_backlog_returns_promptly_and_keeps_it_queued(
    make_queue: MakeQueue,
) -> None:
    queue = make_queue(workers=2, demo_time_scale=1)
    tasks = queue.enqueue_many([NewTask("TAKESLONG", i) for i in range(500)])
    assert queue.wait_for_status(tasks[1].t_id, "INPROGRESS", timeout=10)
    began = time.monotonic()
    queue.stop(timeout=0.2)
    # 500 tasks of 10 s on 2 workers would take 2500 s; shutdown takes the timeout plus a little
    assert time.monotonic() - began < 5
    assert queue.join(timeout=5)
    counts = queue.store.counts()
    assert counts.by_status[TaskStatus.QUEUED] == 500
    interrupted = [queue.store.get(t.t_id) for t in tasks[:2]]
    assert all(t is not None and t.attempts == 0 and t.last_error for t in interrupted)
    with pytest.raises(QueueStopped):
        queue.enqueue("EMAIL", "late")


def test_shutdown_lets_running_tasks_finish_within_the_timeout(make_queue: MakeQueue) -> None:
    queue = make_queue(workers=1)
    task = queue.enqueue("BLOCK", "x")
    assert sample_tasks.started.get(timeout=10) == task.t_id
    sample_tasks.release.set()
    queue.stop(timeout=10)
    finished = queue.store.get(task.t_id)
    assert finished is not None and finished.status is TaskStatus.COMPLETED


def test_api_only_queue_runs_nothing(make_queue: MakeQueue) -> None:
    queue = make_queue(workers=0)
    task = queue.enqueue("ECHO", 1)
    assert not queue.wait_for_status(task.t_id, "COMPLETED", timeout=0.3)
    assert queue.stats().workers == 0


def test_custom_handlers_register_from_task_modules(make_queue: MakeQueue) -> None:
    queue = make_queue(workers=1, task_modules=["tests.sample_tasks"])
    assert "ECHO" in {spec.name for spec in queue.types()}
    task = queue.enqueue("echo", {"a": 1})
    assert queue.wait_idle(timeout=10)
    done = queue.store.get(task.t_id)
    assert done is not None and done.result == {"echo": {"a": 1}, "attempt": 1}


def test_unknown_task_module_is_a_clear_configuration_error() -> None:
    with pytest.raises(ConfigurationError, match="no_such_module"):
        build_queue(make_settings(task_modules=["tests.no_such_module"]))


def test_automatic_retry_waits_in_queued_with_next_run_at(make_queue: MakeQueue) -> None:
    queue = make_queue(workers=1, retry_backoff_base=30, retry_backoff_max=60)
    task = queue.enqueue("FAILABS", 1)
    seq = queue.events.last_seq
    while (current := queue.store.get(task.t_id)) is not None and current.attempts == 0:
        seq = queue.events.wait_after(seq, 5)
    assert queue.wait_for_status(task.t_id, "QUEUED", timeout=10)
    waiting = queue.store.get(task.t_id)
    assert waiting is not None and waiting.next_run_at is not None
    assert waiting.last_error and waiting.attempts == 1
    assert (waiting.next_run_at - waiting.updated_at).total_seconds() >= 15


def test_a_queue_remembers_published_versions_only_where_it_relays_a_change_feed(
    every_store_url: str, make_queue: MakeQueue
) -> None:
    # SQLite and PostgreSQL are shared by processes, whose changes the relay publishes here
    # unless this process published that version itself; memory is this process's alone
    queue = make_queue(database_url=every_store_url)
    assert queue.events.tracks_versions is (not every_store_url.startswith("memory"))
