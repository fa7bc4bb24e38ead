"""Fixtures shared by every test package."""

from __future__ import annotations

import os

import pytest

IN_CI = bool(os.environ.get("CI"))


def skip_or_fail(reason: str) -> None:
    """Skip locally when a real component is missing; fail on CI, where it must be there."""
    if IN_CI:
        pytest.fail(f"{reason} (required when CI is set)")
    pytest.skip(reason)
