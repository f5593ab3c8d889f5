"""What handlers need to know of the settings (bot/ builds it from Settings)."""

from __future__ import annotations

from dataclasses import dataclass
from zoneinfo import ZoneInfo


@dataclass(frozen=True, slots=True)
class HandlerConfig:
    admin_chat_id: int
    default_language: str
    zone: ZoneInfo
    discussion_chat_id: int | None = None
    credentials_show_seconds: int = 180
