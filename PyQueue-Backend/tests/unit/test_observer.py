"""The Queue's observer fan-out: every observer hears every attempt; one that raises is logged
and never stops the others (or the worker that reported)."""

from __future__ import annotations

import logging
from collections.abc import Sequence

import pytest

from pyqueue.enums import TaskStatus
from pyqueue.models.task import Outcome, Task
from pyqueue.system.observer import Observers


class Recorder:
    def __init__(self) -> None:
        self.heard: list[str] = []

    def attempt_started(self, task: Task) -> None:
        self.heard.append(f"start {task.t_type}")

    def attempt_ended(self, task: Task, outcome: Outcome, seconds: float) -> None:
        self.heard.append(f"end {task.t_type} {outcome.status.value}")

    def leases_expired(self, tasks: Sequence[Task]) -> None:
        self.heard.append(f"expired {len(tasks)}")


class Broken(Recorder):
    def attempt_started(self, task: Task) -> None:
        raise RuntimeError("observer bug")


def test_every_observer_hears_and_a_broken_one_is_logged(caplog: pytest.LogCaptureFixture) -> None:
    observers = Observers()
    assert not observers  # nobody listens: the pool does not even time its attempts
    broken, good = Broken(), Recorder()
    observers.add(broken)
    observers.add(good)
    assert observers
    task = Task.create("ECHO", 1, 3)
    with caplog.at_level(logging.ERROR, logger="pyqueue.queue"):
        observers.attempt_started(task)
    observers.attempt_ended(task, Outcome(TaskStatus.COMPLETED), 0.5)
    observers.leases_expired([])  # nothing recovered: nobody is told
    observers.leases_expired([task])
    assert good.heard == ["start ECHO", "end ECHO COMPLETED", "expired 1"]
    assert "An observer failed on the start of" in caplog.text
    observers.remove(good)
    observers.attempt_ended(task, Outcome(TaskStatus.FAILED), 0.1)
    assert good.heard[-1] == "expired 1"
