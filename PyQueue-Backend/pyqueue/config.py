"""Typed settings, read once from the environment and a ``.env`` file.

Every setting is prefixed ``PYQUEUE_`` except ``FRONTEND_ORIGIN``. All have defaults so
that ``make run`` works with none set; ``additional_docs/operations.md`` documents each one.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

REPO_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_STATIC_DIR = REPO_ROOT / "PyQueue-Frontend" / "dist"


def _split_csv(value: object) -> object:
    if isinstance(value, str):
        return [part.strip() for part in value.split(",") if part.strip()]
    return value


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
    demo_time_scale: float = Field(1.0, ge=0, description="Multiplies demo handlers' sleeps")
    demo_seed: int | None = Field(None, description="Seed of FAIL's coin (reproducible runs)")
    max_payload_bytes: int = Field(1024 * 1024, ge=1)
    api_token: SecretStr | None = None
    task_modules: Annotated[list[str], NoDecode] = Field(default_factory=list)
    shutdown_timeout: float = Field(10.0, ge=0)
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

    @field_validator("api_token")
    @classmethod
    def _empty_token_is_none(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and not value.get_secret_value():
            return None
        return value

    @model_validator(mode="after")
    def _check_backoff(self) -> Settings:
        if self.retry_backoff_max < self.retry_backoff_base:
            raise ValueError("PYQUEUE_RETRY_BACKOFF_MAX must be >= PYQUEUE_RETRY_BACKOFF_BASE")
        return self

    @property
    def heartbeat_period(self) -> float:
        return self.heartbeat_seconds or min(1.0, self.lease_seconds / 3)
