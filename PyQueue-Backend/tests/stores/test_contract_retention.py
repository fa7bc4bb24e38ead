"""Contract: retention purges, the chart agreeing with the counts, and dead letters (failure
groups, retrying a group, editing a failed task's payload), alike on every store."""

from __future__ import annotations

from datetime import timedelta

import pytest

from pyqueue.enums import TaskStatus
from pyqueue.errors import InvalidTaskState, TaskNotFound
from pyqueue.models.task import Outcome, utcnow
from pyqueue.models.values import TaskQuery
from pyqueue.stores import TaskStore
from tests.stores.helpers import added, claim_one, run_to

HOUR = timedelta(hours=1)


def assert_chart_matches_counts(store: TaskStore) -> None:
    """The per-minute chart counts exactly the stored COMPLETED and FAILED tasks."""
    minutes = store.throughput(utcnow() - HOUR)
    counts = store.counts().by_status
    assert sum(m.completed for m in minutes) == counts[TaskStatus.COMPLETED]
    assert sum(m.failed for m in minutes) == counts[TaskStatus.FAILED]


def test_chart_forgets_deleted_and_cleared_tasks(store: TaskStore) -> None:
    """Regression: the chart kept counting deleted tasks while the cards did not."""
    added(store, 6)
    done = [run_to(store, TaskStatus.COMPLETED) for _ in range(3)]
    failed = [run_to(store, TaskStatus.FAILED, error="bad") for _ in range(2)]
    assert_chart_matches_counts(store)
    store.delete(done[0].t_id)
    store.delete(failed[0].t_id)
    assert_chart_matches_counts(store)
    store.clear(status=TaskStatus.COMPLETED)
    assert_chart_matches_counts(store)
    assert sum(m.completed for m in store.throughput(utcnow() - HOUR)) == 0
    store.clear()
    assert all(m.completed == m.failed == 0 for m in store.throughput(utcnow() - HOUR))


def test_chart_forgets_a_failure_retried_by_hand(store: TaskStore) -> None:
    added(store, 2)
    first = run_to(store, TaskStatus.FAILED, error="bad")
    run_to(store, TaskStatus.FAILED, error="bad")
    store.requeue(first.t_id)
    assert_chart_matches_counts(store)
    store.requeue_failed()
    assert_chart_matches_counts(store)
    run_to(store, TaskStatus.COMPLETED)
    assert_chart_matches_counts(store)


def test_purge_takes_finished_tasks_older_than_the_cutoff(store: TaskStore) -> None:
    added(store, 5)
    old = run_to(store, TaskStatus.COMPLETED)
    cutoff = utcnow()
    new = run_to(store, TaskStatus.COMPLETED)
    failed = run_to(store, TaskStatus.FAILED, error="bad")
    running = claim_one(store)  # and one task stays QUEUED
    assert store.purge_finished(TaskStatus.COMPLETED, cutoff, 500) == [old.t_id]
    assert store.get(old.t_id) is None
    assert store.get(new.t_id) is not None
    assert store.purge_finished(TaskStatus.COMPLETED, cutoff, 500) == []
    later = utcnow() + timedelta(seconds=1)
    assert store.purge_finished(TaskStatus.COMPLETED, later, 500) == [new.t_id]
    assert store.purge_finished(TaskStatus.FAILED, later, 500) == [failed.t_id]
    for status in (TaskStatus.QUEUED, TaskStatus.INPROGRESS):  # never a task that is not final
        assert store.purge_finished(status, later, 500) == []
    counts = store.counts().by_status
    assert counts[TaskStatus.INPROGRESS] == 1
    assert counts[TaskStatus.QUEUED] == 1
    assert store.get(running.t_id) is not None
    assert_chart_matches_counts(store)


def test_purge_works_in_batches_oldest_first(store: TaskStore) -> None:
    added(store, 5)
    done = [run_to(store, TaskStatus.COMPLETED) for _ in range(5)]
    later = utcnow() + timedelta(seconds=1)
    first = store.purge_finished(TaskStatus.COMPLETED, later, 2)
    assert set(first) == {done[0].t_id, done[1].t_id}
    assert len(store.purge_finished(TaskStatus.COMPLETED, later, 2)) == 2
    assert store.purge_finished(TaskStatus.COMPLETED, later, 2) == [done[4].t_id]
    assert store.counts().total == 0
    assert_chart_matches_counts(store)


def test_purge_cancelled_tasks(store: TaskStore) -> None:
    task = added(store, 1)[0]
    store.request_cancel(task.t_id)
    later = utcnow() + timedelta(seconds=1)
    assert store.purge_finished(TaskStatus.COMPLETED, later, 10) == []
    assert store.purge_finished(TaskStatus.CANCELLED, later, 10) == [task.t_id]
    assert store.counts().total == 0


