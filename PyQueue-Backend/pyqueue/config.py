"""Typed settings, read once from the environment and a ``.env`` file.

Every setting is prefixed ``PYQUEUE_`` except ``FRONTEND_ORIGIN``. All have defaults so
that ``make run`` works with none set; ``additional_docs/operations.md`` documents each one.
"""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    BeforeValidator,
    Field,
    SecretStr,
    field_validator,
    model_validator,
)
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

REPO_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_STATIC_DIR = REPO_ROOT / "PyQueue-Frontend" / "dist"


def _split_csv(value: object) -> object:
    if isinstance(value, str):
        return [part.strip() for part in value.split(",") if part.strip()]
    return value


_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86_400, "w": 604_800}
_DURATION = re.compile(r"(\d+(?:\.\d+)?)\s*([smhdw])", re.IGNORECASE)
_OFF = {"", "0", "off", "none", "never"}


def parse_duration(value: object) -> object:
    """A retention setting: seconds (``604800``), a short duration (``90s``, ``30m``, ``12h``,
    ``7d``, ``2w``, combined as ``1d12h``) or ISO 8601 (``P7D``, left to pydantic); ``0``,
    ``off``, ``none`` or empty disables it (``None``)."""
    if value is None or isinstance(value, timedelta):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        return None if value == 0 else value
    if not isinstance(value, str):
        return value  # pydantic refuses it with its own message
    text = value.strip().lower()
    if text in _OFF:
        return None
    try:
        seconds = float(text)
    except ValueError:
        pass
    else:
        return None if seconds == 0 else seconds
    parts = _DURATION.findall(text)
    if parts and "".join(f"{n}{u}" for n, u in parts) == text.replace(" ", ""):
        seconds = sum(float(n) * _UNITS[u] for n, u in parts)
        return None if seconds == 0 else timedelta(seconds=seconds)
    if text.startswith("p"):
        return value.strip()  # ISO 8601, parsed by pydantic
    raise ValueError(
        f"{value!r} is not a duration: give seconds, or 30m, 12h, 7d, 2w (combined: 1d12h), or "
        "ISO 8601 such as P7D; 0 or off keeps tasks forever"
    )


def _positive(value: timedelta | None) -> timedelta | None:
    if value is not None and value <= timedelta(0):
        raise ValueError("a retention must be positive (0 or off keeps tasks forever)")
    return value


