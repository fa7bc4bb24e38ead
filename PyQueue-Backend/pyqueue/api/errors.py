"""Every error becomes JSON with a ``detail`` a person understands; never a stack trace."""

from __future__ import annotations

import json
import logging
import re
import sys
from functools import lru_cache
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exception_handlers import http_exception_handler
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from starlette.exceptions import HTTPException
from starlette.types import Send

from pyqueue.errors import PyQueueError

logger = logging.getLogger("pyqueue.api")


def _location(loc: tuple[Any, ...] | list[Any]) -> str:
    parts = [str(p) for p in loc if p not in ("body",)]
    if len(parts) > 8:  # a deeply nested payload: the start says where
        parts = [*parts[:6], "…"]
    return ".".join(parts) or "body"


def describe_validation(errors: list[Any]) -> str:
    messages = []
    for error in errors:
        if error.get("type") == "json_invalid":
            messages.append(
                f"Request body is not valid JSON: {error.get('ctx', {}).get('error', '')}"
            )
        elif error.get("type") == "extra_forbidden":
            messages.append(f"{_location(error['loc'])}: unknown field")
        elif error.get("type") == "missing":
            messages.append(f"{_location(error['loc'])}: field required")
        elif error.get("type") == "recursion_depth_exceeded":
            messages.append(f"{_location(error['loc'])}: nested too deeply")
        elif error.get("type") == "value_error":
            message = str(error.get("msg", "invalid")).removeprefix("Value error, ")
            messages.append(f"{_location(error['loc'])}: {message}")
        else:
            messages.append(f"{_location(error['loc'])}: {error.get('msg', 'invalid')}")
    return "; ".join(messages) or "Invalid request"


async def _pyqueue_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, PyQueueError)
    headers = {"Retry-After": "5"} if exc.status_code == 503 else None
    return JSONResponse({"detail": exc.message}, exc.status_code, headers=headers)


async def _validation_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    errors = list(exc.errors())
    safe = [{k: e.get(k) for k in ("type", "loc", "msg")} for e in errors]
    return JSONResponse({"detail": describe_validation(errors), "errors": safe}, 422)


def unreadable_body(cause: BaseException | None) -> str | None:
    """Why a JSON body could not be parsed, when FastAPI gives up with a bare 400, else None."""
    if isinstance(cause, UnicodeDecodeError):
        byte = cause.object[cause.start]
        return f"Request body is not valid UTF-8 (byte {cause.start} is 0x{byte:02x})"
    if isinstance(cause, RecursionError):
        return "Request body is not valid JSON: it nests too deeply"
    if isinstance(cause, ValueError) and "digits" in str(cause):
        limit = sys.get_int_max_str_digits()
        return f"Request body is not valid JSON: a number has more than {limit} digits"
    if isinstance(cause, ValueError):
        return "Request body is not valid JSON"
    return None


_METHOD_ORDER = {m: i for i, m in enumerate(("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"))}


@lru_cache(maxsize=256)
def _path_pattern(template: str) -> re.Pattern[str]:
    """``/api/jobs/{task_id}`` → a pattern that matches ``/api/jobs/Task-…``."""
    parts = re.split(r"\{[^}]+\}", template)
    return re.compile("[^/]+".join(re.escape(part) for part in parts))


def allowed_methods(request: Request) -> str:
    """Every method the OpenAPI documents for this path (Starlette names only the methods of the
    first route that matches the path, e.g. ``GET`` for ``/api/jobs/{id}``, which takes
    ``DELETE`` too)."""
    paths: dict[str, dict[str, Any]] = request.app.openapi()["paths"]  # built once, then cached
    methods = {
        method.upper()
        for template, operations in paths.items()
        if _path_pattern(template).fullmatch(request.url.path)
        for method in operations
    }
    return ", ".join(sorted(methods, key=lambda m: (_METHOD_ORDER.get(m, 99), m)))


async def _http_error(request: Request, exc: Exception) -> Response:
    """FastAPI's own answers, except that an unparsable JSON body is a 422 like any bad body and
    a 405 names every method of the path in ``Allow``."""
    assert isinstance(exc, HTTPException)
    if exc.status_code == 400 and (reason := unreadable_body(exc.__cause__)):
        error = {"type": "json_invalid", "loc": ["body"], "msg": reason}
        return JSONResponse({"detail": reason, "errors": [error]}, 422)
    if exc.status_code == 405 and (allow := allowed_methods(request)):
        message = f"Method {request.method} not allowed here; allowed: {allow}"
        return JSONResponse({"detail": message}, 405, headers={"Allow": allow})
    return await http_exception_handler(request, exc)


async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
    logger.exception("Unexpected error on %s %s", request.method, request.url.path)
    return JSONResponse(
        {"detail": "Internal server error; the request may not have been applied"}, 500
    )


async def send_error(send: Send, status: int, detail: str) -> None:
    """Answer ``{"detail": …}`` with ``status`` from a pure-ASGI guard (outside the routes)."""
    body = json.dumps({"detail": detail}).encode()
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


def install(app: FastAPI) -> None:
    app.add_exception_handler(PyQueueError, _pyqueue_error)
    app.add_exception_handler(HTTPException, _http_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(Exception, _unexpected)
