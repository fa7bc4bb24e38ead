"""How ``jobs()`` moves from page to page: by the server's cursor, else by offset (no server)."""

from __future__ import annotations

import pytest

from pyqueue.client.common import Page, Pager
from pyqueue.models.task import Task
from pyqueue.schemas import mappers
from pyqueue.schemas.task import TaskOut

TASKS = [mappers.task_to_out(Task.create("ECHO", i, 0)) for i in range(7)]


def page(tasks: list[TaskOut], cursor: str | None = None, total: int = 7) -> Page:
    return Page(tasks, total, cursor)


def test_a_cursor_is_followed_and_resets_the_offset() -> None:
    pager = Pager(3, None)
    assert pager.fresh(page(TASKS[:3], TASKS[2].id)) == TASKS[:3]
    assert (pager.cursor, pager.offset, pager.done) == (TASKS[2].id, 0, False)
    assert pager.fresh(page(TASKS[3:6], TASKS[5].id)) == TASKS[3:6]
    assert pager.fresh(page(TASKS[6:])) == TASKS[6:]
    assert pager.done


def test_without_a_cursor_the_offset_moves_and_repeats_are_dropped() -> None:
    pager = Pager(3, None)
    assert pager.fresh(page(TASKS[:3])) == TASKS[:3]
    assert (pager.cursor, pager.offset) == (None, 3)
    # a task enqueued meanwhile pushed TASKS[2] onto the second page: it is not given again
    assert pager.fresh(page(TASKS[2:5])) == TASKS[3:5]
    assert pager.offset == 6 and not pager.done
    assert pager.fresh(page(TASKS[5:7], total=8)) == TASKS[5:7]
    assert pager.done  # a short page is the last


def test_a_full_page_that_reaches_the_total_is_the_last() -> None:
    pager = Pager(3, None)
    pager.fresh(page(TASKS[:3], total=3))
    assert pager.done


def test_the_limit_cuts_a_page() -> None:
    pager = Pager(3, 4)
    assert pager.fresh(page(TASKS[:3], TASKS[2].id)) == TASKS[:3]
    assert pager.fresh(page(TASKS[3:6], TASKS[5].id)) == TASKS[3:4]
    assert pager.done
    assert Pager(3, 0).done
    with pytest.raises(ValueError, match="page_size"):
        Pager(0, None)
