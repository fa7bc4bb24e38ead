"""Contract: the control columns in every store: timeouts, idempotency keys and progress."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest

from pyqueue.enums import TaskStatus
from pyqueue.errors import InvalidTaskState
from pyqueue.models.task import Outcome, Task, utcnow
from pyqueue.models.values import TaskQuery
from pyqueue.stores import TaskStore
from tests.stores.helpers import claim_one, new


def keyed(key: str, payload: object = None) -> Task:
    return Task.create("EMAIL", {"k": key} if payload is None else payload, 3, idempotency_key=key)


def test_timeout_and_key_round_trip_through_get_and_list(store: TaskStore) -> None:
    task = Task.create("EMAIL", {}, 3, timeout_seconds=2.5, idempotency_key="order-42")
    assert store.add([task]) == [task]
    assert store.get(task.t_id) == task
    page, total = store.list_tasks(TaskQuery())
    assert (page, total) == ([task], 1)
    got = store.get(task.t_id)
    assert got is not None
    assert (got.timeout_seconds, got.idempotency_key) == (2.5, "order-42")
    assert (got.progress, got.progress_message) == (None, None)


def test_a_key_in_use_returns_the_existing_task_and_adds_nothing(store: TaskStore) -> None:
    first = keyed("invoice-1")
    store.add([first])
    again = keyed("invoice-1", {"other": True})
    assert store.add([again]) == [first]
    assert store.get(again.t_id) is None
    assert store.counts().total == 1


def test_one_batch_mixes_new_keys_used_keys_and_no_keys(store: TaskStore) -> None:
    existing = keyed("a")
    store.add([existing])
    plain, fresh, used, twin = new(), keyed("b"), keyed("a"), keyed("b")
    stored = store.add([plain, fresh, used, twin])
    assert [t.t_id for t in stored] == [plain.t_id, fresh.t_id, existing.t_id, fresh.t_id]
    assert store.counts().total == 3
    assert {t.t_id for t in store.list_tasks(TaskQuery())[0]} == {
        existing.t_id,
        plain.t_id,
        fresh.t_id,
    }


def test_a_key_is_free_again_once_its_task_is_deleted_or_cleared(store: TaskStore) -> None:
    first = keyed("k")
    store.add([first])
    store.delete(first.t_id)
    second = keyed("k")
    assert store.add([second]) == [second]
    store.clear()
    third = keyed("k")
    assert store.add([third]) == [third]
    store.clear(status=TaskStatus.QUEUED)
    fourth = keyed("k")
    assert store.add([fourth]) == [fourth]


def test_the_key_stays_taken_whatever_the_status(store: TaskStore) -> None:
    first = keyed("done")
    store.add([first])
    running = claim_one(store)
    assert running.lease_id is not None
    store.finish(first.t_id, running.lease_id, Outcome(TaskStatus.COMPLETED))
    assert [t.t_id for t in store.add([keyed("done")])] == [first.t_id]


def test_a_duplicate_id_still_refuses_the_whole_batch(store: TaskStore) -> None:
    first = keyed("x")
    store.add([first])
    with pytest.raises(InvalidTaskState):
        store.add([keyed("y"), replace(new(), t_id=first.t_id)])
    assert store.counts().total == 1
    y = keyed("y")
    assert store.add([y]) == [y]  # "y" was rolled back with the batch


def test_progress_is_fenced_by_the_lease(store: TaskStore) -> None:
    task = new()
    store.add([task])
    running = claim_one(store)
    assert running.lease_id is not None
    assert store.set_progress(task.t_id, "not-the-lease", 0.5, "half") is None
    saved = store.set_progress(task.t_id, running.lease_id, 0.25, "a quarter")
    assert saved is not None
    assert (saved.progress, saved.progress_message) == (0.25, "a quarter")
    assert saved.updated_at >= running.updated_at
    assert saved.status is TaskStatus.INPROGRESS and saved.lease_id == running.lease_id
    assert store.get(task.t_id) == saved
    done = store.finish(task.t_id, running.lease_id, Outcome(TaskStatus.COMPLETED))
    assert done is not None and done.progress == 0.25  # the last report stays
    assert store.set_progress(task.t_id, running.lease_id, 0.9, None) is None
    got = store.get(task.t_id)
    assert got is not None and got.progress == 0.25


def test_a_new_attempt_starts_without_progress(store: TaskStore) -> None:
    task = new()
    store.add([task])
    running = claim_one(store)
    assert running.lease_id is not None
    store.set_progress(task.t_id, running.lease_id, 0.5, "half")
    store.finish(task.t_id, running.lease_id, Outcome(TaskStatus.QUEUED, error="boom"))
    queued = store.get(task.t_id)
    assert queued is not None and queued.progress == 0.5
    again = claim_one(store)
    assert (again.progress, again.progress_message) == (None, None)
    assert store.get(task.t_id) == again


def test_a_manual_retry_clears_progress(store: TaskStore) -> None:
    task = new()
    store.add([task])
    running = claim_one(store)
    assert running.lease_id is not None
    store.set_progress(task.t_id, running.lease_id, 0.7, None)
    store.finish(task.t_id, running.lease_id, Outcome(TaskStatus.FAILED, error="boom"))
    requeued = store.requeue(task.t_id)
    assert requeued.progress is None
    assert store.get(task.t_id) == requeued


def test_a_key_is_free_again_once_retention_purges_its_task(store: TaskStore) -> None:
    first = keyed("purged")
    store.add([first])
    running = claim_one(store)
    assert running.lease_id is not None
    store.finish(first.t_id, running.lease_id, Outcome(TaskStatus.COMPLETED))
    assert store.purge_finished(TaskStatus.COMPLETED, utcnow() + timedelta(seconds=1), 10) == [
        first.t_id
    ]
    second = keyed("purged")
    assert store.add([second]) == [second]
