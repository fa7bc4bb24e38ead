"""The repository's Makefile, run by GNU make against a small tree of stand-in files (``make -n``
prints what it would run; ``make -q`` says whether anything is out of date)."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

MAKEFILE = Path(__file__).resolve().parents[3] / "Makefile"
FRONTEND_FILES = [
    "package.json",
    "package-lock.json",
    "node_modules/.installed",
    "index.html",
    "vite.config.ts",
    "tsconfig.json",
    "src/main.tsx",
    "src/components/Panel/Panel.tsx",
    "public/favicon.svg",
]

pytestmark = pytest.mark.skipif(shutil.which("make") is None, reason="GNU make is not installed")


def _make(tree: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYQUEUE_")}
    return subprocess.run(
        ["make", "--no-print-directory", "-f", str(MAKEFILE), "-C", str(tree), *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=30,
    )


def _touch(path: Path, mtime: float) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.touch()
    os.utime(path, (mtime, mtime))


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    """A checkout in miniature: the frontend's build inputs, all older than a built dist, and an
    installed virtualenv."""
    for name in FRONTEND_FILES:
        _touch(tmp_path / "PyQueue-Frontend" / name, 1_000_000)
    _touch(tmp_path / "PyQueue-Frontend/node_modules/.installed", 1_000_100)
    _touch(tmp_path / "PyQueue-Frontend/dist/index.html", 1_000_200)
    _touch(tmp_path / "PyQueue-Backend/pyproject.toml", 1_000_000)
    _touch(tmp_path / "PyQueue-Backend/.venv/.installed", 1_000_100)
    return tmp_path


def test_an_up_to_date_dashboard_is_not_rebuilt(tree: Path) -> None:
    assert _make(tree, "-q", "frontend-build").returncode == 0
    assert "npm run build" not in _make(tree, "-n", "run").stdout


@pytest.mark.parametrize(
    "changed",
    ["src/components/Panel/Panel.tsx", "index.html", "package-lock.json", "public/favicon.svg"],
)
def test_a_changed_source_rebuilds_the_dashboard(tree: Path, changed: str) -> None:
    _touch(tree / "PyQueue-Frontend" / changed, 1_000_300)
    assert _make(tree, "-q", "frontend-build").returncode == 1
    assert "npm run build" in _make(tree, "-n", "run").stdout


def test_a_missing_dashboard_is_built(tree: Path) -> None:
    (tree / "PyQueue-Frontend/dist/index.html").unlink()
    assert "npm run build" in _make(tree, "-n", "frontend-build").stdout


def test_make_run_leaves_the_store_to_the_environment_and_the_env_files(tree: Path) -> None:
    """The default store is a default: PYQUEUE_DATABASE_URL from the environment or a .env file
    wins over it, because `make run` never sets PYQUEUE_DATABASE_URL itself."""
    plain = _make(tree, "-n", "run").stdout
    assert f"PYQUEUE_DEFAULT_DATABASE_URL='sqlite:///{tree}/data/pyqueue.db'" in plain
    assert "PYQUEUE_DATABASE_URL" not in plain.replace("PYQUEUE_DEFAULT_DATABASE_URL", "")
    assert "pyqueue serve" in plain
    _touch(tree / ".env", 1_000_000)
    _touch(tree / "PyQueue-Backend/.env", 1_000_000)
    with_files = _make(tree, "-n", "run").stdout
    assert "pyqueue --env-file=PyQueue-Backend/.env --env-file=.env serve" in with_files
