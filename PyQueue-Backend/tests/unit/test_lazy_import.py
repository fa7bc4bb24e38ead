"""``import pyqueue`` (the client, the CLI's HTTP commands) does not load the server: FastAPI and
the stores load on first use of ``create_app``, ``build_queue`` or ``Queue``."""

from __future__ import annotations

import subprocess
import sys

CHECK = """
import sys
import pyqueue
server = ("fastapi", "pyqueue.main", "pyqueue.stores", "psycopg")
loaded = sorted(m for m in server if m in sys.modules)
assert not loaded, loaded
from pyqueue import Queue, build_queue, create_app
assert "pyqueue.main" in sys.modules and Queue.__name__ == "Queue"
assert callable(build_queue) and callable(create_app)
try:
    pyqueue.nothing_like_this
except AttributeError as exc:
    assert "nothing_like_this" in str(exc)
else:
    raise AssertionError("no AttributeError")
"""


def test_importing_pyqueue_loads_the_server_only_when_it_is_used() -> None:
    result = subprocess.run([sys.executable, "-c", CHECK], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
