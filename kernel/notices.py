"""Messages for people, decided by services and sent later by the outbox relay.

Texts are translation keys with params, never literal text, so each person reads
them in their own language.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from kernel.actions import MESSAGE


@dataclass(frozen=True, slots=True)
class Button:
    """An inline button; its label is a translation key, never literal text."""

    text_key: str
    callback_data: str | None = None
    url: str | None = None
    params: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {
            "text_key": self.text_key,
            "callback_data": self.callback_data,
            "url": self.url,
            "params": self.params,
        }


@dataclass(frozen=True, slots=True)
class Notice:
    """A message for one chat, in that person's language."""

    chat_id: int
    text_key: str
    language: str
    params: dict[str, Any] = field(default_factory=dict)
    buttons: tuple[tuple[Button, ...], ...] = ()
    photo_file_id: str | None = None
    document_file_id: str | None = None
    member_id: int | None = None
    dedupe_key: str | None = None
    # "message", or a Telegram action the relay performs (see bot/group_actions.py).
    kind: str = MESSAGE
    # Not before this moment (a delayed deletion); now when None.
    not_before: datetime | None = None
