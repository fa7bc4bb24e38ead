"""The only place where the domain model (``t_id``, ``t_type``) meets the public DTOs."""

from __future__ import annotations

from pyqueue.models.handlers import HandlerSpec
from pyqueue.models.task import Task
from pyqueue.models.values import MinuteCount, NewTask, Stats
from pyqueue.schemas.task import (
    EnqueueRequest,
    MinuteOut,
    StatsOut,
    TaskOut,
    TaskTypeOut,
    WorkersOut,
)


def task_to_out(task: Task) -> TaskOut:
    return TaskOut(
        id=task.t_id,
        payload=task.payload,
        type=task.t_type,
        status=task.status,
        attempts=task.attempts,
        max_retries=task.max_retries,
        created_at=task.created_at,
        updated_at=task.updated_at,
        started_at=task.started_at,
        finished_at=task.finished_at,
        next_run_at=task.next_run_at,
        last_error=task.last_error,
        result=task.result,
        cancel_requested=task.cancel_requested,
        priority=task.priority,
    )


def request_to_new_task(request: EnqueueRequest) -> NewTask:
    return NewTask(
        t_type=request.t_type,
        payload=request.payload,
        max_retries=request.max_retries,
        priority=request.priority,
        run_at=request.run_at,
        delay_seconds=request.delay_seconds,
    )


def stats_to_out(stats: Stats) -> StatsOut:
    return StatsOut(
        by_status=stats.counts.by_status,
        by_type=stats.counts.by_type,
        total=stats.counts.total,
        workers=WorkersOut(busy=stats.busy, total=stats.workers, processes=stats.processes),
    )


def minute_to_out(minute: MinuteCount) -> MinuteOut:
    return MinuteOut(minute=minute.minute, completed=minute.completed, failed=minute.failed)


def spec_to_out(spec: HandlerSpec) -> TaskTypeOut:
    return TaskTypeOut(name=spec.name, description=spec.description)
