"""Medians, spreads and the result records every scenario returns."""

from __future__ import annotations

import statistics
from typing import Any

Record = dict[str, Any]


def summarize(values: list[float]) -> dict[str, float]:
    """The median of the runs and their spread ((max - min) / median, in percent)."""
    median = statistics.median(values)
    spread = (max(values) - min(values)) / median * 100 if median else 0.0
    return {"median": median, "min": min(values), "max": max(values), "spread_pct": spread}


def percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(pct / 100 * (len(ordered) - 1))))
    return ordered[index]


def record(
    system: str,
    scenario: str,
    kind: str,
    unit: str,
    runs: list[float],
    tasks: int,
    **extra: Any,
) -> Record:
    """One figure: a (system, scenario, kind) measured ``len(runs)`` times."""
    return {
        "system": system,
        "scenario": scenario,
        "kind": kind,
        "unit": unit,
        "tasks": tasks,
        "runs": runs,
        **summarize(runs),
        **extra,
    }
