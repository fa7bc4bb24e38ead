"""The domain: the task record and its transitions, handlers, the retry policy, value types."""

from pyqueue.models.task import Outcome, Task, new_task_id, utcnow

__all__ = ["Outcome", "Task", "new_task_id", "utcnow"]
