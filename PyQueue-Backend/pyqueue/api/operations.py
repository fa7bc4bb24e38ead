"""Operations routes: readiness (``/api/ready``), the caller's role (``/api/whoami``) and the audit
log (``/api/audit``, admin only)."""

from __future__ import annotations

import logging
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Response, status
from fastapi.responses import JSONResponse

from pyqueue.api.deps import QueueDep, RoleDep, SettingsDep, call, require_admin, require_token
from pyqueue.errors import PyQueueError
from pyqueue.schemas.operations import (
    AuditOut,
    NotReadyOut,
    ReadyOut,
    WhoAmIOut,
    audit_to_out,
)
from pyqueue.schemas.task import ErrorOut

logger = logging.getLogger("pyqueue.api")

public = APIRouter(prefix="/api", tags=["health"])
router = APIRouter(
    prefix="/api",
    tags=["operations"],
    dependencies=[Depends(require_token)],
    responses={code: {"model": ErrorOut} for code in (401, 403, 422)},
)


@public.get(
    "/ready",
    response_model=ReadyOut,
    responses={503: {"model": NotReadyOut, "description": "The store cannot take work now"}},
)
async def ready(queue: QueueDep) -> ReadyOut | JSONResponse:
    """Readiness: 200 when the store answers and takes a write (a one-row upsert, no task);
    503 with the reason otherwise. Never needs the token. `/api/health` is the liveness check."""
    if queue.stopping:
        reason = "The queue is shutting down"
    else:
        try:
            await call(queue, queue.probe)
        except PyQueueError as exc:
            reason = exc.message
        else:
            return ReadyOut()
    logger.warning("Not ready: %s", reason)
    body = NotReadyOut(detail=reason).model_dump()
    return JSONResponse(body, status.HTTP_503_SERVICE_UNAVAILABLE, headers={"Retry-After": "5"})


@router.get("/whoami", response_model=WhoAmIOut)
async def whoami(role: RoleDep, settings: SettingsDep) -> WhoAmIOut:
    """The role of the token sent: `admin` (or no token configured) or `readonly`."""
    return WhoAmIOut(role=role, auth=settings.api_token is not None)


@router.get("/audit", response_model=list[AuditOut], dependencies=[Depends(require_admin)])
async def audit(
    queue: QueueDep,
    response: Response,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0,
) -> list[AuditOut]:
    """The audit log, newest first (admin token only); `X-Total-Count` is how many entries."""
    entries, total = await call(queue, queue.audit_page, limit, offset)
    response.headers["X-Total-Count"] = str(total)
    return [audit_to_out(e) for e in entries]
