"""Domain models: the task record and the Queue service."""

from pyqueue.models.task import Outcome, Task, new_task_id, utcnow

__all__ = ["Outcome", "Task", "new_task_id", "utcnow"]
