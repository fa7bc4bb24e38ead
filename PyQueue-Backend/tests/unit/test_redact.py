"""Credentials never reach a log line or an error message."""

from __future__ import annotations

import io
import logging
import secrets
import sys
from collections.abc import Iterator

import pytest
from pydantic import SecretStr
from uvicorn.logging import AccessFormatter

from pyqueue.cli import _redacted
from pyqueue.logs import MASK, RedactFilter, add_secret, redact, setup_logging
from tests.support import make_settings

BAD_URL = "postgresql://admin:hunter2@[::1/db"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (BAD_URL, "postgresql://admin:***@[::1/db"),
        (
            'in URI: "postgresql://admin:hunter2@db.example:5432/q"',
            'in URI: "postgresql://admin:***@db.example:5432/q"',
        ),
        ("postgresql://admin:p@ss:w/rd@db/q", "postgresql://admin:***@db/q"),
        ("postgres://u:***@db/q", "postgres://u:***@db/q"),  # already masked: unchanged
        ("postgresql://admin@db/q", "postgresql://admin@db/q"),  # no password
        ("sqlite:///var/lib/q.db", "sqlite:///var/lib/q.db"),
        (
            "GET /api/events?access_token=abc%20def HTTP/1.1",
            "GET /api/events?access_token=*** HTTP/1.1",
        ),
        ("/api/jobs?limit=5&token=abc&x=1", "/api/jobs?limit=5&token=***&x=1"),
        ("postgresql:///q?user=a&password=hunter2", "postgresql:///q?user=a&password=***"),
        ("host=db password=hunter2 dbname=q", "host=db password=*** dbname=q"),
        ("Authorization: Bearer abc.def-123", "Authorization: Bearer ***"),
        ("send 'Authorization: Bearer <token>'", "send 'Authorization: Bearer <token>'"),
    ],
)
def test_redact_masks_credentials(text: str, expected: str) -> None:
    assert redact(text) == expected
    assert redact(expected) == expected


def test_a_registered_secret_is_masked_anywhere() -> None:
    token = secrets.token_urlsafe(16)
    add_secret(SecretStr(token))
    add_secret(None)
    add_secret("")
    assert redact(f"the token is {token}.") == f"the token is {MASK}."


def test_the_clis_store_url_has_no_password() -> None:
    settings = make_settings(database_url=BAD_URL)
    assert "hunter2" not in _redacted(settings)
    assert _redacted(settings) == "postgresql://admin:***@[::1/db"


def _record(msg: str, *args: object, exc: BaseException | None = None) -> logging.LogRecord:
    exc_info = (type(exc), exc, exc.__traceback__) if exc is not None else None
    return logging.LogRecord("pyqueue.test", logging.ERROR, __file__, 1, msg, args, exc_info)


def test_the_filter_masks_message_arguments_and_traceback() -> None:
    try:
        raise RuntimeError(f'invalid URI: "{BAD_URL}"')
    except RuntimeError as exc:
        record = _record("Cannot connect to %s: %s", BAD_URL, exc, exc=exc)
    assert RedactFilter().filter(record)
    line = logging.Formatter("%(message)s").format(record)
    assert "hunter2" not in line
    assert "postgresql://admin:***@[::1/db" in line
    assert "RuntimeError" in line  # the traceback is still there


def test_a_secret_split_across_the_arguments_is_masked_too() -> None:
    record = _record("%s://%s:%s@%s", "postgresql", "admin", "hunter2", "db")
    RedactFilter().filter(record)
    assert record.getMessage() == "postgresql://admin:***@db"


def test_an_access_log_line_with_a_token_in_the_query_is_masked() -> None:
    """uvicorn's access formatter reads the record's arguments: they stay five, masked."""
    record = logging.LogRecord(
        "uvicorn.access",
        logging.INFO,
        __file__,
        1,
        '%s - "%s %s HTTP/%s" %d',
        ("127.0.0.1:50000", "GET", "/api/events?access_token=s3cret-token", "1.1", 401),
        None,
    )
    RedactFilter().filter(record)
    line = AccessFormatter('%(client_addr)s - "%(request_line)s" %(status_code)s').format(record)
    assert line == '127.0.0.1:50000 - "GET /api/events?access_token=*** HTTP/1.1" 401 Unauthorized'


@pytest.fixture
def uvicorn_access_log() -> Iterator[io.StringIO]:
    logger = logging.getLogger("uvicorn.access")
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(AccessFormatter('%(client_addr)s - "%(request_line)s" %(status_code)s'))
    saved = logger.handlers, logger.propagate, logger.level, logger.filters
    logger.handlers, logger.propagate, logger.filters = [handler], False, []
    logger.setLevel(logging.INFO)
    try:
        yield stream
    finally:
        logger.handlers, logger.propagate, _, logger.filters = saved
        logger.setLevel(saved[2])


def test_setup_logging_redacts_uvicorns_access_log(uvicorn_access_log: io.StringIO) -> None:
    setup_logging("WARNING", secrets=[SecretStr("e2e-secret-token")])
    access = logging.getLogger("uvicorn.access")
    access.info(
        '%s - "%s %s HTTP/%s" %d',
        "127.0.0.1:1",
        "GET",
        "/api/jobs?access_token=e2e-secret-token&limit=5",
        "1.1",
        200,
    )
    line = uvicorn_access_log.getvalue()
    assert "e2e-secret-token" not in line
    assert '"GET /api/jobs?access_token=***&limit=5 HTTP/1.1" 200' in line


def test_setup_logging_redacts_psycopgs_pool_warnings(capsys: pytest.CaptureFixture[str]) -> None:
    setup_logging("WARNING")
    logger = logging.getLogger("psycopg.pool")
    saved = logger.handlers, logger.propagate
    handler = logging.StreamHandler(sys.stderr)
    logger.handlers, logger.propagate = [handler], False
    try:
        logger.warning("error connecting in 'pyqueue': bad URI: %r", BAD_URL)
    finally:
        logger.handlers, logger.propagate = saved
    err = capsys.readouterr().err
    assert "hunter2" not in err and "admin:***@" in err
