"""The lifecycle states of a task."""

from enum import StrEnum


class TaskStatus(StrEnum):
    """Where a task is in its lifecycle.

    QUEUED tasks wait to be claimed (possibly until ``next_run_at`` for an automatic retry);
    INPROGRESS tasks are held by a worker under a lease; the last three are final.
    """

    QUEUED = "QUEUED"
    INPROGRESS = "INPROGRESS"
    COMPLETED = "COMPLETED"
    FAILED = "FAILED"
    CANCELLED = "CANCELLED"

    @property
    def is_final(self) -> bool:
        return self in FINAL_STATUSES

    @classmethod
    def parse(cls, value: str) -> "TaskStatus":
        """Match a status by name, ignoring case."""
        try:
            return cls(value.strip().upper())
        except ValueError:
            known = ", ".join(s.value for s in cls)
            raise ValueError(f"Unknown status {value!r}; expected one of: {known}") from None


FINAL_STATUSES = frozenset({TaskStatus.COMPLETED, TaskStatus.FAILED, TaskStatus.CANCELLED})
