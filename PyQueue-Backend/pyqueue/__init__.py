"""PyQueue: a durable job queue with a REST API and a live dashboard.

The public surface::

    from pyqueue import task, TaskContext, Settings, create_app, build_queue, NewTask, Queue
"""

from pyqueue.config import Settings
from pyqueue.main import build_queue, create_app
from pyqueue.models.handlers import TaskCancelled, TaskContext, task
from pyqueue.models.values import NewTask
from pyqueue.system.queue import Queue
from pyqueue.version import __version__

__all__ = [
    "NewTask",
    "Queue",
    "Settings",
    "TaskCancelled",
    "TaskContext",
    "__version__",
    "build_queue",
    "create_app",
    "task",
]
