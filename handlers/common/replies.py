"""Answering a command or a tap the same way: a new message in the chat."""

from __future__ import annotations

from typing import Any

from aiogram.types import CallbackQuery, Message


async def reply(event: Message | CallbackQuery, text: str, markup: Any = None) -> None:
    """Answer a command with a message, a tap with a new message under it."""
    if isinstance(event, CallbackQuery):
        await event.answer()
        if event.message is None:
            return
        await event.message.answer(text, reply_markup=markup)
    else:
        await event.answer(text, reply_markup=markup)
