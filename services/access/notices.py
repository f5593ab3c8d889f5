"""Who is told what about the group, and in which language."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from domain.people import Person
from kernel.notices import Button, Notice
from services.access.config import GroupConfig
from storage.uow import UnitOfWork


def language_of(member: Person, default_language: str) -> str:
    """The language the member reads (a /language choice wins over Telegram's)."""
    return member.language(default_language)


async def alert_admins(
    uow: UnitOfWork,
    config: GroupConfig,
    key: str,
    params: dict[str, Any],
    dedupe_key: str | None,
    now: datetime,
) -> bool:
    """Queue a notice to the admin group, in the default language."""
    notice = Notice(
        chat_id=config.admin_chat_id,
        text_key=key,
        language=config.default_language,
        params=params,
        dedupe_key=dedupe_key,
    )
    return await uow.outbox.enqueue(notice, now)


def menu_buttons(config: GroupConfig) -> tuple[tuple[Button, ...], ...]:
    """The button under an approval or a grant: the main menu, the member's next step."""
    if config.menu_callback is None:
        return ()
    return ((Button("payment.menu_button", callback_data=config.menu_callback),),)


def renew_buttons(config: GroupConfig) -> tuple[tuple[Button, ...], ...]:
    """The button under an "access ended" message that opens the shop."""
    if config.renew_callback is None:
        return ()
    return ((Button("access.renew_button", callback_data=config.renew_callback),),)
