"""A step where the console waits for the admin to type something (a search, a reason,
an amount): what counts as the answer, and what is left to the rest of the bot.

The answer is the admin's next message in the topic where the question was shown, or a
reply to that question. A reply to another message (an answer to a member's question)
or a message in another topic goes on to the areas after the console; a command ends the
wait and runs as usual; /cancel ends it and says so."""

from __future__ import annotations

from typing import Any

from aiogram.dispatcher.event.bases import SkipHandler
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State
from aiogram.types import Message

from handlers.common.admins import AdminGate
from handlers.common.filters import allowed
from kernel.i18n import Translator


async def ask(state: FSMContext, step: State, screen: Message, **extra: Any) -> None:
    """Wait for the admin's answer to the question shown on `screen`."""
    await state.set_state(step)
    await state.set_data({"screen": screen.message_id, "thread": screen.message_thread_id, **extra})


async def answer_of(
    message: Message,
    state: FSMContext,
    admins: AdminGate,
    i18n: Translator,
    lang: str,
    cancelled: str,
) -> tuple[str | None, dict[str, Any]] | None:
    """(the text typed, or None for a sticker or picture; what `ask` kept), or None when
    the wait is over and answered. Raises SkipHandler for what is not the answer."""
    asked = await state.get_data()
    reply_to = message.reply_to_message
    elsewhere = message.is_topic_message and message.message_thread_id != asked.get("thread")
    if (reply_to is not None and reply_to.message_id != asked.get("screen")) or elsewhere:
        raise SkipHandler  # e.g. an answer to a member's question
    text = message.text
    if text is not None and text.startswith("/"):
        await state.clear()
        if text.split()[0].split("@")[0] == "/cancel":
            await message.reply(i18n.t(cancelled, lang))
            return None
        raise SkipHandler  # another command ends the wait and runs as usual
    if not await allowed(message, admins, i18n, lang):
        await state.clear()
        return None
    return text, asked