def test_a_retried_task_is_purged_by_its_last_finish(store: TaskStore) -> None:
    added(store, 1)
    failed = run_to(store, TaskStatus.FAILED, error="bad")
    cutoff = utcnow()
    store.requeue(failed.t_id)
    assert store.purge_finished(TaskStatus.FAILED, cutoff, 10) == []
    done = run_to(store, TaskStatus.COMPLETED)
    assert store.purge_finished(TaskStatus.COMPLETED, cutoff, 10) == []
    assert done.finished_at is not None
    after = done.finished_at + timedelta(microseconds=1)
    assert store.purge_finished(TaskStatus.COMPLETED, after, 10) == [done.t_id]


def _fail(store: TaskStore, errors: list[tuple[str, str | None]]) -> None:
    """Add and fail one task per (type, error), in order."""
    for t_type, error in errors:
        added(store, 1, t_type)
        run_to(store, TaskStatus.FAILED, error=error)


def test_failure_groups_by_type_and_first_line(store: TaskStore) -> None:
    _fail(
        store,
        [
            ("EMAIL", "ValueError: bad address\nTraceback one"),
            ("EMAIL", "ValueError: bad address\nTraceback two"),
            ("EMAIL", "ValueError: bad address"),
            ("REPORT", "ValueError: bad address"),
            ("EMAIL", "KeyError: 'to'"),
            ("EMAIL", None),
        ],
    )
    added(store, 1)
    run_to(store, TaskStatus.COMPLETED)
    groups = store.failure_groups(10)
    assert [(g.error, g.t_type, g.count) for g in groups[:1]] == [
        ("ValueError: bad address", "EMAIL", 3)
    ]
    assert {(g.error, g.t_type, g.count) for g in groups[1:]} == {
        ("ValueError: bad address", "REPORT", 1),
        ("KeyError: 'to'", "EMAIL", 1),
        (None, "EMAIL", 1),
    }
    # ties on count: the latest failure first
    assert [g.error for g in groups[1:]] == [None, "KeyError: 'to'", "ValueError: bad address"]
    assert all(g.latest_at.utcoffset() == timedelta(0) for g in groups)
    assert len(store.failure_groups(2)) == 2


def test_retry_one_failure_group(store: TaskStore) -> None:
    _fail(
        store,
        [
            ("EMAIL", "ValueError: bad\nline 2"),
            ("EMAIL", "ValueError: bad"),
            ("REPORT", "ValueError: bad"),
            ("EMAIL", "KeyError: x"),
            ("EMAIL", None),
        ],
    )
    retried = store.requeue_failure_group("ValueError: bad", "EMAIL")
    assert len(retried) == 2
    assert all(t.status is TaskStatus.QUEUED and t.attempts == 0 for t in retried)
    counts = store.counts().by_status
    assert counts[TaskStatus.QUEUED] == 2
    assert counts[TaskStatus.FAILED] == 3
    assert store.requeue_failure_group("ValueError: bad", "EMAIL") == []
    assert len(store.requeue_failure_group(None, "EMAIL")) == 1
    assert [(g.error, g.t_type) for g in store.failure_groups(10)] in (
        [("ValueError: bad", "REPORT"), ("KeyError: x", "EMAIL")],
        [("KeyError: x", "EMAIL"), ("ValueError: bad", "REPORT")],
    )
    assert_chart_matches_counts(store)


def test_edit_the_payload_of_a_failed_or_cancelled_task(store: TaskStore) -> None:
    added(store, 3)
    failed = run_to(store, TaskStatus.FAILED, error="bad")
    edited = store.edit_payload(failed.t_id, {"fixed": [1, 2]})
    assert edited.payload == {"fixed": [1, 2]}
    assert edited.status is TaskStatus.FAILED
    assert store.get(failed.t_id) == edited
    assert_chart_matches_counts(store)  # an edit is no second failure
    retried = store.requeue(failed.t_id)
    assert retried.payload == {"fixed": [1, 2]}
    queued = store.list_tasks(TaskQuery(status=TaskStatus.QUEUED, limit=1))[0][0]
    cancelled = store.request_cancel(queued.t_id)
    assert store.edit_payload(cancelled.t_id, "new").payload == "new"


@pytest.mark.parametrize("status", [TaskStatus.QUEUED, TaskStatus.INPROGRESS, "COMPLETED"])
def test_edit_payload_refuses_other_states(store: TaskStore, status: object) -> None:
    task = added(store, 1)[0]
    if status != TaskStatus.QUEUED:
        task = claim_one(store)
    if status == "COMPLETED":
        done = store.finish(task.t_id, task.lease_id or "", Outcome(TaskStatus.COMPLETED))
        assert done is not None
        task = done
    with pytest.raises(InvalidTaskState, match="only FAILED or CANCELLED"):
        store.edit_payload(task.t_id, "x")
    assert store.get(task.t_id) == task
    with pytest.raises(TaskNotFound):
        store.edit_payload("Task-missing", "x")
