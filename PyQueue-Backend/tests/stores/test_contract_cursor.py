"""Contract: the keyset cursor of a task list (``TaskQuery.after``) pages like offsets do, on
every store, with and without filters, in both orders."""

from __future__ import annotations

from dataclasses import replace

from pyqueue.enums import TaskStatus
from pyqueue.models.task import Task
from pyqueue.models.values import Order, TaskQuery
from pyqueue.stores import TaskStore
from tests.stores.helpers import claim_one, run_to


def walk(store: TaskStore, query: TaskQuery) -> list[list[str]]:
    """Every page, each started from the previous page's last id."""
    pages: list[list[str]] = []
    after: str | None = None
    while True:
        tasks, _ = store.list_tasks(replace(query, after=after))
        if not tasks:
            return pages
        pages.append([t.t_id for t in tasks])
        after = tasks[-1].t_id


def test_cursor_pages_match_offset_pages_in_both_orders(store: TaskStore) -> None:
    tasks = [Task.create("EMAIL" if i % 3 else "SMS", {"i": i}, 3) for i in range(23)]
    store.add(tasks)
    order: Order
    for order in ("desc", "asc"):
        for t_type in (None, "EMAIL", "SMS"):
            query = TaskQuery(t_type=t_type, limit=4, order=order)
            by_offset = []
            for offset in range(0, 24, 4):
                page, _ = store.list_tasks(
                    TaskQuery(t_type=t_type, limit=4, offset=offset, order=order)
                )
                if page:
                    by_offset.append([t.t_id for t in page])
            assert walk(store, query) == by_offset
            assert sum(len(p) for p in by_offset) == sum(
                1 for t in tasks if t_type is None or t.t_type == t_type
            )


def test_cursor_with_a_status_filter_and_total(store: TaskStore) -> None:
    store.add([Task.create("EMAIL", {"i": i}, 3) for i in range(9)])
    running = {claim_one(store).t_id for _ in range(5)}
    query = TaskQuery(status=TaskStatus.INPROGRESS, limit=2)
    pages = walk(store, query)
    assert [len(p) for p in pages] == [2, 2, 1]
    assert {i for p in pages for i in p} == running
    newest_first = [i for p in pages for i in p]
    assert newest_first == sorted(running, reverse=True)
    _, total = store.list_tasks(
        TaskQuery(status=TaskStatus.INPROGRESS, limit=2, after=pages[0][-1])
    )
    assert total == 5  # the total counts every match, not what is left past the cursor


def test_a_cursor_of_a_deleted_task_still_pages(store: TaskStore) -> None:
    tasks = [Task.create("EMAIL", {"i": i}, 3) for i in range(6)]
    store.add(tasks)
    first, _ = store.list_tasks(TaskQuery(limit=3))
    store.delete(first[-1].t_id)
    rest, _ = store.list_tasks(TaskQuery(limit=3, after=first[-1].t_id))
    assert [t.t_id for t in rest] == [t.t_id for t in tasks[:3]][::-1]


def test_a_type_page_spans_every_status_in_id_order(store: TaskStore) -> None:
    """A page of one type holds its tasks whatever their status, in one id order, by cursor as
    by offset, with the other type left out; and clearing that type clears each status."""
    tasks = [Task.create("EMAIL" if i % 4 else "SMS", {"i": i}, 0) for i in range(20)]
    store.add(tasks)
    run_to(store, TaskStatus.COMPLETED)
    run_to(store, TaskStatus.FAILED, error="boom")
    claim_one(store)
    store.request_cancel(tasks[-1].t_id)
    stored = {t.t_id: t.status for t in store.list_tasks(TaskQuery(limit=100))[0]}
    assert len(set(stored.values())) == 5  # every status is there
    emails = sorted(t.t_id for t in tasks if t.t_type == "EMAIL")
    order: Order
    for order in ("desc", "asc"):
        expected = emails if order == "asc" else emails[::-1]
        query = TaskQuery(t_type="EMAIL", limit=4, order=order)
        assert [i for page in walk(store, query) for i in page] == expected
        by_offset = [
            t.t_id
            for offset in range(0, 16, 4)
            for t in store.list_tasks(replace(query, offset=offset))[0]
        ]
        assert by_offset == expected
        assert store.list_tasks(query)[1] == len(emails)
    assert store.clear(t_type="EMAIL") == len(emails)
    assert {t.t_type for t in store.list_tasks(TaskQuery(limit=100))[0]} == {"SMS"}


def test_running_tasks_page_like_any_status_in_both_orders(store: TaskStore) -> None:
    # The memory store keeps INPROGRESS ids unsorted (tasks only pass through) and sorts a page
    # when it is read: the pages must be those of a sorted index, filtered by type or not.
    store.add([Task.create("EMAIL" if i % 2 else "SMS", {"i": i}, 3) for i in range(14)])
    running = [claim_one(store) for _ in range(11)]
    order: Order
    for order in ("asc", "desc"):
        for t_type in (None, "EMAIL", "SMS"):
            ids = sorted(
                (t.t_id for t in running if t_type is None or t.t_type == t_type),
                reverse=order == "desc",
            )
            query = TaskQuery(status=TaskStatus.INPROGRESS, t_type=t_type, limit=3, order=order)
            assert walk(store, query) == [ids[i : i + 3] for i in range(0, len(ids), 3)]
            page, total = store.list_tasks(replace(query, offset=2))
            assert [t.t_id for t in page] == ids[2:5]
            assert total == len(ids)
