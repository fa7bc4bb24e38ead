"""The only place where the domain model (``t_id``, ``t_type``) meets the public DTOs."""

from __future__ import annotations

from pyqueue.models.control import Attempt, QueueState, TypeState
from pyqueue.models.failures import FailureGroup
from pyqueue.models.handlers import HandlerSpec
from pyqueue.models.schedule import Schedule
from pyqueue.models.task import Task
from pyqueue.models.values import Enqueued, MinuteCount, NewTask, Stats
from pyqueue.schemas.control import AttemptOut, QueueStateOut
from pyqueue.schemas.failures import FailureGroupOut
from pyqueue.schemas.schedule import ScheduleOut
from pyqueue.schemas.task import (
    EnqueueRequest,
    MinuteOut,
    StatsOut,
    TaskOut,
    TaskTypeOut,
    WorkersOut,
)


def task_fields(task: Task) -> dict[str, object]:
    """A :class:`TaskOut`'s fields, unvalidated: for a route that declares ``TaskOut`` (or a list
    of it) as its ``response_model``, so FastAPI validates and serializes the whole answer in one
    pass in pydantic-core, instead of a Python-level ``model_validate`` per task first."""
    return {
        "id": task.t_id,
        "payload": task.payload,
        "type": task.t_type,
        "status": task.status,
        "attempts": task.attempts,
        "max_retries": task.max_retries,
        "created_at": task.created_at,
        "updated_at": task.updated_at,
        "started_at": task.started_at,
        "finished_at": task.finished_at,
        "next_run_at": task.next_run_at,
        "last_error": task.last_error,
        "result": task.result,
        "cancel_requested": task.cancel_requested,
        "priority": task.priority,
        "timeout_seconds": task.timeout_seconds,
        "idempotency_key": task.idempotency_key,
        "progress": task.progress,
        "progress_message": task.progress_message,
    }


def task_to_out(task: Task) -> TaskOut:
    return TaskOut.model_validate(task_fields(task))


def enqueued_to_item(entry: Enqueued) -> dict[str, object]:
    """A :class:`BatchItemOut`'s fields: the task's and ``created`` (see :func:`task_fields`)."""
    fields = task_fields(entry.task)
    fields["created"] = entry.created
    return fields


def request_to_new_task(request: EnqueueRequest) -> NewTask:
    return NewTask(
        t_type=request.t_type,
        payload=request.payload,
        max_retries=request.max_retries,
        priority=request.priority,
        run_at=request.run_at,
        delay_seconds=request.delay_seconds,
        timeout_seconds=request.timeout_seconds,
        idempotency_key=request.idempotency_key,
    )


def stats_to_out(stats: Stats) -> StatsOut:
    return StatsOut(
        by_status=stats.counts.by_status,
        by_type=stats.counts.by_type,
        total=stats.counts.total,
        workers=WorkersOut(busy=stats.busy, total=stats.workers, processes=stats.processes),
        stuck_workers=stats.stuck,
    )


def minute_to_out(minute: MinuteCount) -> MinuteOut:
    return MinuteOut(minute=minute.minute, completed=minute.completed, failed=minute.failed)


def failure_group_to_out(group: FailureGroup) -> FailureGroupOut:
    return FailureGroupOut(
        error=group.error, t_type=group.t_type, count=group.count, latest_at=group.latest_at
    )


def spec_to_out(spec: HandlerSpec) -> TaskTypeOut:
    return TaskTypeOut(name=spec.name, description=spec.description)


def schedule_to_out(schedule: Schedule) -> ScheduleOut:
    return ScheduleOut(
        id=schedule.id,
        t_type=schedule.t_type,
        payload=schedule.payload,
        cron=schedule.cron,
        timezone=schedule.timezone,
        paused=schedule.paused,
        next_run_at=schedule.next_run_at,
        last_run_at=schedule.last_run_at,
        source=schedule.source,
        created_at=schedule.created_at,
        updated_at=schedule.updated_at,
    )


def type_state_to_out(state: TypeState) -> TaskTypeOut:
    return TaskTypeOut(
        name=state.name,
        description=state.description,
        registered=state.registered,
        tasks=state.tasks,
        paused=state.paused,
        paused_at=state.paused_at,
    )


def queue_state_to_out(state: QueueState) -> QueueStateOut:
    return QueueStateOut(
        paused=state.paused, paused_at=state.paused_at, paused_types=state.paused_types
    )


def attempt_to_out(attempt: Attempt) -> AttemptOut:
    return AttemptOut(
        number=attempt.number,
        started_at=attempt.started_at,
        finished_at=attempt.finished_at,
        worker=attempt.worker,
        outcome=attempt.outcome,
        error=attempt.error,
        traceback=attempt.traceback,
    )
