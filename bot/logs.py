"""Logging that never prints a secret: every formatted line is scrubbed.

Scrubbing the final text (message, arguments and traceback alike) is the one
place that catches a token inside an exception from a library we do not own.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Iterable
from types import TracebackType

from bot.settings import Settings

REDACTED = "[redacted]"


class RedactingFormatter(logging.Formatter):
    def __init__(self, secrets: Iterable[str], fmt: str) -> None:
        super().__init__(fmt)
        # Longest first so a secret containing another is scrubbed whole.
        self.secrets = sorted({s for s in secrets if len(s) >= 6}, key=len, reverse=True)

    def scrub(self, text: str) -> str:
        for secret in self.secrets:
            text = text.replace(secret, REDACTED)
        return text

    def format(self, record: logging.LogRecord) -> str:
        return self.scrub(super().format(record))


def secrets_of(settings: Settings) -> list[str]:
    values = [settings.BOT_TOKEN.get_secret_value()]
    # The part after the colon is the secret half; scrub it even when split.
    values.append(values[0].split(":", 1)[1])
    if settings.WEBHOOK_SECRET:
        values.append(settings.WEBHOOK_SECRET.get_secret_value())
    if settings.REDIS_URL:
        values.append(settings.REDIS_URL.get_secret_value())
    values.extend(key.get_secret_value() for key in settings.CREDENTIALS_KEYS)
    from sqlalchemy.engine import make_url

    password = make_url(settings.DATABASE_URL).password
    if password:
        values.append(str(password))
    return values


def quiet_scheduler(level: int) -> None:
    """APScheduler logs every run of every job at INFO ("Running job", "executed
    successfully": some 2,900 lines a day with the minutely lifecycle job) and each
    "Added job" at start. Keep only its warnings and errors (a job that raised, a missed
    run), unless the operator asked for DEBUG."""
    scheduler_level = logging.NOTSET if level <= logging.DEBUG else logging.WARNING
    logging.getLogger("apscheduler").setLevel(scheduler_level)


def configure_logging(settings: Settings) -> RedactingFormatter:
    formatter = RedactingFormatter(
        secrets_of(settings), "%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(formatter)
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(settings.LOG_LEVEL.upper())
    # aiohttp access logs would print webhook paths; we log what matters ourselves.
    logging.getLogger("aiohttp.access").setLevel(logging.WARNING)
    quiet_scheduler(root.level)

    def excepthook(
        kind: type[BaseException], value: BaseException, tb: TracebackType | None
    ) -> None:
        logging.getLogger("bot").critical("Unhandled error", exc_info=(kind, value, tb))

    sys.excepthook = excepthook
    return formatter
