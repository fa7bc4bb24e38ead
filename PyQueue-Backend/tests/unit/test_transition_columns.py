"""The SQLite store saves a claim, an attempt's end and a lease recovery by updating only
TRANSITION_COLUMNS: every field those transitions change must be among them, or the store would
silently keep the old value."""

from __future__ import annotations

from dataclasses import fields, replace
from datetime import timedelta

import pytest

from pyqueue.enums import TaskStatus
from pyqueue.models.task import Outcome, Task, utcnow
from pyqueue.stores.common import COLUMNS, TRANSITION_COLUMNS, eligible_at
from pyqueue.stores.sqlite.store import CODEC

NOW = utcnow()


def _changed(before: Task, after: Task) -> set[str]:
    names = {f.name for f in fields(Task)} & set(COLUMNS)
    changed = {n for n in names if getattr(before, n) != getattr(after, n)}
    if eligible_at(before) != eligible_at(after):
        changed.add("run_at")
    return changed


def _running() -> Task:
    task = Task.create(
        "EMAIL",
        {"to": "a@example.com"},
        2,
        priority=5,
        timeout_seconds=3.0,
        idempotency_key="k",
    )
    task = replace(task, progress=0.5, progress_message="half", cancel_requested=True)
    return task.claimed("lease", NOW + timedelta(seconds=30), NOW)


OUTCOMES = [
    Outcome(TaskStatus.COMPLETED, result={"sent": True}),
    Outcome(TaskStatus.FAILED, error="boom", traceback="Traceback …"),
    Outcome(TaskStatus.QUEUED, error="boom", next_run_at=NOW + timedelta(seconds=5)),
    Outcome(TaskStatus.QUEUED, refund_attempt=True),
    Outcome(TaskStatus.CANCELLED, error="cancelled"),
]


def test_a_claim_changes_only_transition_columns() -> None:
    queued = Task.create("EMAIL", {"n": 1}, 2, priority=-3, timeout_seconds=1.5)
    queued = replace(queued, progress=1.0, progress_message="old", last_error="earlier")
    claimed = queued.claimed("lease", NOW + timedelta(seconds=30), NOW)
    assert _changed(queued, claimed) <= set(TRANSITION_COLUMNS)
    assert "status" in _changed(queued, claimed)


@pytest.mark.parametrize("outcome", OUTCOMES, ids=lambda o: f"{o.status.value}")
def test_an_attempts_end_changes_only_transition_columns(outcome: Outcome) -> None:
    running = _running()
    done = running.finished(outcome, NOW + timedelta(seconds=1))
    assert _changed(running, done) <= set(TRANSITION_COLUMNS)


def test_a_lease_recovery_changes_only_transition_columns() -> None:
    running = _running()
    assert _changed(running, running.lease_lost(NOW + timedelta(minutes=1))) <= set(
        TRANSITION_COLUMNS
    )


@pytest.mark.parametrize("outcome", OUTCOMES, ids=lambda o: f"{o.status.value}")
def test_a_transition_row_holds_the_full_rows_values_in_its_columns_order(
    outcome: Outcome,
) -> None:
    done = _running().finished(outcome, NOW)
    full = dict(zip((*COLUMNS, "run_at"), CODEC.to_row(done), strict=True))
    expected = (*(full[c] for c in TRANSITION_COLUMNS), done.t_id)
    assert CODEC.to_transition_row(done) == expected


def test_the_transition_columns_are_task_columns() -> None:
    assert set(TRANSITION_COLUMNS) <= {*COLUMNS, "run_at"}
    assert "payload" not in TRANSITION_COLUMNS and "t_type" not in TRANSITION_COLUMNS
