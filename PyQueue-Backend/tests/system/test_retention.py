"""Retention: worker processes purge finished tasks past their age, in batches; the settings."""

from __future__ import annotations

import threading
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest
from pydantic import ValidationError

from pyqueue import Queue, Settings, build_queue
from pyqueue.enums import TaskStatus
from pyqueue.models.task import Outcome, utcnow
from pyqueue.models.values import AttemptEnd
from pyqueue.stores.memory import MemoryStore
from pyqueue.system.maintenance import Maintenance, Retention
from pyqueue.system.worker import worker_factory
from tests.stores.factory import drop_schema, make_store, postgres_reason
from tests.stores.helpers import added, run_to
from tests.support import MakeQueue, make_settings, skip_or_fail

MODULES = ["tests.sample_tasks", "tests.deadletter_tasks"]


def maintained_queue(url: str, **settings: object) -> Queue:
    """A started queue whose maintenance runs every 50 ms."""
    built = build_queue(make_settings(database_url=url, task_modules=MODULES, **settings))
    config = replace(built.config, maintenance_seconds=0.05)
    queue = Queue(built.store, worker_factory, built.registry, config)
    queue.start()
    return queue


def wait_until_gone(queue: Queue, ids: list[str], timeout: float = 20) -> bool:
    """Wait (on the queue's events: a purge publishes one) until none of ``ids`` is stored."""
    seq = queue.events.last_seq
    deadline = threading.Event()
    timer = threading.Timer(timeout, deadline.set)
    timer.start()
    try:
        while any(queue.store.get(i) is not None for i in ids):
            if deadline.is_set():
                return False
            seq = queue.events.wait_after(seq, 0.5)
        return True
    finally:
        timer.cancel()


def test_a_worker_process_purges_finished_tasks_past_their_retention(
    every_store_url: str, fresh_sample_tasks: None
) -> None:
    queue = maintained_queue(
        every_store_url, retention_completed="0.2", retention_failed="1h", workers=2
    )
    try:
        done = [queue.enqueue("ECHO", i) for i in range(3)]
        failed = queue.enqueue("CRASH", "x", max_retries=0)
        cancelled = queue.enqueue("ECHO", "later", delay_seconds=3600)
        queue.cancel(cancelled.t_id)
        assert queue.wait_idle(timeout=20)
        assert wait_until_gone(queue, [t.t_id for t in done] + [cancelled.t_id])
        assert queue.get(failed.t_id).status is TaskStatus.FAILED  # kept for an hour
        counts = queue.store.counts().by_status
        assert counts[TaskStatus.COMPLETED] == counts[TaskStatus.CANCELLED] == 0
        minutes = queue.throughput(5)
        assert sum(m.completed for m in minutes) == 0
        assert sum(m.failed for m in minutes) == 1
    finally:
        queue.stop(timeout=2)
        queue.close()


def test_only_processes_with_workers_purge(make_queue: MakeQueue) -> None:
    def maintenance_threads() -> int:
        return sum(t.name == "pyqueue-maintenance" for t in threading.enumerate())

    before = maintenance_threads()
    make_queue(workers=0)
    assert maintenance_threads() == before
    make_queue(workers=1, retention_completed="off", retention_failed="0")
    assert maintenance_threads() == before
    make_queue(workers=1)
    assert maintenance_threads() == before + 1


def test_a_purge_removes_in_batches_and_reports_once() -> None:
    store = MemoryStore()
    added(store, 7)
    for _ in range(5):
        run_to(store, TaskStatus.COMPLETED)
    for _ in range(2):
        run_to(store, TaskStatus.FAILED, error="x")
    reported: list[int] = []
    calls: list[int] = []
    purge = store.purge_finished

    def counted(status: TaskStatus, before: object, limit: int) -> list[str]:
        removed = purge(status, before, limit)  # type: ignore[arg-type]
        calls.append(len(removed))
        return removed

    store.purge_finished = counted  # type: ignore[method-assign]
    retention = Retention(completed=timedelta(0), failed=None)
    maintenance = Maintenance(store, retention, reported.append, batch=2, pause=0)
    assert maintenance.purge() == 5
    assert calls == [2, 2, 1, 0]  # COMPLETED in batches of two, then CANCELLED
    assert reported == [5]
    assert store.counts().by_status[TaskStatus.FAILED] == 2
    assert maintenance.purge() == 0
    assert reported == [5]


