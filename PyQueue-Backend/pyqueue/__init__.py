"""PyQueue: a durable job queue with a REST API and a live dashboard.

The public surface::

    from pyqueue import task, TaskContext, Settings, create_app, build_queue, NewTask, Queue
    from pyqueue import Client, AsyncClient   # a server over HTTP; errors under PyQueueError
"""

import importlib
from typing import TYPE_CHECKING, Any

from pyqueue.client import (
    AsyncClient,
    Client,
    ClientError,
    Conflict,
    ConnectionFailed,
    Forbidden,
    NotFound,
    Unauthorized,
    ValidationFailed,
    WaitTimeout,
)
from pyqueue.config import Settings
from pyqueue.errors import PyQueueError
from pyqueue.models.handlers import TaskCancelled, TaskContext, task
from pyqueue.models.values import Enqueued, NewTask
from pyqueue.version import __version__

if TYPE_CHECKING:
    from pyqueue.main import build_queue, create_app
    from pyqueue.system.queue import Queue

_SERVER = {
    "build_queue": "pyqueue.main",
    "create_app": "pyqueue.main",
    "Queue": "pyqueue.system.queue",
}


def __getattr__(name: str) -> Any:
    """The server's parts (the app, the queue) are imported on first use, so a program that only
    uses the client or the CLI's HTTP commands does not load FastAPI and the stores."""
    module = _SERVER.get(name)
    if module is None:
        raise AttributeError(f"module 'pyqueue' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


__all__ = [
    "AsyncClient",
    "Client",
    "ClientError",
    "Conflict",
    "ConnectionFailed",
    "Enqueued",
    "Forbidden",
    "NewTask",
    "NotFound",
    "PyQueueError",
    "Queue",
    "Settings",
    "TaskCancelled",
    "TaskContext",
    "Unauthorized",
    "ValidationFailed",
    "WaitTimeout",
    "__version__",
    "build_queue",
    "create_app",
    "task",
]
