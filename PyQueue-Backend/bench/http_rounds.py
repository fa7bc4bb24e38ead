"""HTTP enqueue, PyQueue against the bare FastAPI endpoint, interleaved round by round.

``python -m bench.http_rounds [--rounds 7] [--requests 10000] [--stores memory,sqlite]`` (from
PyQueue-Backend, in the benchmark's virtualenv). Every server is started once, side by side (an
idle server costs nothing); then each round sends the same load to each in turn, so that a slow
moment of the machine hits both alike (``python -m bench`` measures one system after the other,
and on these shared machines the rate of the same server drifts by 10 to 30 % over a minute).

One task per request over 50 keep-alive connections, and batches of 100 over 4, as
:mod:`bench.http_bench`. Prints one markdown table: the median rate of each, the median of the
per-round ratios to the bare endpoint, and their range.
"""

from __future__ import annotations

import argparse
import contextlib
import logging
import statistics
import sys
from dataclasses import dataclass

from bench.http_bench import (
    BATCH,
    BATCH_BODY,
    BATCH_CONNECTIONS,
    CONNECTIONS,
    SINGLE_BODY,
    serving,
)
from bench.loadgen import run_load

logger = logging.getLogger("bench.http_rounds")


@dataclass(frozen=True, slots=True)
class Load:
    name: str
    path: str
    body: bytes
    connections: int
    tasks_per_request: int


LOADS = (
    Load("one task per request", "/api/enqueue", SINGLE_BODY, CONNECTIONS, 1),
    Load(f"batches of {BATCH}", "/api/enqueue/batch", BATCH_BODY, BATCH_CONNECTIONS, BATCH),
)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--requests", type=int, default=10_000, help="single requests per round")
    parser.add_argument("--stores", default="memory", help="PyQueue stores, comma-separated")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    systems = ["fastapi-bare", *(f"pyqueue-{s}" for s in args.stores.split(","))]
    rates: dict[tuple[str, str], list[float]] = {}
    with contextlib.ExitStack() as stack:
        ports = {system: stack.enter_context(serving(system)) for system in systems}
        for port in ports.values():  # warm up
            for load in LOADS:
                run_load(port, load.path, load.body, 500, load.connections)
        for number in range(args.rounds):
            for load in LOADS:
                requests = max(1, args.requests // load.tasks_per_request)
                for system, port in ports.items():
                    result = run_load(port, load.path, load.body, requests, load.connections)
                    if result.errors:
                        raise RuntimeError(f"{system}: {result.errors} unexpected answers")
                    rate = result.rate * load.tasks_per_request
                    rates.setdefault((load.name, system), []).append(rate)
            logger.info("round %d of %d done", number + 1, args.rounds)
    sys.stdout.write(_table(systems, rates, args.rounds) + "\n")
    return 0


def _table(systems: list[str], rates: dict[tuple[str, str], list[float]], rounds: int) -> str:
    lines = [
        f"HTTP enqueue, {rounds} interleaved rounds (medians; ratio: median of per-round ratios)",
        "",
        "| load | system | tasks/s | ÷ bare FastAPI | per-round ratios |",
        "|---|---|---:|---:|---|",
    ]
    for load in LOADS:
        bare = rates[(load.name, "fastapi-bare")]
        for system in systems:
            own = rates[(load.name, system)]
            ratios = sorted(a / b for a, b in zip(own, bare, strict=True))
            shown = "" if system == "fastapi-bare" else f"{statistics.median(ratios):.2f}x"
            spread = "" if system == "fastapi-bare" else f"{ratios[0]:.2f} to {ratios[-1]:.2f}"
            lines.append(
                f"| {load.name} | {system} | {statistics.median(own):,.0f} | {shown} | {spread} |"
            )
    return "\n".join(lines)


if __name__ == "__main__":
    raise SystemExit(main())