def test_retention_cutoffs() -> None:
    now = utcnow()
    both = Retention(timedelta(days=7), timedelta(days=30)).cutoffs(now)
    assert both == [
        (TaskStatus.COMPLETED, now - timedelta(days=7)),
        (TaskStatus.CANCELLED, now - timedelta(days=7)),
        (TaskStatus.FAILED, now - timedelta(days=30)),
    ]
    assert Retention(None, None).cutoffs(now) == []


@pytest.mark.parametrize(
    ("given", "kept"),
    [
        ("604800", timedelta(days=7)),
        ("90s", timedelta(seconds=90)),
        ("30m", timedelta(minutes=30)),
        ("12h", timedelta(hours=12)),
        ("7d", timedelta(days=7)),
        ("2w", timedelta(weeks=2)),
        ("1d12h", timedelta(days=1, hours=12)),
        ("P7D", timedelta(days=7)),
        ("0.5", timedelta(milliseconds=500)),
        ("0", None),
        ("off", None),
        ("none", None),
        ("", None),
    ],
)
def test_retention_settings(given: str, kept: timedelta | None) -> None:
    settings = Settings(_env_file=None, retention_completed=given, retention_failed=given)
    assert settings.retention_completed == kept
    assert settings.retention_failed == kept


def test_retention_defaults(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("PYQUEUE_RETENTION_COMPLETED", "PYQUEUE_RETENTION_FAILED"):
        monkeypatch.delenv(name, raising=False)
    settings = Settings(_env_file=None)
    assert settings.retention_completed == timedelta(days=7)
    assert settings.retention_failed == timedelta(days=30)
    monkeypatch.setenv("PYQUEUE_RETENTION_FAILED", "3d")
    assert Settings(_env_file=None).retention_failed == timedelta(days=3)


@pytest.mark.parametrize("given", ["7 days", "-1", "-5m", "soon", "1x"])
def test_bad_retention_settings_name_the_problem(given: str) -> None:
    with pytest.raises(ValidationError, match="retention_completed"):
        Settings(_env_file=None, retention_completed=given)


@pytest.mark.parametrize(
    "kind",
    [
        pytest.param("sqlite", marks=pytest.mark.sqlite),
        pytest.param("postgres", marks=pytest.mark.postgres),
    ],
)
def test_claims_go_on_while_a_large_purge_runs(kind: str, tmp_path: Path) -> None:
    """Between two batches other writers get the store: a claim made while a purge of 2,000
    tasks (20 batches) runs is answered before the purge ends."""
    if kind == "postgres" and (reason := postgres_reason()):
        skip_or_fail(reason)
    store = make_store(kind, tmp_path)
    try:
        for _ in range(4):
            added(store, 500)
            claimed = store.claim(500, 30)
            ends = [
                AttemptEnd(t.t_id, t.lease_id or "", Outcome(TaskStatus.COMPLETED)) for t in claimed
            ]
            store.finish_many(ends)
        waiting = added(store, 1)[0]
        retention = Retention(completed=timedelta(0), failed=None)
        maintenance = Maintenance(store, retention, lambda _: None, batch=100, pause=0.05)
        purging = threading.Thread(target=maintenance.purge)
        purging.start()
        claimed_now = store.claim(1, 30)
        still_purging = purging.is_alive()
        purging.join()
        assert [t.t_id for t in claimed_now] == [waiting.t_id]
        assert still_purging, "the claim waited for the whole purge"
        assert store.counts().by_status[TaskStatus.COMPLETED] == 0
    finally:
        store.close()
        if kind == "postgres":
            drop_schema()
