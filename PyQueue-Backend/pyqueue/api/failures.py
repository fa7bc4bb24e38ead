"""Dead letters under ``/api``: FAILED tasks grouped by error, retrying a group, and editing a
failed (or cancelled) task's payload before retrying it by hand."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query

from pyqueue.api.audit import AuditNote, audited
from pyqueue.api.deps import QueueDep, call, require_token
from pyqueue.api.producer import CHANGES, ERRORS, TaskIdPath
from pyqueue.models.failures import MAX_FAILURE_GROUPS
from pyqueue.schemas import mappers
from pyqueue.schemas.failures import FailureGroupOut, FailureGroupRequest, PayloadEditRequest
from pyqueue.schemas.task import RetriedOut, TaskOut

router = APIRouter(
    prefix="/api", tags=["dead letters"], dependencies=[Depends(require_token)], responses=ERRORS
)


@router.get("/failures", response_model=list[FailureGroupOut])
async def failures(
    queue: QueueDep, limit: Annotated[int, Query(ge=1, le=MAX_FAILURE_GROUPS)] = 50
) -> list[FailureGroupOut]:
    """FAILED tasks grouped by type and the first line of their error, the largest group first
    (then the latest failure first)."""
    groups = await call(queue, queue.failure_groups, limit)
    return [mappers.failure_group_to_out(g) for g in groups]


@router.post("/failures/retry", response_model=RetriedOut, responses=CHANGES)
async def retry_group(
    body: FailureGroupRequest,
    queue: QueueDep,
    note: Annotated[AuditNote, audited("retry-failure-group")],
) -> RetriedOut:
    """Every FAILED task of one group back to QUEUED with a fresh retry budget (as a manual
    retry of each)."""
    tasks = await call(queue, queue.retry_failure_group, body.error, body.t_type)
    group = (("type", body.t_type), ("error", body.error))
    note.target = " ".join(f"{key}={value}" for key, value in group if value is not None) or "*"
    return RetriedOut(message=f"{len(tasks)} failed jobs queued again", count=len(tasks))


@router.patch(
    "/jobs/{task_id}",
    response_model=TaskOut,
    responses=CHANGES,
    dependencies=[audited("edit-payload")],
)
async def edit_job(task_id: TaskIdPath, body: PayloadEditRequest, queue: QueueDep) -> TaskOut:
    """Replace the payload of a FAILED or CANCELLED task (409 for any other status), to retry it
    with `POST /api/jobs/{id}/retry`. Payload limits are those of enqueue."""
    return mappers.task_to_out(await call(queue, queue.edit_payload, task_id, body.payload))
