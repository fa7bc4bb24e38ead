"""Contract: the keyset cursor of a task list (``TaskQuery.after``) pages like offsets do, on
every store, with and without filters, in both orders."""

from __future__ import annotations

from dataclasses import replace

from pyqueue.enums import TaskStatus
from pyqueue.models.task import Task
from pyqueue.models.values import Order, TaskQuery
from pyqueue.stores import TaskStore
from tests.stores.helpers import claim_one


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
