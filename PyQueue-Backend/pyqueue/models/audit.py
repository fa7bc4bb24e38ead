"""One entry of the audit log: a change someone made through the API."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

MAX_TARGET = 500
"""The longest ``target`` kept (a bulk action over 1000 ids is cut, its count says how many)."""


@dataclass(frozen=True, slots=True)
class AuditEntry:
    at: datetime
    role: str
    """``admin`` (the API token, or no token configured) or ``readonly``."""
    client: str
    """The client's address as the server saw it (behind a proxy: see operations.md)."""
    action: str
    """What was done, named by the route: ``retry``, ``cancel``, ``bulk-delete``, ``clear``, …"""
    target: str
    """What it was done to: a task id, the filters of a clear, the ids of a bulk action."""
    count: int
    """How many tasks (or other things) it changed."""
    id: int | None = None
    """The store's sequence number (None until stored)."""

    def trimmed(self) -> AuditEntry:
        """This entry with a ``target`` no longer than :data:`MAX_TARGET`."""
        if len(self.target) <= MAX_TARGET:
            return self
        return replace(self, target=self.target[: MAX_TARGET - 1] + "…")
