"""The ``pyqueue`` command line."""

from __future__ import annotations

import json
import logging

import pytest

from pyqueue.cli import main


def test_openapi_prints_the_contract(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["openapi"]) == 0
    schema = json.loads(capsys.readouterr().out)
    assert schema["info"]["title"] == "PyQueue"
    assert {"/api/enqueue", "/api/jobs", "/api/jobs/{task_id}/retry"} <= set(schema["paths"])


def test_bad_settings_exit_2_naming_the_variable(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setenv("PYQUEUE_WORKERS", "-3")
    logging.getLogger("pyqueue").propagate = True
    with caplog.at_level(logging.ERROR, logger="pyqueue.cli"):
        assert main(["serve"]) == 2
    assert "PYQUEUE_WORKERS" in caplog.text
