"""A Python client for a PyQueue server, over its REST API.

It imports only the server's schemas (the same pydantic models the API validates and answers
with), never its service, stores or routes: ``pyproject.toml``'s import-linter contract says so.
"""

from pyqueue.client.aio import AsyncClient
from pyqueue.client.common import DEFAULT_URL, Page
from pyqueue.client.errors import (
    ApiError,
    BadRequest,
    ClientError,
    Conflict,
    ConnectionFailed,
    Forbidden,
    NotFound,
    PayloadTooLarge,
    RateLimited,
    ServerError,
    Unauthorized,
    ValidationFailed,
    WaitTimeout,
)
from pyqueue.client.sync import Client

__all__ = [
    "DEFAULT_URL",
    "ApiError",
    "AsyncClient",
    "BadRequest",
    "Client",
    "ClientError",
    "Conflict",
    "ConnectionFailed",
    "Forbidden",
    "NotFound",
    "Page",
    "PayloadTooLarge",
    "RateLimited",
    "ServerError",
    "Unauthorized",
    "ValidationFailed",
    "WaitTimeout",
]
