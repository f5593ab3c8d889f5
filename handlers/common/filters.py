"""Filters and checks shared by the admin-group features."""

from __future__ import annotations

from aiogram.filters import Filter
from aiogram.types import CallbackQuery, Message

from handlers.common.admins import AdminGate
from handlers.common.config import HandlerConfig
from kernel.i18n import Translator


class InAdminChat(Filter):
    """The update comes from the admin group (ADMIN_CHAT_ID)."""

    async def __call__(self, event: Message | CallbackQuery, config: HandlerConfig) -> bool:
        if isinstance(event, CallbackQuery):
            chat = event.message.chat if event.message is not None else None
        else:
            chat = event.chat
        return chat is not None and chat.id == config.admin_chat_id


async def allowed(
    event: Message | CallbackQuery,
    admins: AdminGate,
    i18n: Translator,
    lang: str,
    *,
    owner: bool = False,
) -> bool:
    """Check, on every update, that the person may act; if not, tell them (an alert for a
    tap, a reply for a command) and return False. Nothing else happens then."""
    user = event.from_user
    if user is not None and (
        await admins.is_owner(user.id) if owner else await admins.is_admin(user.id)
    ):
        return True
    text = i18n.t("admin.only_owner" if owner else "admin.only_admins", lang)
    if isinstance(event, CallbackQuery):
        await event.answer(text, show_alert=True)
    else:
        await event.reply(text)
    return False
