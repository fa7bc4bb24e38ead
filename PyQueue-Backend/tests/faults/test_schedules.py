"""Periodic tasks across real processes: three `pyqueue worker` processes on one SQLite file or
one PostgreSQL database each run a scheduler, wake for the same tick and race to fire it; each
tick must be enqueued exactly once. The schedule ticks every second (a 6-field cron: seconds
first), so several ticks pass in a few seconds."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from pyqueue.enums import TaskStatus
from pyqueue.models.schedule import Schedule
from pyqueue.models.task import Task, utcnow
from pyqueue.models.values import TaskQuery
from pyqueue.stores import ScheduleStore, TaskStore
from tests.faults.harness import Cluster, wait_until

pytestmark = pytest.mark.slow

EVERY_SECOND = "* * * * * *"


def schedule_store(store: TaskStore) -> ScheduleStore:
    assert isinstance(store, ScheduleStore)
    return store


def fired(store: TaskStore, schedule: Schedule) -> list[Task]:
    tasks, _ = store.list_tasks(TaskQuery(limit=1000, order="asc"))
    return [t for t in tasks if t.payload.get("schedule_id") == schedule.id]


def ticks(tasks: list[Task]) -> list[datetime]:
    return sorted(datetime.fromisoformat(t.payload["scheduled_for"]) for t in tasks)


def test_three_processes_enqueue_each_tick_exactly_once(cluster: Cluster, store: TaskStore) -> None:
    for _ in range(3):
        cluster.worker(concurrency=2)
    schedule = Schedule.create("WORK", EVERY_SECOND, {"ms": 0})
    schedule_store(store).add_schedule(schedule)
    wait_until(lambda: len(fired(store, schedule)) >= 6, 25, "six ticks to be enqueued")
    schedule_store(store).pause_schedule(schedule.id, True)
    tasks = fired(store, schedule)
    wait_until(
        lambda: all(
            (t := store.get(task.t_id)) is not None and t.status is TaskStatus.COMPLETED
            for task in tasks
        ),
        20,
        "the fired tasks to complete",
    )
    seen = ticks(fired(store, schedule))
    assert len(seen) == len(set(seen)), f"a tick was enqueued twice: {seen}"
    assert all(t.microsecond == 0 for t in seen)
    assert seen[0] >= schedule.next_run_at
    runs = cluster.run_counts()
    assert all(runs[task.t_id] == 1 for task in tasks), runs
    assert all(p.poll() is None for p in cluster.processes), "every worker is still running"


def test_after_downtime_a_schedule_fires_once_not_once_per_missed_tick(
    cluster: Cluster, store: TaskStore
) -> None:
    workers = [cluster.worker(concurrency=1) for _ in range(2)]
    schedule = Schedule.create("WORK", EVERY_SECOND, {"ms": 0})
    schedule_store(store).add_schedule(schedule)
    wait_until(lambda: len(fired(store, schedule)) >= 2, 25, "two ticks to be enqueued")
    for worker in workers:
        cluster.kill(worker)
    killed_at = utcnow()
    before = ticks(fired(store, schedule))
    # Nothing runs a scheduler now: let at least three ticks pass unseen.
    wait_until(lambda: utcnow() >= killed_at + timedelta(seconds=3.5), 10, "ticks to be missed")
    restarted_at = utcnow()
    cluster.worker(concurrency=1)
    wait_until(lambda: len(fired(store, schedule)) >= len(before) + 2, 25, "ticks after restart")
    after = [t for t in ticks(fired(store, schedule)) if t > before[-1]]
    first_back = after[0]
    assert first_back >= restarted_at - timedelta(seconds=1), (
        f"the missed ticks were caught up one by one: {after}"
    )
    assert first_back - before[-1] >= timedelta(seconds=3)  # the gap holds no tick at all
    seen = ticks(fired(store, schedule))
    assert len(seen) == len(set(seen))
