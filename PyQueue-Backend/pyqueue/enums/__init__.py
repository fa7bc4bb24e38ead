"""Enumerations shared by every layer (they import nothing of PyQueue's)."""

from pyqueue.enums.task_status import TaskStatus
from pyqueue.enums.task_type import TaskType

__all__ = ["TaskStatus", "TaskType"]
