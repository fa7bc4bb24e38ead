"""The memory store's schedules: a dict under the store's one lock, so firing a tick (advance
``next_run_at`` and add its task) is as atomic as any other change of the store."""

from __future__ import annotations

import threading
from dataclasses import replace
from datetime import datetime

from pyqueue.errors import InvalidTaskState, ScheduleNotFound
from pyqueue.models.schedule import Schedule
from pyqueue.models.task import Task, utcnow


class MemorySchedules:
    """Mixed into :class:`~pyqueue.stores.memory.MemoryStore`, which provides the lock, the tasks
    and ``_put``."""

    _lock: threading.Lock
    _tasks: dict[str, Task]
    _schedules: dict[str, Schedule]

    def _put(self, task: Task) -> None:
        raise NotImplementedError

    def add_schedule(self, schedule: Schedule) -> None:
        with self._lock:
            if schedule.id in self._schedules:
                raise InvalidTaskState(f"A schedule with the id {schedule.id} already exists")
            self._schedules[schedule.id] = schedule

    def declare_schedule(self, declared: Schedule) -> Schedule:
        with self._lock:
            stored = self._schedules.get(declared.id)
            result = declared if stored is None else stored.redeclared(declared, utcnow())
            self._schedules[declared.id] = result
            return result

    def get_schedule(self, schedule_id: str) -> Schedule | None:
        return self._schedules.get(schedule_id)

    def list_schedules(self) -> list[Schedule]:
        with self._lock:
            schedules = list(self._schedules.values())
        return sorted(schedules, key=lambda s: (s.created_at, s.id))

    def pause_schedule(self, schedule_id: str, paused: bool) -> Schedule:
        with self._lock:
            stored = self._schedules.get(schedule_id)
            if stored is None:
                raise ScheduleNotFound(schedule_id)
            changed = self._schedules[schedule_id] = stored.with_paused(paused, utcnow())
            return changed

    def delete_schedule(self, schedule_id: str) -> Schedule | None:
        with self._lock:
            return self._schedules.pop(schedule_id, None)

    def due_schedules(self, now: datetime, limit: int) -> list[Schedule]:
        with self._lock:
            due = [s for s in self._schedules.values() if not s.paused and s.next_run_at <= now]
        return sorted(due, key=lambda s: (s.next_run_at, s.id))[:limit]

    def next_schedule_at(self) -> datetime | None:
        with self._lock:
            times = [s.next_run_at for s in self._schedules.values() if not s.paused]
        return min(times, default=None)

    def fire_schedule(self, expected: datetime, advanced: Schedule, task: Task) -> bool:
        with self._lock:
            stored = self._schedules.get(advanced.id)
            if stored is None or stored.paused or stored.next_run_at != expected:
                return False
            self._schedules[advanced.id] = replace(
                stored,
                next_run_at=advanced.next_run_at,
                last_run_at=advanced.last_run_at,
                updated_at=advanced.updated_at,
            )
            if task.t_id in self._tasks:
                return False
            self._put(task)
            return True
