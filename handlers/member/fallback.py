"""Last router: whatever no feature claimed gets a kind, specific answer."""

from aiogram import F, Router
from aiogram.types import CallbackQuery, Message

from handlers.common.keyboards import main_menu
from kernel.i18n import Translator


async def stale_or_forged_button(query: CallbackQuery, i18n: Translator, lang: str) -> None:
    # Unknown or unparsable callback data: old keyboards, forged payloads.
    await query.answer(i18n.t("error.stale_button", lang), show_alert=True)


async def unknown_private_message(message: Message, i18n: Translator, lang: str) -> None:
    await message.answer(i18n.t("fallback.private", lang), reply_markup=main_menu(i18n, lang))


def build_router() -> Router:
    router = Router(name="fallback")
    router.callback_query.register(stale_or_forged_button)
    router.message.register(unknown_private_message, F.chat.type == "private")
    return router
