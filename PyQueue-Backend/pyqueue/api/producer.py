"""The REST routes under ``/api``: the task lifecycle, stats, types and the live event stream.

Routes stay thin: validate through the schemas, call the Queue (off the event loop when the store
does I/O), map the result with ``schemas.mappers``. Errors are raised as PyQueue exceptions and
turned into JSON by :mod:`pyqueue.api.errors`.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Header, Path, Query, Response, status
from fastapi.sse import EventSourceResponse, ServerSentEvent

from pyqueue.api.audit import AuditNote, audited
from pyqueue.api.deps import QueueDep, call, require_token
from pyqueue.errors import PyQueueError
from pyqueue.models.values import TaskQuery
from pyqueue.schemas import mappers
from pyqueue.schemas.params import MAX_OFFSET, StatusFilter, TaskId, TypeName
from pyqueue.schemas.task import (
    BatchEnqueueRequest,
    BatchItemOut,
    BulkItemOut,
    BulkOut,
    BulkRequest,
    ClearedOut,
    DeletedOut,
    EnqueueRequest,
    ErrorOut,
    HealthOut,
    MinuteOut,
    RetriedOut,
    StatsOut,
    TaskOut,
    TaskTypeOut,
)
from pyqueue.system.events import Event
from pyqueue.system.queue import Queue

ERRORS: dict[int | str, dict[str, object]] = {
    code: {"model": ErrorOut} for code in (401, 404, 409, 413, 422, 503)
}
CHANGES: dict[int | str, dict[str, object]] = {
    403: {"model": ErrorOut, "description": "Cross-site request: an Origin that is not allowed"},
    415: {"model": ErrorOut, "description": "A request body that is not application/json"},
}
"""What every POST/DELETE route may answer besides :data:`ERRORS` (see ``api/csrf.py``)."""

public = APIRouter(prefix="/api", tags=["health"])
router = APIRouter(prefix="/api", dependencies=[Depends(require_token)], responses=ERRORS)


StatusQuery = Annotated[
    StatusFilter,
    Query(
        alias="status", description="QUEUED, INPROGRESS, COMPLETED, FAILED or CANCELLED, any case"
    ),
]
TypeQuery = Annotated[
    TypeName | None,
    Query(
        alias="type",
        description="A registered task type (see GET /api/types), matched in any case as on "
        "enqueue; a name that is not registered matches stored tasks exactly (usually none)",
    ),
]
TaskIdPath = Annotated[TaskId, Path(description="The task's id, `Task-` and a 26-character ULID")]


@public.get("/health", response_model=HealthOut)
async def health() -> HealthOut:
    """Liveness: answers while the process serves requests; never needs the token."""
    return HealthOut()


@router.post(
    "/enqueue",
    status_code=status.HTTP_201_CREATED,
    response_model=TaskOut,
    responses={
        **CHANGES,
        201: {"description": "Created: the new task"},
        200: {
            "model": TaskOut,
            "description": "Not created: a task with this `idempotency_key` exists; it is this",
        },
    },
)
async def enqueue(body: EnqueueRequest, queue: QueueDep, response: Response) -> dict[str, object]:
    """Enqueue one task; answers the created task (201) and its URL in `Location`, or, when a
    task with the request's `idempotency_key` exists, that task (200) and nothing is added."""
    entry = (await call(queue, queue.submit_many, [mappers.request_to_new_task(body)]))[0]
    response.headers["Location"] = f"/api/jobs/{entry.task.t_id}"
    if not entry.created:
        response.status_code = status.HTTP_200_OK
    return mappers.task_fields(entry.task)  # validated and serialized by response_model


