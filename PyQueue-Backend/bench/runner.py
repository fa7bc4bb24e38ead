"""Run the scenarios of one system in this process and print their records as one JSON line.

The CLI starts one runner per system, so that no library's threads or memory leak into another's
figures: ``python -m bench.runner pyqueue-memory --scenarios process --kinds noop --size 2000``.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
import traceback
from collections.abc import Callable
from typing import Any

from bench.stats import Record, record
from bench.systems import SYSTEMS, NotSupported, System, load

HTTP_SCENARIOS = ("http", "http-batch")

PROCESS_SCENARIOS = ("enqueue", "enqueue-batch", "process", "latency")
BATCH = 100


def _repeat(times: int, measure: Callable[[], float]) -> list[float]:
    return [measure() for _ in range(times)]


def run_system(name: str, args: argparse.Namespace) -> list[Record]:
    records: list[Record] = []
    http = [s for s in args.scenarios if s in HTTP_SCENARIOS]
    if http:
        records.extend(_guarded(name, "http", lambda: _http(name, http, args)))
    if "scale" in args.scenarios:
        records.extend(_guarded(name, "scale", lambda: _scale(name, args)))
    args.scenarios = [s for s in args.scenarios if s in PROCESS_SCENARIOS]
    if not args.scenarios or name not in SYSTEMS:
        return records
    system = load(name)
    n = max(10, int(args.size * system.size_factor))
    for kind in args.kinds:
        try:
            system.setup(kind)
        except Exception as exc:  # e.g. a store this checkout does not have yet
            records.append(_skipped(name, "*", kind, f"cannot start: {exc}"))
            continue
        try:
            records.extend(_scenarios(system, kind, n, args))
        finally:
            system.close()
    return records


def _http(name: str, scenarios: list[str], args: argparse.Namespace) -> list[Record]:
    from bench.http_bench import run_http

    factor = load(name).size_factor if name in SYSTEMS else 1.0
    return run_http(name, scenarios, max(100, int(args.size * factor)), args.repeat)


def _scale(name: str, args: argparse.Namespace) -> list[Record]:
    from bench.scale import run_scale

    if name not in ("pyqueue-memory", "pyqueue-sqlite", "pyqueue-postgres"):
        raise NotSupported("the scale scenario measures PyQueue's stores")
    system = load(name)
    assert hasattr(system, "database_url")
    return run_scale(name, system.database_url, args.scale_size, args.repeat)


def _guarded(name: str, scenario: str, measure: Callable[[], list[Record]]) -> list[Record]:
    try:
        return measure()
    except NotSupported as exc:
        return [_skipped(name, scenario, "noop", str(exc))]
    except Exception as exc:
        traceback.print_exc()
        return [_skipped(name, scenario, "noop", f"failed: {exc!r}", error=True)]


def _scenarios(system: System, kind: str, n: int, args: argparse.Namespace) -> list[Record]:
    out: list[Record] = []
    note = {"concurrency": system.concurrency}
    for scenario in args.scenarios:
        if scenario in ("enqueue", "enqueue-batch") and kind != args.kinds[0]:
            continue  # what a task does cannot change how fast it is enqueued
        if scenario == "latency" and kind not in args.latency_kinds:
            continue
        try:
            out.extend(_one(system, scenario, kind, n, args, note))
        except NotSupported as exc:
            out.append(_skipped(system.name, scenario, kind, str(exc)))
        except Exception as exc:
            traceback.print_exc()
            out.append(_skipped(system.name, scenario, kind, f"failed: {exc!r}", error=True))
    return out


def _one(
    system: System,
    scenario: str,
    kind: str,
    n: int,
    args: argparse.Namespace,
    note: dict[str, Any],
) -> list[Record]:
    name, times = system.name, args.repeat
    if scenario == "enqueue":
        runs = _repeat(times, lambda: system.measure_enqueue(n, 1))
        return [record(name, scenario, kind, "tasks/s", runs, n, **note)]
    if scenario == "enqueue-batch":
        runs = _repeat(times, lambda: system.measure_enqueue(n, BATCH))
        return [record(name, scenario, kind, "tasks/s", runs, n, batch=BATCH, **note)]
    if scenario == "process":
        runs = _repeat(times, lambda: system.measure_process(n))
        return [record(name, scenario, kind, "tasks/s", runs, n, **note)]
    if scenario == "latency":
        m = max(10, int(args.latency_size * system.size_factor))
        pairs = [system.measure_latency(m, args.latency_rate) for _ in range(times)]
        extra = {"rate": args.latency_rate, **note}
        return [
            record(name, "latency-p50", kind, "ms", [p[0] for p in pairs], m, **extra),
            record(name, "latency-p99", kind, "ms", [p[1] for p in pairs], m, **extra),
        ]
    raise NotSupported(f"unknown scenario {scenario}")


def _skipped(system: str, scenario: str, kind: str, why: str, error: bool = False) -> Record:
    return {"system": system, "scenario": scenario, "kind": kind, "skipped": why, "error": error}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.runner")
    parser.add_argument("system", choices=sorted({*SYSTEMS, "fastapi-bare"}))
    parser.add_argument("--scenarios", type=lambda s: s.split(","), default=list(PROCESS_SCENARIOS))
    parser.add_argument("--kinds", type=lambda s: s.split(","), default=["noop", "1ms"])
    parser.add_argument("--size", type=int, default=20_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--latency-size", type=int, default=2_000)
    parser.add_argument("--latency-rate", type=float, default=500.0)
    parser.add_argument("--latency-kinds", type=lambda s: s.split(","), default=["noop"])
    parser.add_argument("--scale-size", type=int, default=1_000_000)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr)
    try:
        records = run_system(args.system, args)
    except ImportError as exc:
        records = [_skipped(args.system, "*", "*", f"not installed here: {exc.name}")]
    sys.stdout.write(json.dumps(records) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
