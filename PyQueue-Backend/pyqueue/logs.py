"""One logging setup for the whole service; loggers are named ``pyqueue.*``.

Every line is redacted before it is written (:class:`RedactFilter`): the password of any
``scheme://user:password@`` URL, credentials in query strings and ``key=value`` pairs
(``access_token=``, ``token=``, ``password=``, …), ``Bearer`` tokens, and the literal value of each
registered secret (the API token). The filter sits on PyQueue's handler and on the loggers of
uvicorn (its access log too) and psycopg, so a driver's error message that echoes the database URL
never prints its password. :func:`redact` is the same rule for error messages.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Mapping
from typing import Any

from pydantic import SecretStr

_FORMAT = "%(asctime)s %(levelname)-7s %(name)s: %(message)s"

MASK = "***"

_URL_PASSWORD = re.compile(r"(?P<head>\b[A-Za-z][A-Za-z0-9+.\-]*://[^\s:/?#@\"'<>]*:)[^\s\"'<>]*@")
"""``scheme://user:password@``; the password runs to the last ``@`` before a space or quote."""

_CREDENTIAL_PAIR = re.compile(
    r"(?i)(?P<head>\b(?:access_token|token|api_token|api_key|apikey|password|passwd|pwd|secret)"
    r"=)[^&\s\"'#;,]+"
)
"""``access_token=…`` in a query string, ``password=…`` in a connection string."""

_BEARER = re.compile(r"(?i)(?P<head>\bbearer\s+)[A-Za-z0-9\-._~+/]+=*")

_THIRD_PARTY = (
    "uvicorn",
    "uvicorn.error",
    "uvicorn.access",
    "uvicorn.asgi",
    "psycopg",
    "psycopg.pool",
    "psycopg.pq",
)
"""Loggers whose records are redacted where they are made (their handlers are the server's)."""

_secrets: set[str] = set()


def add_secret(value: str | SecretStr | None) -> None:
    """Mask this literal value in every log line and :func:`redact` result from now on."""
    if isinstance(value, SecretStr):
        value = value.get_secret_value()
    if value and value.strip():
        _secrets.add(value.strip())


def redact(text: str) -> str:
    """``text`` with credentials masked (see the module's docstring)."""
    text = _URL_PASSWORD.sub(rf"\g<head>{MASK}@", text)
    text = _CREDENTIAL_PAIR.sub(rf"\g<head>{MASK}", text)
    text = _BEARER.sub(rf"\g<head>{MASK}", text)
    for secret in sorted(_secrets, key=len, reverse=True):
        if secret in text:
            text = text.replace(secret, MASK)
    return text


def _redact_arg(value: Any) -> Any:
    if value is None or isinstance(value, (bool, int, float)):
        return value
    try:
        text = value if isinstance(value, str) else str(value)
    except Exception:  # an object whose __str__ fails is left to the formatter
        return value
    masked = redact(text)
    return value if masked == text else masked


class RedactFilter(logging.Filter):
    """Masks credentials in a record: its message, its arguments and its traceback.

    Arguments are masked one by one, so formatters that read them (uvicorn's access log) still
    work; a secret only visible once they are formatted makes the record a plain message."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not record.args:
            if isinstance(record.msg, str):
                record.msg = redact(record.msg)
        else:  # never edit the format string itself: it would no longer match its arguments
            if isinstance(record.args, Mapping):
                record.args = {k: _redact_arg(v) for k, v in record.args.items()}
            elif isinstance(record.args, tuple):
                record.args = tuple(_redact_arg(a) for a in record.args)
            try:
                message = record.getMessage()
            except Exception:  # a bad format string: the handler reports it as usual
                message = None
            if message is not None and (masked := redact(message)) != message:
                record.msg, record.args = masked, ()
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        return True


def _install(target: logging.Logger | logging.Handler) -> None:
    if not any(isinstance(f, RedactFilter) for f in target.filters):
        target.addFilter(RedactFilter())


def setup_logging(level: str = "INFO", secrets: Iterable[str | SecretStr | None] = ()) -> None:
    """Configure the ``pyqueue`` logger once (uvicorn keeps its own handlers) and redact every
    line of it, of uvicorn and of psycopg; ``secrets`` are masked wherever they appear."""
    for secret in secrets:
        add_secret(secret)
    logger = logging.getLogger("pyqueue")
    logger.setLevel(level.upper())
    if not any(getattr(h, "_pyqueue", False) for h in logger.handlers):
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter(_FORMAT))
        handler._pyqueue = True  # type: ignore[attr-defined]
        logger.addHandler(handler)
        logger.propagate = False
    for h in logger.handlers:
        if getattr(h, "_pyqueue", False):
            _install(h)
    for name in _THIRD_PARTY:
        _install(logging.getLogger(name))
    if logging.lastResort is not None:  # a library's warning when nothing else handles it
        _install(logging.lastResort)
