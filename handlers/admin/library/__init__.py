"""The learning library in the admin group (/library, and "📚 Library" on the panel).

browse.py    /library and its screens: sections, a section's lessons with their views,
             a lesson's card (move, tier, content shown, retire / bring back)
compose.py   adding a lesson step by step (section, title, tier, content, preview,
             add), and a lesson's new title or content
screens.py   the screens as text and buttons
callbacks.py the button payloads

Every tap checks the admin again (a member or a stranger in the group is told so)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import F, Router
from aiogram.filters import Command, StateFilter
from aiogram.types import CallbackQuery, TelegramObject

from handlers.admin.library import browse, compose
from handlers.admin.library.callbacks import LibraryAdminCallback
from handlers.common.filters import InAdminChat, allowed

__all__ = ["build_router"]


async def _admins_only(
    handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
    event: TelegramObject,
    data: dict[str, Any],
) -> Any:
    assert isinstance(event, CallbackQuery)
    if not await allowed(event, data["admins"], data["i18n"], data["lang"]):
        return None
    return await handler(event, data)


def build_router() -> Router:
    """The command first, then an album's later parts, then the typed steps and taps."""
    router = Router(name="admin_library")
    router.message.filter(InAdminChat())
    router.callback_query.filter(InAdminChat())
    router.callback_query.middleware(_admins_only)
    router.message.register(browse.library_command, Command("library"))
    draft = compose.LibraryDraft
    router.message.register(
        compose.album_part, StateFilter(draft.content, draft.album), compose.AlbumPart()
    )
    for step, typed in (
        (draft.section_name, compose.typed_section_name),
        (draft.title, compose.typed_title),
        (draft.new_title, compose.typed_new_title),
        (draft.section_rename, compose.typed_section_rename),
        (draft.content, compose.typed_content),
    ):
        router.message.register(typed, StateFilter(step), compose.Fresh())
    router.callback_query.register(
        compose.on_draft_button, LibraryAdminCallback.filter(F.act.in_(compose.DRAFT_ACTS))
    )
    router.callback_query.register(browse.on_screen, LibraryAdminCallback.filter())
    return router
