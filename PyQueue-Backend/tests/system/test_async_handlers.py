"""``async def`` handlers: they run (regression: their coroutine was taken for the result and
failed with "is not JSON-serialisable"), fail, cancel and time out like sync ones."""

from __future__ import annotations

import asyncio
import threading
from typing import Any

import pytest

from pyqueue import TaskContext
from pyqueue.enums import TaskStatus
from pyqueue.models.handlers import TaskCancelled
from pyqueue.system.aio import CoroutineCancelled, run_awaitable, thread_loop
from tests import deadletter_tasks
from tests.support import MakeQueue

MODULES = ["tests.sample_tasks", "tests.deadletter_tasks"]


@pytest.fixture(autouse=True)
def _fresh() -> None:
    deadletter_tasks.async_started.clear()


def test_an_async_handler_runs_and_its_result_is_stored(
    every_store_url: str, make_queue: MakeQueue
) -> None:
    queue = make_queue(task_modules=MODULES, database_url=every_store_url, workers=2)
    tasks = [queue.enqueue("AECHO", {"n": i}) for i in range(5)]
    for task in tasks:
        assert queue.wait_for_status(task.t_id, TaskStatus.COMPLETED, timeout=20)
    done = queue.get(tasks[3].t_id)
    assert done.result == {"echo": {"n": 3}, "attempt": 1}
    assert done.last_error is None


def test_an_async_handler_that_raises_fails_the_attempt(make_queue: MakeQueue) -> None:
    queue = make_queue(task_modules=MODULES)
    task = queue.enqueue("AFAIL", None, max_retries=1)
    assert queue.wait_for_status(task.t_id, TaskStatus.FAILED, timeout=20)
    failed = queue.get(task.t_id)
    assert failed.attempts == 2
    assert failed.last_error == "RuntimeError: async failure"


@pytest.mark.parametrize("t_type", ["ASLEEP", "AWAIT"])
def test_cancel_stops_an_async_handler_where_it_awaits(make_queue: MakeQueue, t_type: str) -> None:
    queue = make_queue(task_modules=MODULES)
    task = queue.enqueue(t_type, None)
    assert deadletter_tasks.async_started.wait(20)
    assert queue.wait_for_status(task.t_id, TaskStatus.INPROGRESS, timeout=20)
    queue.cancel(task.t_id)
    assert queue.wait_for_status(task.t_id, TaskStatus.CANCELLED, timeout=20)
    assert queue.get(task.t_id).result is None


def test_a_timeout_applies_to_an_async_handler(make_queue: MakeQueue) -> None:
    queue = make_queue(task_modules=MODULES)
    task = queue.enqueue("AWAIT", None, max_retries=0, timeout_seconds=0.3)
    assert queue.wait_for_status(task.t_id, TaskStatus.FAILED, timeout=20)
    assert queue.get(task.t_id).last_error == "Timed out after 0.3 s"


def test_delete_stops_a_running_async_handler(make_queue: MakeQueue) -> None:
    queue = make_queue(task_modules=MODULES, workers=1)
    task = queue.enqueue("ASLEEP", None)
    assert deadletter_tasks.async_started.wait(20)
    queue.delete(task.t_id)
    after = queue.enqueue("AECHO", "next")  # the only worker is free again
    assert queue.wait_for_status(after.t_id, TaskStatus.COMPLETED, timeout=20)


def test_shutdown_requeues_a_running_async_handler(
    every_store_url: str, make_queue: MakeQueue
) -> None:
    queue = make_queue(task_modules=MODULES, database_url=every_store_url, workers=1)
    task = queue.enqueue("ASLEEP", None)
    assert deadletter_tasks.async_started.wait(20)
    queue.stop(timeout=0.1)  # the handler would sleep 60 s: it is cancelled where it awaits
    interrupted = queue.store.get(task.t_id)
    assert interrupted is not None
    assert interrupted.status is TaskStatus.QUEUED
    assert interrupted.attempts == 0  # an interrupted attempt does not count


# -- run_awaitable, the piece the worker calls ------------------------------------------------


def context() -> TaskContext:
    return TaskContext("Task-test", 1, 0)


def test_run_awaitable_returns_and_reuses_the_threads_loop() -> None:
    async def double(n: int) -> int:
        await asyncio.sleep(0)
        return n * 2

    ctx = context()
    assert run_awaitable(double(2), ctx) == 4
    loop = thread_loop()
    assert run_awaitable(double(3), ctx) == 6
    assert thread_loop() is loop
    assert not loop.is_running()


def test_each_worker_thread_has_its_own_loop() -> None:
    loops: list[asyncio.AbstractEventLoop] = []

    async def which() -> None:
        loops.append(asyncio.get_running_loop())

    thread = threading.Thread(target=run_awaitable, args=(which(), context()))
    thread.start()
    thread.join()
    run_awaitable(which(), context())
    assert len(loops) == 2
    assert loops[0] is not loops[1]
    assert loops[0].is_closed()  # closed when its thread ended


def test_tasks_an_attempt_leaves_behind_are_cancelled() -> None:
    cancelled = threading.Event()

    async def background() -> None:
        try:
            await asyncio.sleep(60)
        except asyncio.CancelledError:
            cancelled.set()
            raise

    async def leaves_a_task() -> str:
        asyncio.get_running_loop().create_task(background())
        await asyncio.sleep(0)
        return "done"

    assert run_awaitable(leaves_a_task(), context()) == "done"
    assert cancelled.is_set()
    assert not asyncio.all_tasks(thread_loop())


def test_a_cancel_from_another_thread_cancels_the_coroutine() -> None:
    ctx = context()
    started = threading.Event()

    async def waits() -> None:
        started.set()
        await asyncio.sleep(60)

    def cancel_once_started() -> None:
        assert started.wait(20)
        ctx.cancel("cancelled")

    canceller = threading.Thread(target=cancel_once_started)
    canceller.start()
    with pytest.raises(TaskCancelled):
        run_awaitable(waits(), ctx)
    canceller.join()


def test_asleep_raises_once_cancelled() -> None:
    ctx = context()

    async def sleeps() -> Any:
        ctx.cancel("cancelled")
        await ctx.asleep(0)

    with pytest.raises(TaskCancelled):
        run_awaitable(sleeps(), ctx)


def test_a_cancelled_attempt_never_starts_its_coroutine() -> None:
    ctx = context()
    ctx.cancel("shutdown")
    ran = []

    async def never() -> None:
        ran.append(1)

    with pytest.raises(TaskCancelled):
        run_awaitable(never(), ctx)
    assert ran == []


def test_a_cancellation_not_from_pyqueue_is_a_failure() -> None:
    async def cancels_itself() -> None:
        task = asyncio.current_task()
        assert task is not None
        task.cancel()
        await asyncio.sleep(0)

    with pytest.raises(CoroutineCancelled):
        run_awaitable(cancels_itself(), context())
