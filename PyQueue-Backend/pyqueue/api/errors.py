"""Every error becomes JSON with a ``detail`` a person understands; never a stack trace."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

from pyqueue.errors import PyQueueError

logger = logging.getLogger("pyqueue.api")


def _location(loc: tuple[Any, ...] | list[Any]) -> str:
    parts = [str(p) for p in loc if p not in ("body",)]
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


async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
    logger.exception("Unexpected error on %s %s", request.method, request.url.path)
    return JSONResponse(
        {"detail": "Internal server error; the request may not have been applied"}, 500
    )


def install(app: FastAPI) -> None:
    app.add_exception_handler(PyQueueError, _pyqueue_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(Exception, _unexpected)
