"""The control routes: a task's attempt history, and pausing task types or the whole queue.

A pause is kept in the store, so every process sharing it honours it from its next claim;
enqueue still works and paused tasks stay QUEUED. Each route is a `Queue` method, so that
wrappers (the audit log) see one call per action.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path

from pyqueue.api.audit import audited
from pyqueue.api.deps import QueueDep, call, require_token
from pyqueue.api.producer import CHANGES, ERRORS, TaskIdPath
from pyqueue.models.handlers import MAX_TYPE_LENGTH
from pyqueue.schemas import mappers
from pyqueue.schemas.control import AttemptOut, QueueStateOut
from pyqueue.schemas.params import TypeName
from pyqueue.schemas.task import TaskTypeOut

router = APIRouter(
    prefix="/api", tags=["control"], dependencies=[Depends(require_token)], responses=ERRORS
)

TypePath = Annotated[
    TypeName,
    Path(
        min_length=1,
        max_length=MAX_TYPE_LENGTH,
        description="A registered task type (any case, as on enqueue), or one the store has "
        "tasks of or has paused",
    ),
]


@router.get("/jobs/{task_id}/attempts", response_model=list[AttemptOut])
async def attempts(task_id: TaskIdPath, queue: QueueDep) -> list[AttemptOut]:
    """Every attempt of the task, oldest first: when it started and ended, which process ran it,
    how it ended, its error and the end of its traceback."""
    return [mappers.attempt_to_out(a) for a in await call(queue, queue.attempts, task_id)]


@router.get("/queue", response_model=QueueStateOut)
async def queue_state(queue: QueueDep) -> QueueStateOut:
    """Whether the whole queue is paused, and which task types are."""
    return mappers.queue_state_to_out(await call(queue, queue.queue_state))


@router.post(
    "/queue/pause",
    response_model=QueueStateOut,
    responses=CHANGES,
    dependencies=[audited("queue-pause")],
)
async def pause_queue(queue: QueueDep) -> QueueStateOut:
    """Stop claiming anything, in every process (within a claim); enqueue still works and
    running tasks finish. Pausing a paused queue changes nothing."""
    return mappers.queue_state_to_out(await call(queue, queue.pause_queue))


@router.post(
    "/queue/resume",
    response_model=QueueStateOut,
    responses=CHANGES,
    dependencies=[audited("queue-resume")],
)
async def resume_queue(queue: QueueDep) -> QueueStateOut:
    """Claim again (types paused one by one stay paused); idle workers are woken."""
    return mappers.queue_state_to_out(await call(queue, queue.resume_queue))


@router.post(
    "/types/{name}/pause",
    response_model=TaskTypeOut,
    responses=CHANGES,
    dependencies=[audited("type-pause")],
)
async def pause_type(name: TypePath, queue: QueueDep) -> TaskTypeOut:
    """Stop claiming tasks of this type, in every process; they stay QUEUED."""
    return mappers.type_state_to_out(await call(queue, queue.pause_type, name))


@router.post(
    "/types/{name}/resume",
    response_model=TaskTypeOut,
    responses=CHANGES,
    dependencies=[audited("type-resume")],
)
async def resume_type(name: TypePath, queue: QueueDep) -> TaskTypeOut:
    """Claim tasks of this type again; idle workers are woken."""
    return mappers.type_state_to_out(await call(queue, queue.resume_type, name))
