"""Contract: priorities (higher first, FIFO within one) and delayed tasks, in every store."""

from __future__ import annotations

import time
from dataclasses import replace
from datetime import timedelta

from pyqueue.enums import TaskStatus
from pyqueue.models.task import Outcome, Task, utcnow
from pyqueue.models.values import TaskQuery
from pyqueue.stores import TaskStore
from tests.stores.helpers import claim_one, new, retry_in


def prioritised(priority: int, run_in: float | None = None) -> Task:
    run_at = None if run_in is None else utcnow() + timedelta(seconds=run_in)
    return Task.create("EMAIL", {"p": priority}, 3, priority=priority, run_at=run_at)


def ids(tasks: list[Task]) -> list[str]:
    return [t.t_id for t in tasks]


def test_higher_priority_is_claimed_first(store: TaskStore) -> None:
    tasks = [prioritised(p) for p in (0, 5, -3, 5, 100, -100)]
    store.add(tasks)
    by_order = [tasks[4], tasks[1], tasks[3], tasks[0], tasks[2], tasks[5]]
    assert ids([claim_one(store)]) == ids(by_order[:1])
    assert ids(store.claim(2, 30)) == ids(by_order[1:3])
    assert ids(store.claim(10, 30)) == ids(by_order[3:])


def test_first_in_first_out_within_a_priority(store: TaskStore) -> None:
    first, low, second, third = prioritised(1), prioritised(0), prioritised(1), prioritised(1)
    for task in (first, low, second, third):
        store.add([task])
    assert ids(store.claim(10, 30)) == ids([first, second, third, low])


def test_a_claimed_task_keeps_its_priority(store: TaskStore) -> None:
    task = prioritised(-42)
    store.add([task])
    claimed = claim_one(store)
    assert claimed.priority == -42
    assert store.get(task.t_id) == claimed


def test_priority_and_next_run_at_round_trip_through_get_and_list(store: TaskStore) -> None:
    delayed = prioritised(-7, run_in=3600)
    ready = prioritised(100)
    store.add([delayed, ready])
    assert delayed.status is TaskStatus.QUEUED
    assert delayed.next_run_at is not None
    assert store.get(delayed.t_id) == delayed
    assert store.get(ready.t_id) == ready
    got = store.get(delayed.t_id)
    assert got is not None
    assert (got.priority, got.next_run_at) == (-7, delayed.next_run_at)
    page, total = store.list_tasks(TaskQuery(order="asc"))
    assert total == 2
    assert page == [delayed, ready]
    page, _ = store.list_tasks(TaskQuery(status=TaskStatus.QUEUED, t_type="EMAIL"))
    assert page == [ready, delayed]


def test_a_delayed_task_is_not_claimed_before_its_time(store: TaskStore) -> None:
    delayed = prioritised(100, run_in=3600)
    store.add([delayed])
    assert store.claim(10, 30) == []
    assert store.next_due() == delayed.next_run_at
    low = prioritised(-100)
    store.add([low])
    assert ids(store.claim(10, 30)) == [low.t_id]  # a waiting task never blocks a ready one
    assert store.claim(10, 30) == []
    got = store.get(delayed.t_id)
    assert got is not None
    assert (got.status, got.attempts) == (TaskStatus.QUEUED, 0)


def test_a_task_delayed_into_the_past_is_claimed_at_once(store: TaskStore) -> None:
    due = prioritised(0, run_in=-1)
    store.add([due])
    claimed = claim_one(store)
    assert claimed.t_id == due.t_id
    assert (claimed.status, claimed.attempts, claimed.next_run_at) == (
        TaskStatus.INPROGRESS,
        1,
        None,
    )


def test_a_delayed_task_is_claimed_once_its_time_comes(store: TaskStore) -> None:
    delayed = prioritised(3, run_in=0.2)
    store.add([delayed])
    assert store.claim(10, 30) == []
    deadline = time.monotonic() + 5
    claimed: list[Task] = []
    while not claimed and time.monotonic() < deadline:
        time.sleep(0.02)
        claimed = store.claim(10, 30)
    assert ids(claimed) == [delayed.t_id]
    assert delayed.next_run_at is not None
    assert utcnow() >= delayed.next_run_at
    assert claimed[0].priority == 3
    assert store.next_due() is None


def test_a_due_task_of_higher_priority_goes_before_older_ready_ones(store: TaskStore) -> None:
    older = [prioritised(0) for _ in range(3)]
    store.add(older)
    urgent = prioritised(1, run_in=-1)  # its time is already past
    store.add([urgent])
    assert ids(store.claim(2, 30)) == [urgent.t_id, older[0].t_id]


def test_an_automatic_retry_keeps_its_priority(store: TaskStore) -> None:
    high = prioritised(9)
    store.add([high])
    running = claim_one(store)
    assert running.lease_id is not None
    later = [prioritised(0) for _ in range(2)]
    store.add(later)
    waiting = store.finish(high.t_id, running.lease_id, retry_in(-1))  # due at once
    assert waiting is not None
    assert waiting.priority == 9
    assert ids(store.claim(10, 30)) == [high.t_id, *ids(later)]


def test_a_manual_retry_keeps_its_priority(store: TaskStore) -> None:
    high = prioritised(50)
    store.add([high])
    running = claim_one(store)
    assert running.lease_id is not None
    failed = store.finish(high.t_id, running.lease_id, Outcome(TaskStatus.FAILED, error="no"))
    assert failed is not None
    assert failed.priority == 50
    plain = new()
    store.add([plain])
    again = store.requeue(high.t_id)
    assert (again.status, again.priority, again.next_run_at) == (TaskStatus.QUEUED, 50, None)
    assert ids(store.claim(10, 30)) == [high.t_id, plain.t_id]


def test_bulk_requeue_of_failed_tasks_keeps_their_priorities(store: TaskStore) -> None:
    tasks = [prioritised(p) for p in (-1, 7)]
    store.add(tasks)
    for running in store.claim(10, 30):
        assert running.lease_id is not None
        store.finish(running.t_id, running.lease_id, Outcome(TaskStatus.FAILED, error="no"))
    requeued = store.requeue_failed()
    assert sorted(t.priority for t in requeued) == [-1, 7]
    assert ids(store.claim(10, 30)) == [tasks[1].t_id, tasks[0].t_id]


def test_cancelling_a_delayed_task_ends_its_wait(store: TaskStore) -> None:
    delayed = prioritised(0, run_in=3600)
    store.add([delayed])
    cancelled = store.request_cancel(delayed.t_id)
    assert (cancelled.status, cancelled.next_run_at) == (TaskStatus.CANCELLED, None)
    again = store.requeue(delayed.t_id)  # a manual retry runs it now
    assert again.next_run_at is None
    assert ids(store.claim(10, 30)) == [delayed.t_id]


def test_a_priority_survives_a_replaced_snapshot(store: TaskStore) -> None:
    task = replace(new(), priority=-100)
    store.add([task])
    assert store.get(task.t_id) == task


def test_a_task_cancelled_and_retried_queues_again_behind_those_already_waiting(
    store: TaskStore,
) -> None:
    first, second = prioritised(0), prioritised(0)
    store.add([first])
    store.add([second])
    store.request_cancel(first.t_id)
    store.requeue(first.t_id)  # it became due again now, after the second
    assert ids(store.claim(10, 30)) == [second.t_id, first.t_id]
    assert store.claim(10, 30) == []
