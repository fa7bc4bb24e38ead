"""The hot path's builders of frozen dataclasses (``pyqueue.models.frozen``): what they make is
what the constructor makes, frozen, for every field; and a class they cannot build is refused."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, fields
from datetime import UTC, datetime
from typing import Any

import pytest

from pyqueue.enums import TaskStatus
from pyqueue.models import control, task
from pyqueue.models.control import Attempt, AttemptOutcome
from pyqueue.models.frozen import draft_class
from pyqueue.models.task import Outcome, Task


def _distinct(cls: type) -> list[Any]:
    """A value per field of ``cls``, each different from the others and from its default, so a
    builder that put a field in the wrong slot (or left one out) makes an unequal object."""
    return [f"value of {field.name}" for field in fields(cls)]


@pytest.mark.parametrize(("cls", "build"), [(Task, task.build_task), (Attempt, control._build)])
def test_a_builder_makes_what_the_constructor_makes_and_it_is_frozen(cls: type, build: Any) -> None:
    values = _distinct(cls)
    made = build(*values)
    assert type(made) is cls
    assert made == cls(*values)
    assert [getattr(made, field.name) for field in fields(cls)] == values
    with pytest.raises(dataclasses.FrozenInstanceError):
        made.__setattr__(fields(cls)[0].name, "changed")
    assert hash(made) == hash(cls(*values))


@pytest.mark.parametrize(("cls", "build"), [(Task, task.build_task), (Attempt, control._build)])
def test_a_builder_takes_exactly_the_fields_of_its_class(cls: type, build: Any) -> None:
    # a field added to the class and not to its builder fails here, not silently at run time
    with pytest.raises(TypeError):
        build(*_distinct(cls), "one more")
    with pytest.raises(TypeError):
        build(*_distinct(cls)[:-1])


def test_the_transitions_and_attempts_built_so_equal_the_constructors() -> None:
    now = datetime(2026, 12, 4, tzinfo=UTC)
    queued = Task.create("EMAIL", {"to": "a@b.c"}, 3, priority=5, t_id="Task-1", now=now)
    assert queued == Task("Task-1", "EMAIL", {"to": "a@b.c"}, TaskStatus.QUEUED, 0, 3, now, now,
                          priority=5)  # fmt: skip
    claimed = queued.claimed("lease", now, now)
    assert claimed == dataclasses.replace(
        queued, status=TaskStatus.INPROGRESS, attempts=1, started_at=now, lease_id="lease",
        lease_expires_at=now,
    )  # fmt: skip
    ended = claimed.finished(Outcome(TaskStatus.COMPLETED, result=[1]), now)
    assert ended == dataclasses.replace(
        claimed, status=TaskStatus.COMPLETED, finished_at=now, result=[1], lease_id=None,
        lease_expires_at=None,
    )  # fmt: skip
    began = Attempt.began("Task-1", 1, now, "host:1")
    assert began == Attempt("Task-1", 1, now, "host:1")
    assert began.ended(AttemptOutcome.FAILED, "boom", "trace", now) == Attempt(
        "Task-1", 1, now, "host:1", now, AttemptOutcome.FAILED, "boom", "trace"
    )


def test_a_class_that_a_draft_cannot_stand_for_is_refused() -> None:
    @dataclass(slots=True)
    class Mutable:
        a: int

    @dataclass(frozen=True)
    class NoSlots:
        a: int

    @dataclass(frozen=True, slots=True)
    class Checked:
        a: int

        def __post_init__(self) -> None:
            assert self.a >= 0

    @dataclass(frozen=True, slots=True)
    class Derived(Checked):
        b: int = 0

    @dataclass(frozen=True, slots=True)
    class Computed:
        a: int
        b: int = dataclasses.field(init=False, default=0)

    for cls in (Mutable, NoSlots, Checked, Derived, Computed):
        with pytest.raises(TypeError):
            draft_class(cls)
