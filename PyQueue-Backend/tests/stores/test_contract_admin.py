"""Contract: cancel, manual retry, delete, clear, counts and throughput behave alike everywhere."""

from __future__ import annotations

from datetime import timedelta

import pytest

from pyqueue.enums import TaskStatus
from pyqueue.errors import InvalidTaskState, TaskNotFound
from pyqueue.models.task import Outcome, utcnow
from pyqueue.stores import TaskStore
from tests.stores.helpers import added, claim_one, retry_in, run_to


def test_cancel_a_queued_task_at_once(store: TaskStore) -> None:
    task = added(store, 1)[0]
    cancelled = store.request_cancel(task.t_id)
    assert cancelled.status is TaskStatus.CANCELLED
    assert cancelled.finished_at is not None
    assert store.get(task.t_id) == cancelled
    assert store.claim(1, 30) == []


def test_cancel_a_waiting_retry(store: TaskStore) -> None:
    added(store, 1)
    task = claim_one(store)
    store.finish(task.t_id, task.lease_id or "", retry_in(3600))
    assert store.request_cancel(task.t_id).status is TaskStatus.CANCELLED
    assert store.counts().by_status[TaskStatus.QUEUED] == 0


def test_cancel_a_running_task_flags_it(store: TaskStore) -> None:
    added(store, 1)
    task = claim_one(store)
    flagged = store.request_cancel(task.t_id)
    assert flagged.status is TaskStatus.INPROGRESS
    assert flagged.cancel_requested
    assert flagged.lease_id == task.lease_id
    done = store.finish(task.t_id, task.lease_id or "", Outcome(TaskStatus.CANCELLED))
    assert done is not None
    assert done.status is TaskStatus.CANCELLED
    assert not done.cancel_requested


def test_cancel_refuses_finished_and_unknown(store: TaskStore) -> None:
    added(store, 1)
    done = run_to(store, TaskStatus.COMPLETED)
    with pytest.raises(InvalidTaskState, match="only QUEUED or INPROGRESS"):
        store.request_cancel(done.t_id)
    assert store.get(done.t_id) == done
    with pytest.raises(TaskNotFound):
        store.request_cancel("Task-missing")


def test_requeue_failed_or_cancelled_only(store: TaskStore) -> None:
    queued, cancelled = added(store, 2)
    store.request_cancel(cancelled.t_id)
    failed = run_to(store, TaskStatus.FAILED, error="bad")
    assert failed.t_id == queued.t_id
    for task_id in (failed.t_id, cancelled.t_id):
        again = store.requeue(task_id)
        assert again.status is TaskStatus.QUEUED
        assert again.attempts == 0
        assert again.finished_at is None
    assert {t.t_id for t in store.claim(5, 30)} == {queued.t_id, cancelled.t_id}
    with pytest.raises(InvalidTaskState, match="running now"):
        store.requeue(queued.t_id)
    with pytest.raises(TaskNotFound):
        store.requeue("Task-missing")


def test_requeue_refuses_queued_and_completed(store: TaskStore) -> None:
    queued = added(store, 1)[0]
    with pytest.raises(InvalidTaskState, match="already queued"):
        store.requeue(queued.t_id)
    done = run_to(store, TaskStatus.COMPLETED)
    with pytest.raises(InvalidTaskState, match="completed"):
        store.requeue(done.t_id)
    assert store.get(done.t_id) == done


def test_requeue_failed_of_one_type_or_all(store: TaskStore) -> None:
    added(store, 2, "EMAIL")
    added(store, 1, "REPORT")
    failed = [run_to(store, TaskStatus.FAILED, error="x") for _ in range(3)]
    assert [t.t_id for t in store.requeue_failed("REPORT")] == [failed[2].t_id]
    again = store.requeue_failed()
    assert sorted(t.t_id for t in again) == sorted(t.t_id for t in failed[:2])
    assert all(t.status is TaskStatus.QUEUED and t.attempts == 0 for t in again)
    assert store.requeue_failed() == []
    assert store.counts().by_status[TaskStatus.QUEUED] == 3


def test_delete_removes_for_good(store: TaskStore) -> None:
    task, running = added(store, 2)
    deleted = store.delete(task.t_id)
    assert deleted is not None
    assert deleted.t_id == task.t_id
    assert store.get(task.t_id) is None
    assert store.delete(task.t_id) is None
    claimed = claim_one(store)
    assert claimed.t_id == running.t_id
    store.delete(running.t_id)
    assert store.finish(running.t_id, claimed.lease_id or "", Outcome(TaskStatus.COMPLETED)) is None
    assert store.get(running.t_id) is None
    assert store.counts().total == 0


def test_clear_everything(store: TaskStore) -> None:
    added(store, 3)
    claim_one(store)
    assert store.clear() == 3
    assert store.counts().total == 0
    added(store, 1)
    assert store.counts().total == 1


def test_clear_with_filters(store: TaskStore) -> None:
    added(store, 2, "EMAIL")
    added(store, 2, "REPORT")
    run_to(store, TaskStatus.FAILED)
    assert store.clear(TaskStatus.FAILED, "REPORT") == 0
    assert store.clear(t_type="REPORT") == 2
    assert store.clear(status=TaskStatus.FAILED) == 1
    counts = store.counts()
    assert counts.total == 1
    assert counts.by_type == {"EMAIL": 1}


def test_counts_by_status_and_type(store: TaskStore) -> None:
    empty = store.counts()
    assert empty.by_status == dict.fromkeys(TaskStatus, 0)
    assert empty.by_type == {}
    added(store, 3, "EMAIL")
    added(store, 1, "REPORT")
    run_to(store, TaskStatus.COMPLETED)
    claim_one(store)
    counts = store.counts()
    assert counts.by_status == {
        TaskStatus.QUEUED: 2,
        TaskStatus.INPROGRESS: 1,
        TaskStatus.COMPLETED: 1,
        TaskStatus.FAILED: 0,
        TaskStatus.CANCELLED: 0,
    }
    assert counts.by_type == {"EMAIL": 3, "REPORT": 1}
    assert counts.total == 4


def test_throughput_counts_completed_and_failed_per_minute(store: TaskStore) -> None:
    added(store, 4)
    start = utcnow()
    run_to(store, TaskStatus.COMPLETED)
    run_to(store, TaskStatus.COMPLETED)
    run_to(store, TaskStatus.FAILED, error="x")
    run_to(store, TaskStatus.QUEUED, error="retry", next_run_at=utcnow() + timedelta(hours=1))
    buckets = store.throughput(start - timedelta(minutes=1))
    assert sum(b.completed for b in buckets) == 2
    assert sum(b.failed for b in buckets) == 1
    for bucket in buckets:
        assert bucket.minute.second == 0
        assert bucket.minute.utcoffset() == timedelta(0)
    assert store.throughput(start + timedelta(minutes=2)) == []
