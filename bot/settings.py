"""Settings from the environment and `.env`, validated once at start.

One class per concern would be tidier at scale; the bot has few settings and a
single class keeps the configuration table in README one-to-one with fields.
"""

from __future__ import annotations

import re
from datetime import time
from pathlib import Path
from typing import Annotated
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from cryptography.fernet import Fernet
from pydantic import Field, SecretStr, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict
from sqlalchemy.exc import ArgumentError

from domain.meetings import parse_offsets
from storage.database import anchor_sqlite_path, sqlite_file

TOKEN_PATTERN = re.compile(r"^\d{1,20}:[A-Za-z0-9_-]{1,100}$")
SUPPORTED_LANGUAGES = ("id", "en")
# The folder holding pyproject.toml: relative SQLite paths in DATABASE_URL start here,
# not in whatever folder a command happens to be run from.
PROJECT_ROOT = Path(__file__).resolve().parent.parent


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_file=".env",
        env_file_encoding="utf-8",
        env_ignore_empty=True,
        extra="ignore",
        case_sensitive=True,
    )

    BOT_TOKEN: SecretStr
    ADMIN_CHAT_ID: int
    DISCUSSION_CHAT_ID: int | None = None
    DATABASE_URL: str = "sqlite+aiosqlite:///data/bot.db"
    TELEGRAM_API_BASE: str | None = None
    REDIS_URL: SecretStr | None = None
    WEBHOOK_URL: str | None = None
    WEBHOOK_SECRET: SecretStr | None = None
    WEBHOOK_LISTEN: str = "0.0.0.0:8080"
    CREDENTIALS_KEYS: Annotated[tuple[SecretStr, ...], NoDecode] = ()
    TIMEZONE: str = "Asia/Jakarta"
    DEFAULT_LANGUAGE: str = "id"
    ADMIN_IDS: Annotated[tuple[int, ...], NoDecode] = ()
    OWNER_IDS: Annotated[tuple[int, ...], NoDecode] = ()
    LOG_LEVEL: str = "INFO"
    OUTBOX_POLL_SECONDS: float = Field(default=2.0, gt=0, le=60)
    THROTTLE_BURST: int = Field(default=8, ge=1, le=1000)
    REPORT_REMINDER_TIME: str = "20:00"
    INVITE_TTL_HOURS: int = Field(default=24, ge=1, le=720)
    GROUP_RECONCILE_TIME: str = "03:00"
    GROUP_RECONCILE_DRY_RUN: bool = False
    CREDENTIALS_SHOW_SECONDS: int = Field(default=180, ge=30, le=3600)
    LIFECYCLE_INTERVAL_SECONDS: int = Field(default=60, ge=1, le=3600)
    # Telegram's limits, paced by the sending layer (bot/sending.py).
    SEND_RATE_TOTAL: float = Field(default=30, gt=0, le=10_000)
    SEND_RATE_PRIVATE: float = Field(default=1, gt=0, le=1_000)
    SEND_RATE_GROUP: float = Field(default=20, gt=0, le=100_000)
    TELEGRAM_TIMEOUT_SECONDS: int = Field(default=20, ge=5, le=120)
    OUTBOX_CONCURRENCY: int = Field(default=8, ge=1, le=64)
    # A member's question still unanswered this long is raised once in the admin group.
    QA_SLA_MINUTES: int = Field(default=60, ge=1, le=7 * 24 * 60)
    # Announcements: copies a second (below Telegram's 30, leaving room for replies).
    ANNOUNCE_RATE: float = Field(default=20, gt=0, le=1_000)
    ANNOUNCE_PROGRESS_SECONDS: float = Field(default=15, ge=1, le=600)
    # Meetings: reminders this long before each start, to those who said yes or maybe.
    MEETING_REMINDERS: str = "24h,1h"
    # Backups (bot/backup.py): where, how many are kept, when the nightly one runs.
    BACKUP_DIR: str = "data/backups"
    BACKUP_KEEP: int = Field(default=14, ge=1, le=1000)
    BACKUP_TIME: str = "03:15"
    # Health (bot/health.py): the webhook's health path and the outbox alert thresholds.
    HEALTH_PATH: str = Field(default="/health", pattern=r"^/[A-Za-z0-9_./-]*$")
    OUTBOX_ALERT_BACKLOG: int = Field(default=500, ge=1, le=10_000_000)
    OUTBOX_ALERT_WAIT_MINUTES: int = Field(default=10, ge=1, le=1440)
    OUTBOX_ALERT_FAILURES: int = Field(default=5, ge=1, le=100_000)

    @field_validator("BOT_TOKEN")
    @classmethod
    def _token_shape(cls, value: SecretStr) -> SecretStr:
        if not TOKEN_PATTERN.match(value.get_secret_value()):
            raise ValueError("expected the token from @BotFather, like 123456:ABC-def")
        return value

    @field_validator("ADMIN_CHAT_ID")
    @classmethod
    def _group_id(cls, value: int) -> int:
        if value >= 0:
            raise ValueError(
                "expected the admin group's id, which is negative (like -1001234567890); "
                "a positive id is a person, not a group"
            )
        return value

    @field_validator("ADMIN_IDS", "OWNER_IDS", mode="before")
    @classmethod
    def _split_ids(cls, value: object) -> object:
        if isinstance(value, str):
            parts = [p.strip() for p in value.split(",") if p.strip()]
            if not all(re.fullmatch(r"-?\d+", p) for p in parts):
                raise ValueError("expected Telegram user ids separated by commas, like 111,222")
            return tuple(int(p) for p in parts)
        return value

    @field_validator("CREDENTIALS_KEYS", mode="before")
    @classmethod
    def _split_keys(cls, value: object) -> object:
        if isinstance(value, str):
            keys = [k.strip() for k in value.split(",") if k.strip()]
            for index, key in enumerate(keys, start=1):
                try:
                    Fernet(key)
                except (ValueError, TypeError):
                    raise ValueError(
                        f"key number {index} is not a Fernet key (32 url-safe base64 bytes); "
                        "make one with: python -m bot new-key"
                    ) from None
            return tuple(SecretStr(k) for k in keys)
        return value

    @field_validator("TIMEZONE")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError("expected an IANA time zone such as Asia/Jakarta") from None
        return value

    @field_validator("REPORT_REMINDER_TIME", "GROUP_RECONCILE_TIME", "BACKUP_TIME")
    @classmethod
    def _clock_time(cls, value: str) -> str:
        match = re.fullmatch(r"([01]?[0-9]|2[0-3])[:.]([0-5][0-9])", value.strip())
        if match is None:
            raise ValueError("expected a time of day as HH:MM (24-hour), like 20:00")
        return f"{int(match[1]):02d}:{match[2]}"

    @field_validator("MEETING_REMINDERS")
    @classmethod
    def _reminder_offsets(cls, value: str) -> str:
        parse_offsets(value)  # ValueError names what is wrong
        return value

    @field_validator("DEFAULT_LANGUAGE")
    @classmethod
    def _supported_language(cls, value: str) -> str:
        if value not in SUPPORTED_LANGUAGES:
            raise ValueError(f"expected one of: {', '.join(SUPPORTED_LANGUAGES)}")
        return value

    @field_validator("DATABASE_URL")
    @classmethod
    def _async_driver(cls, value: str) -> str:
        if not value.startswith(("sqlite+aiosqlite://", "postgresql+asyncpg://")):
            raise ValueError(
                "expected sqlite+aiosqlite:///path/to/file.db or "
                "postgresql+asyncpg://user:password@host/dbname"
            )
        try:
            return anchor_sqlite_path(value, PROJECT_ROOT)
        except (ArgumentError, ValueError):
            raise ValueError(
                "not a valid database URL (check the host, port and that special characters "
                "in the password are %-encoded)"
            ) from None

    @field_validator("WEBHOOK_LISTEN")
    @classmethod
    def _host_port(cls, value: str) -> str:
        host, _, port = value.rpartition(":")
        if not host or not port.isdigit() or not 0 < int(port) < 65536:
            raise ValueError("expected host:port, like 0.0.0.0:8080")
        return value

    @field_validator("WEBHOOK_URL", "TELEGRAM_API_BASE")
    @classmethod
    def _http_url(cls, value: str | None) -> str | None:
        if value is not None and not re.match(r"^https?://[^\s/]+", value):
            raise ValueError("expected an http(s):// URL")
        return value.rstrip("/") if value else value

    @model_validator(mode="after")
    def _webhook_needs_secret(self) -> Settings:
        if self.WEBHOOK_URL and not self.WEBHOOK_SECRET:
            raise ValueError(
                "WEBHOOK_SECRET: required when WEBHOOK_URL is set "
                "(1-256 characters A-Z a-z 0-9 _ -); without it anyone could post updates"
            )
        if self.WEBHOOK_SECRET and not re.fullmatch(
            r"[A-Za-z0-9_-]{1,256}", self.WEBHOOK_SECRET.get_secret_value()
        ):
            raise ValueError("WEBHOOK_SECRET: expected 1-256 characters A-Z a-z 0-9 _ -")
        return self

    @property
    def webhook_host_port(self) -> tuple[str, int]:
        host, _, port = self.WEBHOOK_LISTEN.rpartition(":")
        return host, int(port)

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.TIMEZONE)

    @property
    def reminder_time(self) -> time:
        hour, minute = self.REPORT_REMINDER_TIME.split(":")
        return time(int(hour), int(minute))

    @property
    def reconcile_time(self) -> time:
        hour, minute = self.GROUP_RECONCILE_TIME.split(":")
        return time(int(hour), int(minute))

    @property
    def backup_time(self) -> time:
        hour, minute = self.BACKUP_TIME.split(":")
        return time(int(hour), int(minute))

    @property
    def backup_folder(self) -> Path:
        """BACKUP_DIR, a relative path taken from the project folder."""
        return PROJECT_ROOT / self.BACKUP_DIR  # an absolute BACKUP_DIR stays as it is

    def sqlite_path(self) -> Path | None:
        """The SQLite file (absolute), or None for PostgreSQL or an in-memory database."""
        return sqlite_file(self.DATABASE_URL)


class SettingsError(Exception):
    """A setting is missing or malformed; the message is one line for the operator."""


def describe_validation_error(error: ValidationError) -> str:
    """One line naming the first bad setting and what is expected; never its value."""
    first = error.errors()[0]
    name = ".".join(str(p) for p in first.get("loc", ()) if not isinstance(p, int))
    message = str(first.get("msg", "invalid value")).removeprefix("Value error, ")
    if first.get("type") == "missing":
        message = "required but not set"
    elif first.get("type") in ("int_parsing", "int_type"):
        message = "expected a whole number (a Telegram chat id, like -1001234567890)"
    if not name and ":" in message:
        return f"Setting {message}"
    return f"Setting {name or '?'}: {message}"


def load_settings(**overrides: object) -> Settings:
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as error:
        raise SettingsError(describe_validation_error(error)) from None
