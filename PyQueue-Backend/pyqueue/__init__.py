"""PyQueue: a durable job queue with a REST API and a live dashboard.

The public surface::

    from pyqueue import task, TaskContext, Settings, create_app, build_queue, NewTask, Queue
    from pyqueue import Client, AsyncClient   # a server over HTTP; errors under PyQueueError
"""

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
from pyqueue.main import build_queue, create_app
from pyqueue.models.handlers import TaskCancelled, TaskContext, task
from pyqueue.models.values import Enqueued, NewTask
from pyqueue.system.queue import Queue
from pyqueue.version import __version__

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
