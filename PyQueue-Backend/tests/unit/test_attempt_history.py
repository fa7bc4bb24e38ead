"""The attempt history's pure parts: outcome names and the kept end of a traceback."""

from __future__ import annotations

import pytest

from pyqueue.enums import TaskStatus
from pyqueue.logs import add_secret
from pyqueue.models.control import (
    TRACEBACK_BYTES,
    TRACEBACK_LINES,
    AttemptOutcome,
    outcome_kind,
    traceback_tail,
)
from pyqueue.models.task import Outcome


@pytest.mark.parametrize(
    ("outcome", "kind"),
    [
        (Outcome(TaskStatus.COMPLETED), AttemptOutcome.COMPLETED),
        (Outcome(TaskStatus.FAILED, error="x"), AttemptOutcome.FAILED),
        (Outcome(TaskStatus.CANCELLED), AttemptOutcome.CANCELLED),
        (Outcome(TaskStatus.QUEUED, error="x"), AttemptOutcome.RETRY),
        (Outcome(TaskStatus.QUEUED, refund_attempt=True), AttemptOutcome.INTERRUPTED),
    ],
)
def test_each_outcome_has_its_history_name(outcome: Outcome, kind: AttemptOutcome) -> None:
    assert outcome_kind(outcome) is kind


def _raised(depth: int, message: str) -> BaseException:
    def down(n: int) -> None:
        if n == 0:
            raise RuntimeError(message)
        down(n - 1)

    try:
        down(depth)
    except RuntimeError as exc:
        return exc
    raise AssertionError("unreachable")


def test_a_short_traceback_is_kept_whole() -> None:
    tail = traceback_tail(_raised(0, "short"))
    assert tail.startswith("Traceback (most recent call last):")
    assert tail.endswith("RuntimeError: short")


def test_a_long_traceback_keeps_its_last_lines() -> None:
    message = "\n".join(f"detail {i}" for i in range(40))
    lines = traceback_tail(_raised(3, message)).split("\n")
    assert len(lines) == TRACEBACK_LINES
    assert (lines[0], lines[-1]) == ("detail 20", "detail 39")


def test_a_huge_message_keeps_at_most_4_kb_of_whole_lines() -> None:
    tail = traceback_tail(_raised(2, "x" * 3000 + "\n" + "y" * 3000))
    assert len(tail.encode()) <= TRACEBACK_BYTES
    assert tail.endswith("y" * 100)
    assert tail.startswith("y")  # the cut line is dropped, not half kept


def test_credentials_in_a_traceback_are_masked_as_in_the_logs() -> None:
    add_secret("s3cr3t-token-value")
    tail = traceback_tail(_raised(0, "postgresql://u:pw@db/x token s3cr3t-token-value"))
    assert "pw@" not in tail
    assert "s3cr3t-token-value" not in tail
