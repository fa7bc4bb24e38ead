"""Contract: add, get and list (filters, paging, order, totals) behave alike in every store."""

from __future__ import annotations

from datetime import timedelta

import pytest

from pyqueue.enums import TaskStatus
from pyqueue.errors import InvalidTaskState
from pyqueue.models.task import Task
from pyqueue.models.values import TaskQuery
from pyqueue.stores import TaskStore
from tests.stores.helpers import added, new, run_to


def test_add_then_get_round_trips_every_field(store: TaskStore) -> None:
    task = new("EMAIL", {"to": "a@b.c", "nested": [1, 2.5, None, True, "é\u0000"]}, 5)
    store.add([task])
    assert store.get(task.t_id) == task
    got = store.get(task.t_id)
    assert got is not None
    assert got.created_at == task.created_at
    assert got.created_at.utcoffset() is not None


@pytest.mark.parametrize("payload", [None, 0, "text", [1, "two"], {"a": {"b": []}}])
def test_any_json_payload_round_trips(store: TaskStore, payload: object) -> None:
    task = Task.create("TEST", payload, 3)
    store.add([task])
    got = store.get(task.t_id)
    assert got is not None
    assert got.payload == payload


def test_get_unknown_is_none(store: TaskStore) -> None:
    assert store.get("Task-missing") is None


def test_add_is_all_or_nothing(store: TaskStore) -> None:
    first = added(store, 1)[0]
    batch = [new(), first, new()]
    with pytest.raises(InvalidTaskState):
        store.add(batch)
    assert store.get(batch[0].t_id) is None
    assert store.get(batch[2].t_id) is None
    assert store.counts().total == 1


def test_add_rejects_duplicates_within_a_batch(store: TaskStore) -> None:
    task = new()
    with pytest.raises(InvalidTaskState):
        store.add([task, task])
    assert store.counts().total == 0


def test_list_is_newest_first_with_total(store: TaskStore) -> None:
    tasks = added(store, 5)
    page, total = store.list_tasks(TaskQuery(limit=3))
    assert total == 5
    assert [t.t_id for t in page] == [t.t_id for t in reversed(tasks)][:3]


def test_list_oldest_first_and_paging(store: TaskStore) -> None:
    ids = [t.t_id for t in added(store, 7)]
    asc = [store.list_tasks(TaskQuery(limit=3, offset=o, order="asc"))[0] for o in (0, 3, 6)]
    assert [t.t_id for page in asc for t in page] == ids
    desc = [store.list_tasks(TaskQuery(limit=3, offset=o))[0] for o in (0, 3, 6)]
    assert [t.t_id for page in desc for t in page] == ids[::-1]
    beyond, total = store.list_tasks(TaskQuery(limit=3, offset=20))
    assert beyond == []
    assert total == 7


def test_list_filters_by_status_type_and_both(store: TaskStore) -> None:
    emails = added(store, 3, "EMAIL")
    reports = added(store, 4, "REPORT")
    done = run_to(store, TaskStatus.COMPLETED)  # the oldest: emails[0]
    assert done.t_id == emails[0].t_id

    def ids(**filters: object) -> tuple[list[str], int]:
        page, total = store.list_tasks(TaskQuery(limit=50, **filters))  # type: ignore[arg-type]
        return [t.t_id for t in page], total

    assert ids(t_type="REPORT") == ([t.t_id for t in reversed(reports)], 4)
    assert ids(status=TaskStatus.COMPLETED) == ([done.t_id], 1)
    queued_emails = [t.t_id for t in reversed(emails[1:])]
    assert ids(status=TaskStatus.QUEUED, t_type="EMAIL") == (queued_emails, 2)
    assert ids(status=TaskStatus.QUEUED) == ([t.t_id for t in reversed(reports)] + queued_emails, 6)
    assert ids(status=TaskStatus.FAILED) == ([], 0)
    assert ids(t_type="NOPE") == ([], 0)


def test_readers_get_snapshots(store: TaskStore) -> None:
    task = added(store, 1)[0]
    before = store.get(task.t_id)
    run_to(store, TaskStatus.COMPLETED, result={"ok": True})
    after = store.get(task.t_id)
    assert before is not None
    assert after is not None
    assert before.status is TaskStatus.QUEUED
    assert after.status is TaskStatus.COMPLETED
    assert after.result == {"ok": True}


def test_change_feed_lists_recent_changes_oldest_first(store: TaskStore) -> None:
    feed = getattr(store, "changed_since", None)
    if feed is None:
        pytest.skip("this store is not shared between processes: no change feed")
    first, second = added(store, 2)
    done = run_to(store, TaskStatus.COMPLETED)
    changes = feed(first.created_at, 100)
    assert [t.t_id for t in changes] == [second.t_id, done.t_id]
    assert changes[-1] == done
    assert feed(done.updated_at + timedelta(seconds=1), 100) == []
    assert len(feed(first.created_at, 1)) == 1