@router.post(
    "/enqueue/batch",
    status_code=status.HTTP_201_CREATED,
    response_model=list[BatchItemOut],
    responses={
        **CHANGES,
        201: {"description": "At least one task was created; `created` says which"},
        200: {
            "model": list[BatchItemOut],
            "description": "None created: every item's `idempotency_key` was in use",
        },
    },
)
async def enqueue_batch(
    body: BatchEnqueueRequest, queue: QueueDep, response: Response
) -> list[dict[str, object]]:
    """Enqueue up to 1000 tasks, all or nothing; each item says whether it was `created` (an
    item whose `idempotency_key` a task has answers that task), so a retried batch is safe."""
    requests = [mappers.request_to_new_task(t) for t in body.tasks]
    entries = await call(queue, queue.submit_many, requests)
    if not any(entry.created for entry in entries):
        response.status_code = status.HTTP_200_OK
    return [mappers.enqueued_to_item(entry) for entry in entries]


@router.get(
    "/jobs",
    response_model=list[TaskOut],
    responses={
        200: {
            "description": "One page of tasks",
            "headers": {
                "X-Total-Count": {
                    "description": "How many tasks match the filters",
                    "schema": {"type": "integer"},
                },
                "X-Next-Cursor": {
                    "description": "The `cursor` of the next page (only on a full page)",
                    "schema": {"type": "string"},
                },
            },
        }
    },
)
async def list_jobs(
    queue: QueueDep,
    response: Response,
    status_: StatusQuery = None,
    t_type: TypeQuery = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET)] = 0,
    order: Literal["asc", "desc"] = "desc",
    cursor: Annotated[
        TaskId | None,
        Query(
            description="The `X-Next-Cursor` of the previous page: this page starts just past "
            "it, as fast at any depth as the first page (`offset` counts from there)."
        ),
    ] = None,
) -> list[dict[str, object]]:
    """One page of tasks, newest first; `X-Total-Count` is how many match the filters, and
    `X-Next-Cursor` (on a full page) is the `cursor` of the next one."""
    query = TaskQuery(status_, t_type or None, limit, offset, order, after=cursor)
    tasks, total = await call(queue, queue.list_tasks, query)
    response.headers["X-Total-Count"] = str(total)
    if len(tasks) == limit:
        response.headers["X-Next-Cursor"] = tasks[-1].t_id
    return [mappers.task_fields(t) for t in tasks]  # validated by response_model


@router.post("/jobs/bulk", response_model=BulkOut, responses=CHANGES)
async def bulk(
    body: BulkRequest, queue: QueueDep, note: Annotated[AuditNote, audited("bulk")]
) -> BulkOut:
    """Retry, cancel or delete many tasks; each id succeeds or fails on its own."""
    results = await call(queue, _bulk, queue, body.action, body.ids)
    ok = sum(r.ok for r in results)
    note.action, note.target = f"bulk-{body.action}", " ".join(r.id for r in results if r.ok)
    return BulkOut(results=results, succeeded=ok, failed=len(results) - ok)


def _bulk(queue: Queue, action: str, ids: list[str]) -> list[BulkItemOut]:
    operation = {"retry": queue.retry, "cancel": queue.cancel, "delete": queue.delete}[action]
    results = []
    for task_id in dict.fromkeys(ids):
        try:
            operation(task_id)
        except PyQueueError as exc:
            results.append(BulkItemOut(id=task_id, ok=False, detail=exc.message))
        else:
            results.append(BulkItemOut(id=task_id, ok=True))
    return results


@router.post(
    "/jobs/retry-failed",
    response_model=RetriedOut,
    responses=CHANGES,
    dependencies=[audited("retry-failed")],
)
async def retry_failed(queue: QueueDep, t_type: TypeQuery = None) -> RetriedOut:
    """Every FAILED task (of one type) back to QUEUED with a fresh retry budget."""
    tasks = await call(queue, queue.retry_failed, t_type or None)
    return RetriedOut(message=f"{len(tasks)} failed jobs queued again", count=len(tasks))


