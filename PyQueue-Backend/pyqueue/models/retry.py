"""When a failed attempt runs again: exponential backoff with jitter, capped."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta

_JITTER = random.Random()
"""The jitter's own generator: the queue never draws from (or moves) the global ``random`` state,
which belongs to the application and its tests."""


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """``delay(n)`` after the n-th failed attempt: ``base * 2**(n-1)``, capped at ``maximum``.

    The jitter draws the delay uniformly from its upper half ("equal jitter"), so retries of many
    tasks that failed together spread out but none comes back sooner than half its backoff.
    """

    base: float = 1.0
    maximum: float = 60.0

    def delay(self, attempt: int, rng: random.Random | None = None) -> float:
        if self.base <= 0:
            return 0.0
        capped = min(self.maximum, self.base * 2.0 ** max(0, attempt - 1))
        draw = (rng or _JITTER).random()
        return capped / 2 + draw * capped / 2

    def next_run_at(self, attempt: int, now: datetime) -> datetime:
        return now + timedelta(seconds=self.delay(attempt))
