"""A step where the admin group waits for an admin to type something (a search, a
reason, an amount, a note): what counts as the answer, and what is left to the rest of
the bot.

The answer is the admin's next message in the topic where the question was shown, or a
reply to that question. A reply to another message (an answer to a member's question)
or a message in another topic goes on to the areas after this one; a command ends the
wait and runs as usual; /cancel ends it and says so.

In a forum, Telegram marks every message typed in a topic as a reply to the topic's
opening message (aiogram issue #1511): that is no reply."""

from __future__ import annotations

from typing import Any

from aiogram.dispatcher.event.bases import SkipHandler
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State
from aiogram.types import Message

from handlers.common.admins import AdminGate
from handlers.common.filters import allowed
from kernel.i18n import Translator

__all__ = ["answer_of", "ask", "elsewhere", "remember", "replied_to", "topic_of"]


async def ask(state: FSMContext, step: State, screen: Message, **extra: Any) -> None:
    """Wait for the admin's answer to the question shown on `screen`."""
    await state.set_state(step)
    await state.set_data({"screen": screen.message_id, "thread": topic_of(screen), **extra})


async def remember(state: FSMContext, screen: Message) -> None:
    """The question of a longer flow is now the one on `screen` (what the flow keeps stays)."""
    await state.update_data(screen=screen.message_id, thread=topic_of(screen))


def topic_of(message: Message) -> int | None:
    """The forum topic of a message; None in General and outside forums (where a reply
    carries its reply thread's id, no topic)."""
    return message.message_thread_id if message.is_topic_message else None


def replied_to(message: Message) -> Message | None:
    """The message this one answers by a reply; None when it replies to nothing, also in
    a forum topic, where Telegram sets reply_to_message to the topic's opening message."""
    reply = message.reply_to_message
    if reply is None or reply.forum_topic_created is not None:
        return None
    if message.is_topic_message and reply.message_id == message.message_thread_id:
        return None
    return reply


def elsewhere(message: Message, asked: dict[str, Any]) -> bool:
    """Not the answer to the question `ask` or `remember` kept: a reply to another
    message, or a message in another forum topic (General included)."""
    reply = replied_to(message)
    if reply is not None and reply.message_id != asked.get("screen"):
        return True
    return bool(message.chat.is_forum) and topic_of(message) != asked.get("thread")


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
    if elsewhere(message, asked):
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