Retention = Annotated[timedelta | None, BeforeValidator(parse_duration), AfterValidator(_positive)]


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="PYQUEUE_", env_file=".env", extra="ignore", populate_by_name=True
    )

    database_url: str = Field(
        "memory://", description="memory://, sqlite:///path.db or postgresql://…"
    )
    default_database_url: str = Field(
        "memory://",
        description="The store when PYQUEUE_DATABASE_URL is set nowhere (`make run` sets a file)",
    )
    db_pool_size: int = Field(
        10, ge=2, le=1000, description="Most PostgreSQL connections one process opens"
    )
    host: str = "127.0.0.1"
    port: int = Field(8000, ge=1, le=65535)
    workers: int = Field(8, ge=0, le=1024, description="Worker threads; 0 = API only")
    max_retries: int = Field(3, ge=0, le=100, description="Retries after the first attempt")
    retry_backoff_base: float = Field(1.0, ge=0, description="Seconds before the first retry")
    retry_backoff_max: float = Field(60.0, ge=0, description="Cap of the retry delay, seconds")
    lease_seconds: float = Field(30.0, gt=0, description="How long a claim holds without renewal")
    heartbeat_seconds: float | None = Field(
        None, gt=0, description="Lease renewal period; default min(1 s, lease / 3)"
    )
    poll_interval: float = Field(1.0, gt=0, description="Dispatcher's fallback poll, seconds")
    prefetch: int | None = Field(
        None,
        ge=0,
        le=4096,
        description="The most tasks a process claims ahead of its free worker slots (leased, "
        "waiting to start there) while its tasks take under 50 ms on average, and then only what "
        "its workers run in 50 ms, so claims come in larger batches and a waiting task starts on "
        "the thread that ended an attempt; default 16 x workers; 0 claims only for free slots",
    )
    demo_time_scale: float = Field(1.0, ge=0, description="Multiplies demo handlers' sleeps")
    demo_seed: int | None = Field(None, description="Seed of FAIL's coin (reproducible runs)")
    max_payload_bytes: int = Field(1024 * 1024, ge=1)
    api_token: SecretStr | None = None
    readonly_token: SecretStr | None = Field(
        None, description="A second token that may read (GET, events, metrics) and change nothing"
    )
    allow_open: bool = Field(
        False, description="Serve on a non-loopback PYQUEUE_HOST without PYQUEUE_API_TOKEN"
    )
    task_modules: Annotated[list[str], NoDecode] = Field(default_factory=list)
    shutdown_timeout: float = Field(10.0, ge=0)
    retention_completed: Retention = Field(
        timedelta(days=7),
        description="How long COMPLETED and CANCELLED tasks are kept after they finished: "
        "seconds, 30m, 12h, 7d, 2w or ISO 8601 (P7D); 0 or off keeps them forever",
    )
    retention_failed: Retention = Field(
        timedelta(days=30),
        description="How long FAILED tasks are kept after they failed (as above)",
    )
    default_timeout: float | None = Field(
        None,
        gt=0,
        le=7 * 24 * 3600,
        description="Execution timeout (seconds) of a task that names none and whose type "
        "declares none; unset = no limit",
    )
    log_level: str = "INFO"
    static_dir: Path | None = DEFAULT_STATIC_DIR
    frontend_origin: Annotated[list[str], NoDecode] = Field(
        default_factory=lambda: ["http://localhost:5173"],
        validation_alias="FRONTEND_ORIGIN",
    )

    _split = field_validator("task_modules", "frontend_origin", mode="before")(_split_csv)

    @model_validator(mode="before")
    @classmethod
    def _default_store(cls, data: Any) -> Any:
        """PYQUEUE_DATABASE_URL from any source wins over PYQUEUE_DEFAULT_DATABASE_URL."""
        if isinstance(data, dict) and data.get("database_url") is None:
            default = data.get("default_database_url")
            if default is not None:
                return {**data, "database_url": default}
        return data

    @field_validator("log_level")
    @classmethod
    def _known_level(cls, value: str) -> str:
        level = value.upper()
        if level not in {"DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"}:
            raise ValueError(f"unknown log level {value!r}")
        return level

    @field_validator("api_token", "readonly_token")
    @classmethod
    def _empty_token_is_none(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and not value.get_secret_value():
            return None
        return value

    @field_validator("default_timeout", mode="before")
    @classmethod
    def _empty_timeout_is_none(cls, value: object) -> object:
        """``PYQUEUE_DEFAULT_TIMEOUT=`` (empty) means no default timeout, as unset does."""
        return None if isinstance(value, str) and not value.strip() else value

    @model_validator(mode="after")
    def _check_backoff(self) -> Settings:
        if self.retry_backoff_max < self.retry_backoff_base:
            raise ValueError("PYQUEUE_RETRY_BACKOFF_MAX must be >= PYQUEUE_RETRY_BACKOFF_BASE")
        return self

    @model_validator(mode="after")
    def _check_tokens(self) -> Settings:
        readonly = self.readonly_token
        if readonly is None:
            return self
        if self.api_token is None:
            raise ValueError(
                "PYQUEUE_READONLY_TOKEN needs PYQUEUE_API_TOKEN (the admin token): without it "
                "the API is open to everyone"
            )
        if readonly.get_secret_value() == self.api_token.get_secret_value():
            raise ValueError("PYQUEUE_READONLY_TOKEN must differ from PYQUEUE_API_TOKEN")
        return self

    @property
    def heartbeat_period(self) -> float:
        return self.heartbeat_seconds or min(1.0, self.lease_seconds / 3)
