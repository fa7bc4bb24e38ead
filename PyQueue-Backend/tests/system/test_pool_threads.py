"""The worker pool's threads: each runs a loop over the tasks handed to it, and survives what an
attempt lets escape (as an executor's Future would have swallowed it)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from pyqueue import NewTask, Queue, build_queue
from pyqueue.enums import TaskStatus
from pyqueue.models.handlers import Handler, TaskContext
from pyqueue.models.retry import RetryPolicy
from pyqueue.models.task import Outcome, Task
from pyqueue.system.events import EventBus
from pyqueue.system.worker import worker_factory
from tests.support import make_settings


def test_an_attempt_that_raises_out_of_the_pool_costs_no_thread(
    caplog: pytest.LogCaptureFixture,
) -> None:
    # One worker slot, so 1 + 2 spare threads. Each of six tasks makes the worker factory raise
    # on its first attempt: had a thread died each time, none would be left after the third.
    failed_once: set[str] = set()

    def factory(
        task: Task, handler: Handler, ctx: TaskContext, policy: RetryPolicy
    ) -> Callable[[], Outcome]:
        if task.t_id not in failed_once:
            failed_once.add(task.t_id)
            raise RuntimeError("the factory failed")
        return worker_factory(task, handler, ctx, policy)

    built = build_queue(make_settings(workers=1))
    queue = Queue(built.store, factory, built.registry, built.config)
    queue.start()
    try:
        with caplog.at_level(logging.ERROR, logger="pyqueue.queue"):
            tasks = queue.enqueue_many([NewTask("ECHO", i) for i in range(6)])
            assert queue.wait_idle(timeout=20)
        for task in tasks:
            done: Any = queue.store.get(task.t_id)
            assert done.status is TaskStatus.COMPLETED and done.attempts == 2
        failures = [r for r in caplog.records if "failed running" in r.getMessage()]
        assert len(failures) == 6
    finally:
        queue.stop(5)
        queue.close()


@pytest.mark.sqlite
@pytest.mark.parametrize("history", [0, 10_000])
def test_ends_are_read_back_only_for_an_event_bus_that_keeps_them(
    history: int, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A worker process's bus keeps no history (and has no subscriber): the finisher records the
    # ends with record_ends, reading nothing back; a bus that keeps them gets the ended tasks.
    queue = build_queue(
        make_settings(database_url=f"sqlite:///{tmp_path / 'q.db'}", workers=2),
        EventBus(history=history),
    )
    calls = {"finish_many": 0, "record_ends": 0}
    for name in calls:
        real = getattr(queue.store, name)

        def counted(ends: Any, real: Any = real, name: str = name) -> Any:
            calls[name] += 1
            return real(ends)

        monkeypatch.setattr(queue.store, name, counted)
    queue.start()
    try:
        tasks = queue.enqueue_many([NewTask("ECHO", i) for i in range(50)])
        assert queue.wait_idle(timeout=20)
        assert all(
            (done := queue.store.get(t.t_id)) is not None and done.status is TaskStatus.COMPLETED
            for t in tasks
        )
        if history:
            assert calls["finish_many"] > 0 and calls["record_ends"] == 0
            assert queue.events.last_seq >= 3 * len(tasks)  # enqueued, started, ended
        else:
            assert calls["record_ends"] > 0 and calls["finish_many"] == 0
            assert queue.events.last_seq == 0
    finally:
        queue.stop(5)
        queue.close()
