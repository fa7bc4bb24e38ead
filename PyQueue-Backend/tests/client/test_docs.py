"""The Python client example of ``additional_docs/api.md`` runs as written against a real server."""

from __future__ import annotations

import re
import subprocess
import sys

from tests.client.server import Server
from tests.faults.harness import BACKEND

API_MD = BACKEND.parent / "additional_docs" / "api.md"
MARKER = "<!-- tested by PyQueue-Backend/tests/client/test_docs.py"


def example() -> str:
    text = API_MD.read_text()
    after = text[text.index(MARKER) :]
    found = re.search(r"```python\n(.*?)```", after, re.DOTALL)
    assert found is not None
    return found.group(1)


def test_the_documented_client_example_runs(memory_server: Server) -> None:
    ran = subprocess.run(
        [sys.executable, "-c", example()],
        cwd=BACKEND,
        env=memory_server.env(),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert ran.returncode == 0, ran.stderr
    lines = ran.stdout.splitlines()
    assert lines[0].startswith("COMPLETED {")
    assert lines[-1] == "404 Job Task-00000000000000000000000000 not found"
