"""The queue under load: exactly-once execution, no resurrection, no double runs."""

from __future__ import annotations

import random
import threading

import pytest

from pyqueue import NewTask
from pyqueue.enums import TaskStatus
from pyqueue.errors import PyQueueError
from pyqueue.models.values import TaskQuery
from tests import sample_tasks
from tests.support import MakeQueue


def test_ten_thousand_tasks_on_eight_workers_each_run_exactly_once(make_queue: MakeQueue) -> None:
    queue = make_queue(workers=8)
    for start in range(0, 10_000, 1000):
        queue.enqueue_many([NewTask("COUNT", f"job-{i}") for i in range(start, start + 1000)])
    assert queue.wait_idle(timeout=90)
    assert len(sample_tasks.runs) == 10_000
    assert set(sample_tasks.runs.values()) == {1}
    counts = queue.store.counts()
    assert counts.by_status[TaskStatus.COMPLETED] == 10_000
    assert counts.total == 10_000


def test_deleted_tasks_never_come_back(make_queue: MakeQueue) -> None:
    queue = make_queue(workers=8, max_retries=5)
    tasks = queue.enqueue_many([NewTask("RACE", i) for i in range(1000)])
    victims = random.Random(7).sample(tasks, 300)
    for task in victims:
        queue.delete(task.t_id)
    assert queue.wait_idle(timeout=60)
    assert all(queue.store.get(t.t_id) is None for t in victims)
    counts = queue.store.counts()
    assert counts.total == 700
    assert counts.by_status[TaskStatus.FAILED] == 700


def test_clear_during_a_run_leaves_nothing(make_queue: MakeQueue) -> None:
    queue = make_queue(workers=8, max_retries=20)
    blocking = queue.enqueue_many([NewTask("BLOCK", i) for i in range(4)])
    queue.enqueue_many([NewTask("RACE", i) for i in range(1000)])
    started = {sample_tasks.started.get(timeout=10) for _ in blocking}
    assert started == {t.t_id for t in blocking}
    assert queue.clear() == 1004
    assert queue.wait_idle(timeout=30)
    assert queue.store.counts().total == 0
    assert queue.list_tasks(TaskQuery()) == ([], 0)


def test_manual_retry_racing_automatic_retries_never_runs_a_task_twice_at_once(
    make_queue: MakeQueue,
) -> None:
    queue = make_queue(workers=8, max_retries=2)
    tasks = queue.enqueue_many([NewTask("RACE", i) for i in range(200)])
    ids = [t.t_id for t in tasks]
    accepted = 0
    lock = threading.Lock()

    def hammer(seed: int) -> None:
        nonlocal accepted
        rng = random.Random(seed)
        for _ in range(300_000):
            if accepted >= 300:
                return
            try:
                queue.retry(rng.choice(ids))
            except PyQueueError:
                continue
            with lock:
                accepted += 1

    threads = [threading.Thread(target=hammer, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert queue.wait_idle(timeout=60)
    assert sample_tasks.overlaps == []
    assert accepted > 0, "no manual retry was ever accepted: the race was not exercised"
    # each accepted manual retry grants a fresh budget of 3 attempts, and nothing more
    assert sum(sample_tasks.runs[i] for i in ids) == 3 * (len(ids) + accepted)
    assert queue.store.counts().by_status[TaskStatus.FAILED] == 200


@pytest.mark.parametrize(
    "every_store_url",
    [
        pytest.param("sqlite", marks=pytest.mark.sqlite),
        pytest.param("postgres", marks=pytest.mark.postgres),
    ],
    indirect=True,
)
def test_group_commit_runs_each_task_once(every_store_url: str, make_queue: MakeQueue) -> None:
    # PostgreSQL records ends on two finisher threads at once, SQLite on one
    queue = make_queue(workers=8, database_url=every_store_url)
    assert queue.store.blocking  # the finisher records attempt ends in batches
    queue.enqueue_many([NewTask("COUNT", f"job-{i}") for i in range(2000)])
    flaky = queue.enqueue("FLAKY", "f", max_retries=3)
    assert queue.wait_idle(timeout=90)
    assert len(sample_tasks.runs) == 2000
    assert set(sample_tasks.runs.values()) == {1}
    counts = queue.store.counts()
    assert counts.by_status[TaskStatus.COMPLETED] == 2001
    done = queue.store.get(flaky.t_id)
    assert done is not None and done.attempts == 3 and done.lease_id is None
