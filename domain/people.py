"""A person the bot knows: a member row as the rest of the code sees it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from domain.language import resolve_language


@dataclass(frozen=True, slots=True)
class Person:
    id: int
    telegram_id: int
    first_name: str
    last_name: str | None
    username: str | None
    telegram_language: str | None
    chosen_language: str | None
    referral_code: str
    arrived_with_code: str | None
    blocked_bot_at: datetime | None
    created_at: datetime
    last_seen_at: datetime

    @property
    def full_name(self) -> str:
        """How a member is named in cards and messages."""
        return full_name(self.first_name, self.last_name)

    def language(self, default: str) -> str:
        """The language this person reads (a /language choice wins over Telegram's)."""
        return resolve_language(self.chosen_language, self.telegram_language, default)


def full_name(first_name: str | None, last_name: str | None) -> str:
    return " ".join(filter(None, [first_name, last_name])) or "-"
