"""The benchmark harness runs once at a tiny size, so that it cannot rot unnoticed.

Peers are not installed in the product's virtualenv; this runs PyQueue's own systems and the
baselines that need nothing more, and checks the shape of the JSON the harness writes.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

BACKEND = Path(__file__).resolve().parents[2]
SYSTEMS = "pyqueue-memory,pyqueue-sqlite,raw-threadpool,fastapi-bare"

pytestmark = [pytest.mark.benchmark, pytest.mark.timeout(120)]


def test_harness_runs_at_a_tiny_size(tmp_path: Path) -> None:
    out = tmp_path / "bench.json"
    command = [
        sys.executable, "-m", "bench", "--systems", SYSTEMS, "--size", "200", "--repeat", "1",
        "--latency-size", "50", "--latency-rate", "1000", "--scale-size", "2000",
        "--out", str(out),
    ]  # fmt: skip
    env = dict(os.environ, PYTHONPATH=str(BACKEND))
    proc = subprocess.run(
        command, cwd=BACKEND, env=env, capture_output=True, text=True, timeout=110
    )
    assert proc.returncode == 0, proc.stderr[-4000:]
    assert "## Targets" in proc.stdout

    result = json.loads(out.read_text())
    assert set(result) == {"meta", "records", "targets"}
    assert result["meta"]["command"].startswith("python -m bench")
    measured = {(r["system"], r["scenario"], r["kind"]) for r in result["records"] if "median" in r}
    for figure in [
        ("pyqueue-memory", "enqueue", "noop"),
        ("pyqueue-memory", "enqueue-batch", "noop"),
        ("pyqueue-memory", "process", "noop"),
        ("pyqueue-memory", "process", "1ms"),
        ("pyqueue-memory", "latency-p50", "noop"),
        ("pyqueue-memory", "http", "noop"),
        ("pyqueue-memory", "http-batch", "noop"),
        ("pyqueue-memory", "scale-memory", "noop"),
        ("pyqueue-memory", "scale-page-status-type", "noop"),
        ("raw-threadpool", "process", "noop"),
        ("fastapi-bare", "http", "noop"),
    ]:
        assert figure in measured
    for record in result["records"]:
        assert not record.get("error"), record
        if "median" in record:
            assert record["runs"] and record["min"] <= record["median"] <= record["max"]
    assert all({"figure", "target", "value", "met"} <= set(t) for t in result["targets"])
