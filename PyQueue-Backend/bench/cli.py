"""``python -m bench``: run every system's scenarios, write JSON, print the markdown report.

Each system runs in a runner subprocess of its own (``bench.runner``); a system whose library is
not installed, or whose store this checkout lacks, is reported as skipped, not as a failure.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shlex
import subprocess
import sys
import time
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

from bench.report import evaluate, markdown
from bench.stats import Record
from bench.systems import SYSTEMS

BACKEND = Path(__file__).resolve().parents[1]
PYQUEUE = ["pyqueue-memory", "pyqueue-sqlite", "pyqueue-postgres"]
HTTP = ["fastapi-bare", *PYQUEUE]
PACKAGES = ["pyqueue", "huey", "dramatiq", "rq", "pgqueuer", "procrastinate", "fastapi", "uvicorn"]


def plan(args: argparse.Namespace) -> list[tuple[str, list[str]]]:
    """(system, scenarios) pairs, one runner each, in the order they run."""
    chosen = args.systems or [s for s in SYSTEMS if not args.pyqueue_only or s in PYQUEUE]
    jobs = [(s, ["enqueue", "enqueue-batch", "process", "latency"]) for s in chosen if s in SYSTEMS]
    if not args.no_http:
        jobs += [(s, ["http", "http-batch"]) for s in HTTP if not args.systems or s in chosen]
    if not args.no_scale:
        jobs += [(s, ["scale"]) for s in PYQUEUE if not args.systems or s in chosen]
    return jobs


def run_job(system: str, scenarios: list[str], args: argparse.Namespace) -> list[Record]:
    command = [
        sys.executable, "-m", "bench.runner", system,
        "--scenarios", ",".join(scenarios),
        "--kinds", ",".join(args.kinds),
        "--size", str(args.size),
        "--repeat", str(args.repeat),
        "--latency-size", str(args.latency_size),
        "--latency-rate", str(args.latency_rate),
        "--scale-size", str(args.scale_size),
    ]  # fmt: skip
    started = time.monotonic()
    env = dict(os.environ, PYTHONPATH=str(BACKEND))
    try:
        proc = subprocess.run(
            command, cwd=BACKEND, env=env, capture_output=True, text=True, timeout=args.timeout
        )
    except subprocess.TimeoutExpired:
        return [_failed(system, scenarios, f"timed out after {args.timeout} s")]
    took = time.monotonic() - started
    sys.stderr.write(f"  {system} {','.join(scenarios)}: {took:.1f} s\n")
    if proc.returncode != 0 or not proc.stdout.strip():
        sys.stderr.write(proc.stderr[-3000:])
        return [_failed(system, scenarios, f"runner exited with {proc.returncode}")]
    if args.verbose:
        sys.stderr.write(proc.stderr)
    records: list[Record] = json.loads(proc.stdout.strip().splitlines()[-1])
    return records


def _failed(system: str, scenarios: list[str], why: str) -> Record:
    return {"system": system, "scenario": ",".join(scenarios), "kind": "*", "skipped": why,
            "error": True}  # fmt: skip


def machine() -> dict[str, Any]:
    cpu = ""
    try:
        with open("/proc/cpuinfo") as info:
            cpu = next((line.split(":", 1)[1].strip() for line in info if "model name" in line), "")
    except OSError:
        pass
    versions = {}
    for name in PACKAGES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            continue
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "load_average": os.getloadavg(),
        "packages": versions,
    }


def parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    split = lambda s: s.split(",")  # noqa: E731
    parser.add_argument(
        "--systems", type=split, help=f"comma-separated, from: {', '.join(SYSTEMS)}"
    )
    parser.add_argument("--pyqueue-only", action="store_true", help="PyQueue and the baselines")
    parser.add_argument("--kinds", type=split, default=["noop", "1ms"])
    parser.add_argument("--size", type=int, default=20_000, help="tasks per measurement")
    parser.add_argument("--repeat", type=int, default=3, help="runs per figure (median)")
    parser.add_argument("--latency-size", type=int, default=2_000)
    parser.add_argument("--latency-rate", type=float, default=500.0, help="tasks/s")
    parser.add_argument("--scale-size", type=int, default=1_000_000)
    parser.add_argument("--no-http", action="store_true")
    parser.add_argument("--no-scale", action="store_true")
    parser.add_argument("--timeout", type=float, default=900.0, help="seconds per runner")
    parser.add_argument("--out", type=Path, help="JSON file (default bench/results/<time>.json)")
    parser.add_argument("--markdown", type=Path, help="also write the report here")
    parser.add_argument("--verbose", action="store_true")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse(argv)
    if args.pyqueue_only and not args.systems:
        args.systems = [*PYQUEUE, "raw-threadpool", "fastapi-bare"]
    command = "python -m bench " + shlex.join(sys.argv[1:] if argv is None else argv)
    started = datetime.now(UTC)
    records: list[Record] = []
    sys.stderr.write(f"{command}\n")
    for system, scenarios in plan(args):
        records.extend(run_job(system, scenarios, args))
    targets = evaluate(records)
    result = {
        "meta": {
            "command": command,
            "started": started.isoformat(),
            "seconds": (datetime.now(UTC) - started).total_seconds(),
            "size": args.size,
            "repeat": args.repeat,
            "machine": machine(),
        },
        "records": records,
        "targets": targets,
    }
    out = args.out or BACKEND / "bench" / "results" / f"{started:%Y%m%dT%H%M%S}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=1) + "\n")
    report = markdown(records, targets)
    if args.markdown:
        args.markdown.write_text(report + "\n")
    sys.stdout.write(report + "\n")
    sys.stderr.write(f"JSON: {out}\n")
    errors = [r for r in records if r.get("error")]
    return 1 if errors else 0
