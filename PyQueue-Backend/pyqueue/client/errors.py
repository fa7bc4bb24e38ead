"""What the client raises: one class per way a request can go wrong, under
:class:`pyqueue.errors.PyQueueError`, each carrying the server's own message."""

from __future__ import annotations

from typing import Any

from pyqueue.errors import PyQueueError


class ClientError(PyQueueError):
    """Base of every error the client raises. ``status`` is the HTTP status the server answered
    (``None`` when no answer came: the request was refused before it was sent, or the server could
    not be reached)."""

    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status
        if status is not None:
            self.status_code = status

    def __str__(self) -> str:
        return self.message if self.status is None else f"{self.status}: {self.message}"


class ApiError(ClientError):
    """The server answered with an error; ``message`` is its ``detail``, ``errors`` the
    validation errors it listed (for 422), ``body`` the whole JSON answer."""

    status: int

    def __init__(
        self, message: str, status: int, body: Any = None, errors: list[Any] | None = None
    ) -> None:
        super().__init__(message, status)
        self.body = body
        self.errors = errors or []


class BadRequest(ApiError):
    """400, or any other 4xx without a class of its own (405, 415, …)."""


class Unauthorized(ApiError):
    """401: the server needs a token (``PYQUEUE_API_TOKEN``) and none, or a wrong one, was sent."""


class Forbidden(ApiError):
    """403: the token may not do this, or the request was refused as cross-site."""


class NotFound(ApiError):
    """404: no task has this id (it never existed, or it was deleted)."""


class Conflict(ApiError):
    """409: the task's status does not allow the action (retrying a COMPLETED task)."""


class PayloadTooLarge(ApiError):
    """413: the request body is over the server's limit."""


class ValidationFailed(ClientError):
    """422: a field the server (or, before sending, the client with the same schema) refused.

    ``status`` is 422 when the server refused it and ``None`` when the request was never sent."""

    status_code = 422

    def __init__(
        self,
        message: str,
        status: int | None = 422,
        body: Any = None,
        errors: list[Any] | None = None,
    ) -> None:
        super().__init__(message, status)
        self.body = body
        self.errors = errors or []


class RateLimited(ApiError):
    """429: too many requests."""


class ServerError(ApiError):
    """5xx: the server failed; 503 means the store is unreachable and nothing changed."""


class ConnectionFailed(ClientError):
    """No answer: the server could not be reached, or it did not answer in time."""

    status_code = 503


class WaitTimeout(ClientError, TimeoutError):
    """:meth:`Client.wait` gave up before the task finished; ``task`` is its last known state."""

    status_code = 504

    def __init__(self, message: str, task: Any = None) -> None:
        super().__init__(message)
        self.task = task


_BY_STATUS: dict[int, type[ApiError]] = {
    401: Unauthorized,
    403: Forbidden,
    404: NotFound,
    409: Conflict,
    413: PayloadTooLarge,
    429: RateLimited,
}


def error_for(status: int, body: Any, fallback: str) -> ClientError:
    """The exception for an error answer: its ``detail`` as the message (else ``fallback``)."""
    detail = body.get("detail") if isinstance(body, dict) else None
    if isinstance(detail, str) and detail:
        message = detail
    elif detail is not None:  # FastAPI's own list of errors, should one ever reach a client
        message = str(detail)
    else:
        message = fallback
    errors = body.get("errors") if isinstance(body, dict) else None
    errors = errors if isinstance(errors, list) else None
    if status == 422:
        return ValidationFailed(message, 422, body, errors)
    if status >= 500:
        return ServerError(message, status, body)
    return _BY_STATUS.get(status, BadRequest)(message, status, body, errors)
