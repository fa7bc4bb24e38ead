"""The demo task types that ship with PyQueue (EMAIL … TEST): sleeps, and two that fail.

They let a fresh ``make run`` show every state of the lifecycle without any code of one's own.
"""

from __future__ import annotations

import random
import threading
from dataclasses import dataclass, field
from typing import Any

from pyqueue.enums import TaskType
from pyqueue.models.handlers import Handler, HandlerRegistry, TaskContext


@dataclass(slots=True)
class DemoHandlers:
    """The demo task types, with their durations scaled by ``time_scale``."""

    time_scale: float = 1.0
    seed: int | None = None
    _rng: random.Random = field(init=False)
    _lock: threading.Lock = field(init=False, default_factory=threading.Lock)

    def __post_init__(self) -> None:
        self._rng = random.Random(self.seed)

    def _coin(self) -> float:
        with self._lock:
            return self._rng.random()

    def _sleeper(self, seconds: float, what: str) -> Handler:
        def run(payload: Any, ctx: TaskContext) -> Any:
            ctx.sleep(seconds * self.time_scale)
            return {"done": what, "attempt": ctx.attempt}

        return run

    def _stepper(self, seconds: float, what: str, steps: int = 10) -> Handler:
        """A sleeper that reports its progress after each of ``steps`` equal steps."""

        def run(payload: Any, ctx: TaskContext) -> Any:
            for step in range(1, steps + 1):
                ctx.sleep(seconds * self.time_scale / steps)
                ctx.progress(step / steps, f"{what}: step {step} of {steps}")
            return {"done": what, "attempt": ctx.attempt}

        return run

    def _fail(self, payload: Any, ctx: TaskContext) -> Any:
        if self._coin() < 0.25:
            ctx.sleep(2 * self.time_scale)
            return {"done": "fail survived", "attempt": ctx.attempt}
        ctx.sleep(1 * self.time_scale)
        raise RuntimeError(f"FAIL task failed on attempt {ctx.attempt} (75% chance)")

    def _failabs(self, payload: Any, ctx: TaskContext) -> Any:
        ctx.sleep(1 * self.time_scale)
        raise RuntimeError(f"FAILABS task always fails (attempt {ctx.attempt})")

    def register_into(self, target: HandlerRegistry) -> None:
        durations = {
            TaskType.EMAIL: (2, "Simulated e-mail, 2 s"),
            TaskType.REPORT: (5, "Simulated report, 5 s"),
            TaskType.DATACLEANUP: (3, "Simulated data clean-up, 3 s"),
            TaskType.SMS: (1, "Simulated SMS, 1 s"),
            TaskType.NEWSLETTER: (4, "Simulated newsletter, 4 s"),
            TaskType.TAKESLONG: (10, "Simulated long job, 10 s"),
            TaskType.TEST: (2, "Test task, 2 s"),
        }
        stepped = {TaskType.REPORT, TaskType.TAKESLONG}  # these report their progress
        for kind, (seconds, text) in durations.items():
            if kind in stepped:
                target.add(kind.value, self._stepper(seconds, kind.value), f"{text}, with progress")
            else:
                target.add(kind.value, self._sleeper(seconds, kind.value), text)
        target.add(TaskType.FAIL.value, self._fail, "Fails 75% of attempts (1 s), else 2 s")
        target.add(TaskType.FAILABS.value, self._failabs, "Always fails, 1 s")
