"""Who is acting: an admin or owner as Telegram names them (kept in the audit trail)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Actor:
    """An admin acting, as Telegram names them (kept in the audit trail)."""

    telegram_id: int
    name: str
