"""DTOs of the operations routes: readiness, who am I, the audit log."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field

from pyqueue.models.audit import AuditEntry


class ReadyOut(BaseModel):
    status: Literal["ready"] = "ready"


class NotReadyOut(BaseModel):
    status: Literal["not ready"] = "not ready"
    detail: str = Field(description="Why the store cannot take work now")


class WhoAmIOut(BaseModel):
    role: Literal["admin", "readonly"] = Field(
        description="admin may change anything; readonly may only read"
    )
    auth: bool = Field(description="Whether the server requires a token at all")


class AuditOut(BaseModel):
    id: int
    at: datetime
    role: str
    client: str = Field(description="The client's address as the server saw it")
    action: str = Field(description="retry, cancel, delete, bulk-retry, clear, pause, …")
    target: str = Field(description="A task id, the filters of a clear, the ids of a bulk action")
    count: int = Field(description="How many things the change affected")


def audit_to_out(entry: AuditEntry) -> AuditOut:
    return AuditOut(
        id=entry.id or 0,
        at=entry.at,
        role=entry.role,
        client=entry.client,
        action=entry.action,
        target=entry.target,
        count=entry.count,
    )