@router.get("/jobs/{task_id}", response_model=TaskOut)
async def get_job(task_id: TaskIdPath, queue: QueueDep) -> TaskOut:
    return mappers.task_to_out(await call(queue, queue.get, task_id))


@router.post(
    "/jobs/{task_id}/retry",
    response_model=TaskOut,
    responses=CHANGES,
    dependencies=[audited("retry")],
)
async def retry_job(task_id: TaskIdPath, queue: QueueDep) -> TaskOut:
    """A FAILED or CANCELLED task back to QUEUED, same id, fresh retry budget."""
    return mappers.task_to_out(await call(queue, queue.retry, task_id))


@router.post(
    "/jobs/{task_id}/cancel",
    response_model=TaskOut,
    responses=CHANGES,
    dependencies=[audited("cancel")],
)
async def cancel_job(task_id: TaskIdPath, queue: QueueDep) -> TaskOut:
    """QUEUED: cancelled at once. INPROGRESS: its handler is asked to stop; it ends CANCELLED."""
    return mappers.task_to_out(await call(queue, queue.cancel, task_id))


@router.delete(
    "/jobs/{task_id}",
    response_model=DeletedOut,
    responses=CHANGES,
    dependencies=[audited("delete")],
)
async def delete_job(task_id: TaskIdPath, queue: QueueDep) -> DeletedOut:
    """Remove a task for good, stopping it if it runs."""
    task = await call(queue, queue.delete, task_id)
    return DeletedOut(message=f"Job {task.t_id} deleted!", id=task.t_id)


@router.post(
    "/clear", response_model=ClearedOut, responses=CHANGES, dependencies=[audited("clear")]
)
async def clear(
    queue: QueueDep, status_: StatusQuery = None, t_type: TypeQuery = None
) -> ClearedOut:
    """Remove every task (or those matching the filters), stopping running ones."""
    removed = await call(queue, queue.clear, status_, t_type or None)
    return ClearedOut(message=f"{removed} jobs cleared!", removed=removed)


@router.get("/stats", response_model=StatsOut)
async def stats(queue: QueueDep) -> StatsOut:
    return mappers.stats_to_out(await call(queue, queue.stats))


@router.get("/stats/throughput", response_model=list[MinuteOut])
async def throughput(
    queue: QueueDep, minutes: Annotated[int, Query(ge=1, le=1440)] = 30
) -> list[MinuteOut]:
    """Tasks completed and failed per minute, oldest first, one entry per minute."""
    return [mappers.minute_to_out(m) for m in await call(queue, queue.throughput, minutes)]


@router.get("/types", response_model=list[TaskTypeOut])
async def types(queue: QueueDep) -> list[TaskTypeOut]:
    """The registered task types (then those only seen in the store or paused, `registered`
    false), each with its task count and whether it is paused (see the control routes)."""
    return [mappers.type_state_to_out(s) for s in await call(queue, queue.type_states)]


@router.get("/events", response_class=EventSourceResponse)
async def events(
    queue: QueueDep,
    last_event_id: Annotated[str | None, Header()] = None,
) -> AsyncIterator[ServerSentEvent]:
    """Server-sent events: every task change, resumable with `Last-Event-ID`."""
    resume = int(last_event_id) if last_event_id and last_event_id.isdigit() else None
    yield ServerSentEvent(comment="connected", retry=2000)
    async for event in queue.stream(resume):
        if event is None:
            yield ServerSentEvent(comment="keep-alive")
        else:
            yield ServerSentEvent(raw_data=_event_data(event), event="task", id=str(event.seq))


def _event_data(event: Event) -> str:
    body: dict[str, object]
    if event.kind == "updated" and event.task is not None:
        body = {"kind": "updated", "task": mappers.task_to_out(event.task).model_dump(mode="json")}
    elif event.kind == "deleted":
        body = {"kind": "deleted", "id": event.task_id}
    else:
        body = {"kind": event.kind}
    return json.dumps(body, separators=(",", ":"))
