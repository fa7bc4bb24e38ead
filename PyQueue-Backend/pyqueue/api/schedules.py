"""The schedules routes: periodic tasks, created over REST or declared in code."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Response, status

from pyqueue.api.audit import AuditNote, audited
from pyqueue.api.deps import QueueDep, call, require_token
from pyqueue.api.producer import CHANGES, ERRORS
from pyqueue.schemas import mappers
from pyqueue.schemas.schedule import ScheduleId, ScheduleIn, ScheduleOut, SchedulePatch

router = APIRouter(
    prefix="/api/schedules",
    tags=["schedules"],
    dependencies=[Depends(require_token)],
    responses=ERRORS,
)

ScheduleIdPath = Annotated[
    ScheduleId, Path(description="`Schedule-` and a ULID, or `code:<type>` for a code schedule")
]


@router.get("", response_model=list[ScheduleOut])
async def list_schedules(queue: QueueDep) -> list[ScheduleOut]:
    """Every schedule, oldest first, with its next and last tick."""
    return [mappers.schedule_to_out(s) for s in await call(queue, queue.schedules.all)]


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=ScheduleOut,
    responses=CHANGES,
    dependencies=[audited("schedule-create")],
)
async def create_schedule(body: ScheduleIn, queue: QueueDep, response: Response) -> ScheduleOut:
    """Enqueue `t_type` at every tick of `cron` in `timezone`; answers it with its `Location`."""
    schedule = await call(
        queue,
        queue.schedules.create,
        body.t_type,
        body.cron,
        body.payload,
        body.timezone,
        body.paused,
    )
    response.headers["Location"] = f"/api/schedules/{schedule.id}"
    return mappers.schedule_to_out(schedule)


@router.get("/{schedule_id}", response_model=ScheduleOut)
async def get_schedule(schedule_id: ScheduleIdPath, queue: QueueDep) -> ScheduleOut:
    return mappers.schedule_to_out(await call(queue, queue.schedules.get, schedule_id))


@router.patch("/{schedule_id}", response_model=ScheduleOut, responses=CHANGES)
async def patch_schedule(
    schedule_id: ScheduleIdPath,
    body: SchedulePatch,
    queue: QueueDep,
    note: Annotated[AuditNote, audited("schedule-pause")],
) -> ScheduleOut:
    """Pause (`{"paused": true}`) or resume (`false`: from the next tick after now)."""
    note.action = "schedule-pause" if body.paused else "schedule-resume"
    schedule = await call(queue, queue.schedules.pause, schedule_id, body.paused)
    return mappers.schedule_to_out(schedule)


@router.delete(
    "/{schedule_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    response_class=Response,
    responses=CHANGES,
    dependencies=[audited("schedule-delete")],
)
async def delete_schedule(schedule_id: ScheduleIdPath, queue: QueueDep) -> Response:
    """Remove a schedule; the tasks it enqueued stay. A code schedule comes back when a process
    that declares it starts."""
    await call(queue, queue.schedules.delete, schedule_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
