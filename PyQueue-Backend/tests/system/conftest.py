from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from pyqueue.main import build_queue
from pyqueue.models.queue import Queue
from tests import sample_tasks
from tests.api.conftest import make_settings

MakeQueue = Callable[..., Queue]


@pytest.fixture
def make_queue() -> Iterator[MakeQueue]:
    queues: list[Queue] = []

    def make(**overrides: Any) -> Queue:
        queue = build_queue(make_settings(**overrides))
        queue.start()
        queues.append(queue)
        return queue

    sample_tasks.release.clear()
    sample_tasks.runs.clear()
    sample_tasks.overlaps.clear()
    while not sample_tasks.started.empty():
        sample_tasks.started.get_nowait()
    yield make
    sample_tasks.release.set()
    for queue in queues:
        queue.stop(timeout=2)
