"""Small pieces: ids, statuses, retry policy, settings, task transitions."""

from __future__ import annotations

import random
import time
from dataclasses import fields
from datetime import UTC, datetime
from typing import Any, get_args, get_type_hints

import pytest
from pydantic import ValidationError

from pyqueue.config import Settings
from pyqueue.enums import TaskStatus
from pyqueue.models import task as task_module
from pyqueue.models.retry import RetryPolicy
from pyqueue.models.task import Outcome, Task, new_task_id, new_task_ids, task_id_from


def test_ids_are_unique_prefixed_and_sort_by_creation() -> None:
    ids = [new_task_id() for _ in range(10_000)]
    assert len(set(ids)) == len(ids)
    assert ids == sorted(ids)
    assert all(i.startswith("Task-") and len(i) == 31 for i in ids)


def test_a_batch_of_ids_continues_the_sequence_of_single_ids() -> None:
    """new_task_ids makes the ids new_task_id would make one by one: unique and increasing
    across single ids and batches, each a ULID of its millisecond and random bits."""
    ids = [new_task_id(), *new_task_ids(500), new_task_id(), *new_task_ids(1), *new_task_ids(3)]
    assert len(ids) == 506 == len(set(ids))
    assert ids == sorted(ids)
    assert all(i.startswith("Task-") and len(i) == 31 for i in ids)
    assert new_task_ids(0) == []
    before, batch, after = new_task_id(), new_task_ids(1_000), new_task_id()
    assert before < batch[0] < batch[-1] < after


@pytest.mark.parametrize("first", [(1 << 20) - 3, (1 << 40) - 2, (1 << 79) - 4, 5])
def test_a_batch_of_ids_carries_into_the_digits_it_makes_once(
    first: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A batch makes the digits above the low 20 bits once per carry: across a carry too, its
    # ids are the ULIDs of consecutive numbers in one millisecond.
    millis = time.time_ns() // 1_000_000 + 60_000  # ahead of the clock: the batch continues it
    monkeypatch.setattr(task_module, "_last_ms", millis)
    monkeypatch.setattr(task_module, "_last_ms_digits", task_module._millis_digits(millis))
    monkeypatch.setattr(task_module, "_last_rand", first - 1)
    assert new_task_ids(9) == [task_id_from(millis, r) for r in range(first, first + 9)]


def test_ids_are_crockford_ulids_of_their_millisecond_and_random_bits() -> None:
    assert task_id_from(0, 0) == "Task-" + "0" * 26
    assert task_id_from(2**48 - 1, 2**80 - 1) == "Task-7" + "Z" * 25
    rng = random.Random(7)
    digits = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
    for _ in range(1_000):
        millis, rand = rng.getrandbits(48), rng.getrandbits(80)
        ulid = task_id_from(millis, rand)[5:]
        value = 0
        for char in ulid:
            value = value * 32 + digits.index(char)
        assert value == millis << 80 | rand


def test_status_parse_ignores_case_and_names_choices() -> None:
    assert TaskStatus.parse(" failed ") is TaskStatus.FAILED
    with pytest.raises(ValueError, match="QUEUED, INPROGRESS"):
        TaskStatus.parse("done")


def test_backoff_grows_exponentially_with_jitter_and_a_cap() -> None:
    policy = RetryPolicy(base=1, maximum=10)
    rng = random.Random(1)
    for attempt, full in [(1, 1), (2, 2), (3, 4), (4, 8), (5, 10), (20, 10)]:
        delays = [policy.delay(attempt, rng) for _ in range(200)]
        assert min(delays) >= full / 2 and max(delays) <= full
        assert max(delays) - min(delays) > 0  # jittered
    assert RetryPolicy(base=0, maximum=0).delay(3) == 0


def test_retry_jitter_leaves_the_global_random_state_alone() -> None:
    before = random.getstate()
    delays = {RetryPolicy(base=1, maximum=10).delay(3) for _ in range(50)}
    assert len(delays) > 1  # still jittered
    assert random.getstate() == before


def test_max_retries_counts_retries_after_the_first_attempt() -> None:
    task = Task.create("EMAIL", None, max_retries=3)
    now = datetime.now(UTC)
    for attempt in range(1, 5):
        task = task.claimed(f"lease-{attempt}", now, now)
        assert task.attempts == attempt
        assert task.retries_left is (attempt <= 3)
        task = task.finished(Outcome(TaskStatus.QUEUED, error="x"), now)
    assert task.attempts == 4


def test_settings_from_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PYQUEUE_WORKERS", "3")
    monkeypatch.setenv("PYQUEUE_TASK_MODULES", "a.b, c")
    monkeypatch.setenv("FRONTEND_ORIGIN", "http://x:1,http://y:2")
    monkeypatch.setenv("PYQUEUE_API_TOKEN", "")
    settings = Settings(_env_file=None)
    assert settings.workers == 3
    assert settings.task_modules == ["a.b", "c"]
    assert settings.frontend_origin == ["http://x:1", "http://y:2"]
    assert settings.api_token is None


def test_settings_reject_nonsense(monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in [
        ("PYQUEUE_WORKERS", "-1"),
        ("PYQUEUE_LOG_LEVEL", "LOUD"),
        ("PYQUEUE_RETRY_BACKOFF_MAX", "0.5"),
    ]:
        monkeypatch.setenv(name, value)
        with pytest.raises(ValidationError):
            Settings(_env_file=None)
        monkeypatch.delenv(name)


def _every_field_set() -> Task:
    """A task whose every field holds a value other than its default, chosen by its type, so a
    transition that forgot a field (and left it at its default) shows."""
    kinds: dict[Any, Any] = {
        str: "kept",
        int: 7,
        float: 0.25,
        bool: True,
        datetime: datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC),
        TaskStatus: TaskStatus.QUEUED,
        Any: {"kept": True},
    }
    values = {}
    for name, hint in get_type_hints(Task).items():
        options = [a for a in get_args(hint) if a is not type(None)] or [hint]
        assert options[0] in kinds, f"Task.{name}: add a value for {options[0]!r} here"
        values[name] = kinds[options[0]]
    return Task(**values)


CLAIM_CHANGES = {
    "status", "attempts", "updated_at", "started_at", "next_run_at",
    "lease_id", "lease_expires_at", "progress", "progress_message",
}  # fmt: skip
END_CHANGES = {
    "status", "attempts", "updated_at", "finished_at", "next_run_at",
    "last_error", "result", "cancel_requested", "lease_id", "lease_expires_at",
}  # fmt: skip


def test_a_claim_and_an_end_carry_every_other_field_over() -> None:
    # Task.claimed and Task.finished name every field (cheaper than dataclasses.replace): a field
    # added to Task and not to them would silently fall back to its default at each transition.
    queued = _every_field_set()
    now = datetime(2026, 6, 1, tzinfo=UTC)
    claimed = queued.claimed("lease", now, now)
    ended = claimed.finished(Outcome(TaskStatus.COMPLETED, result=None), now)
    names = [f.name for f in fields(Task)]
    assert [
        n for n in names if n not in CLAIM_CHANGES and getattr(claimed, n) != getattr(queued, n)
    ] == []
    assert [
        n for n in names if n not in END_CHANGES and getattr(ended, n) != getattr(claimed, n)
    ] == []
