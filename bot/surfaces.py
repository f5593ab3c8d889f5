"""Texts Telegram shows without parsing HTML, made plain in one place.

Every text comes from the translator HTML-escaped (messages use HTML parse mode), but
Telegram never parses HTML in button labels, callback popups, the input field placeholder,
command descriptions, forum topic names or the bot's descriptions: there `&amp;` would
show as it is.
`plain_surfaces` turns those fields of an outgoing Bot API call back into what a person
should read; message texts and captions are left alone (Telegram parses them).

It is pure: the method given is never changed (keyboards are often shared between calls),
an equivalent copy is returned.
"""

from __future__ import annotations

import html
from typing import Any, TypeVar

from aiogram.methods import (
    AnswerCallbackQuery,
    CreateForumTopic,
    EditForumTopic,
    SetMyCommands,
    SetMyDescription,
    SetMyShortDescription,
)
from aiogram.methods.base import TelegramMethod
from aiogram.types import (
    ForceReply,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    KeyboardButton,
    ReplyKeyboardMarkup,
)

M = TypeVar("M", bound=TelegramMethod[Any])

# Plain-text fields of methods that carry no keyboard, by method type.
_PLAIN_FIELDS: dict[type[TelegramMethod[Any]], tuple[str, ...]] = {
    AnswerCallbackQuery: ("text",),
    SetMyDescription: ("description",),
    SetMyShortDescription: ("short_description",),
    CreateForumTopic: ("name",),
    EditForumTopic: ("name",),
}


def _plain(text: Any) -> Any:
    return html.unescape(text) if isinstance(text, str) else text


def _button(button: InlineKeyboardButton | KeyboardButton) -> Any:
    return button.model_copy(update={"text": _plain(button.text)})


def _markup(markup: Any) -> Any:
    if isinstance(markup, InlineKeyboardMarkup):
        rows = [[_button(b) for b in row] for row in markup.inline_keyboard]
        return markup.model_copy(update={"inline_keyboard": rows})
    if isinstance(markup, ReplyKeyboardMarkup):
        rows = [[_button(b) for b in row] for row in markup.keyboard]
        placeholder = _plain(markup.input_field_placeholder)
        return markup.model_copy(update={"keyboard": rows, "input_field_placeholder": placeholder})
    if isinstance(markup, ForceReply):
        placeholder = _plain(markup.input_field_placeholder)
        return markup.model_copy(update={"input_field_placeholder": placeholder})
    return markup  # ReplyKeyboardRemove, None, or a value aiogram fills in later


def plain_surfaces(method: M) -> M:
    """A copy of `method` whose button texts, popup text, placeholders and command
    descriptions are unescaped; everything else (message text, captions) is untouched."""
    changes: dict[str, Any] = {}
    if "reply_markup" in type(method).model_fields:
        changes["reply_markup"] = _markup(getattr(method, "reply_markup", None))
    for name in _PLAIN_FIELDS.get(type(method), ()):
        changes[name] = _plain(getattr(method, name))
    if isinstance(method, SetMyCommands):
        changes["commands"] = [
            c.model_copy(update={"description": _plain(c.description)}) for c in method.commands
        ]
    return method.model_copy(update=changes)
