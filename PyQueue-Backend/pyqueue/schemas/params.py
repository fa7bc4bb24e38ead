"""Path and query parameters, validated at the API boundary so that every store sees the same
clean values: no control characters (PostgreSQL refuses NUL in text), no unpaired surrogates (not
encodable as UTF-8), bounded lengths and numbers."""

from __future__ import annotations

import re
from typing import Annotated

from pydantic import AfterValidator, BeforeValidator, StringConstraints

from pyqueue.enums import TaskStatus
from pyqueue.models.handlers import MAX_TYPE_LENGTH

MAX_ID_LENGTH = 64
"""Ids are ``Task-`` and a 26-character ULID; anything much longer cannot be one."""
MAX_OFFSET = 10**9
"""The largest page offset: far beyond any real list, well inside every store's integer range."""

_UNSTORABLE = re.compile("[\x00-\x1f\x7f-\x9f\ud800-\udfff]")


def printable(value: str) -> str:
    """Refuse control characters (NUL, newlines, escapes) and unpaired surrogates."""
    if _UNSTORABLE.search(value):
        raise ValueError("must not contain control characters (such as NUL) or unpaired surrogates")
    return value


def _status(value: object) -> object:
    """The status filter in any case; an empty value means no filter."""
    if value is None or value == "":
        return None
    if isinstance(value, str):
        return TaskStatus.parse(value)  # ValueError names the choices
    return value


TaskId = Annotated[
    str, StringConstraints(min_length=1, max_length=MAX_ID_LENGTH), AfterValidator(printable)
]
"""A task id as a client sends it (in a path or in a bulk request)."""

TypeName = Annotated[str, StringConstraints(max_length=MAX_TYPE_LENGTH), AfterValidator(printable)]
"""A task type filter; empty means no filter."""

StatusFilter = Annotated[TaskStatus | None, BeforeValidator(_status)]
"""A status filter, matched in any case (``failed`` is ``FAILED``)."""
