"""Questions to the admins: what a member writes in private chat outside a guided flow
(text, photo, document, voice, video, a sticker...) reaches the admin group, and an edit
of it follows. The member hears once per wait that it reached the admins (through the
outbox, with the relay), and is told so when the admins muted them.

This router comes after every feature that takes input (a payment proof, a report, a
wizard): their states and filters claim a message first, and here only messages with no
conversation state arrive."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.filters import StateFilter
from aiogram.types import CallbackQuery, Message

from handlers.common.callbacks import MenuAction, MenuCallback
from handlers.common.keyboards import main_menu
from handlers.common.said import said_of
from handlers.common.uploads import is_image_document
from kernel.i18n import Translator
from services.questions import Asked, QuestionService


async def ask(message: Message, questions: QuestionService, i18n: Translator, lang: str) -> None:
    assert message.from_user is not None
    said = said_of(message)
    if said is None:  # nothing that can be copied (a service message)
        return
    # A picture reaching here found no payment waiting for its proof (proof.py passed it).
    picture = message.photo is not None or is_image_document(message)
    result = await questions.ask(
        message.from_user.id, said, picture=picture, album=message.media_group_id
    )
    if result.outcome is Asked.MUTED:
        await message.answer(i18n.t("qa.muted", lang, until=result.muted_until))
    elif result.outcome is Asked.UNKNOWN:
        await message.answer(i18n.t("fallback.private", lang), reply_markup=main_menu(i18n, lang))


async def edited(message: Message, questions: QuestionService) -> None:
    assert message.from_user is not None
    said = said_of(message)
    if said is not None:
        await questions.edit_question(message.from_user.id, said)


async def how_to_ask(query: CallbackQuery, i18n: Translator, lang: str) -> None:
    await query.answer()
    if query.message is not None:
        await query.message.answer(i18n.t("qa.how", lang), reply_markup=main_menu(i18n, lang))


def _not_a_command(message: Message) -> bool:
    text = message.text or message.caption or ""
    return not text.startswith("/")


def build_router() -> Router:
    router = Router(name="questions")
    router.message.filter(F.chat.type == "private")
    router.edited_message.filter(F.chat.type == "private")
    router.message.register(ask, StateFilter(None), _not_a_command)
    router.edited_message.register(edited)
    router.callback_query.register(how_to_ask, MenuCallback.filter(F.action == MenuAction.ASK))
    return router
