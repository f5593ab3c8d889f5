"""Typed callback data: the only shapes of button payload the bot accepts.

Callback data is chosen by the client and unsigned; anything that does not
unpack into one of these falls through to the stale-button answer.
"""

from enum import StrEnum

from aiogram.filters.callback_data import CallbackData


class LanguageCode(StrEnum):
    ID = "id"
    EN = "en"


class LanguageCallback(CallbackData, prefix="lang"):
    code: LanguageCode


class MenuAction(StrEnum):
    HOME = "home"
    HELP = "help"
    LANGUAGE = "language"


class MenuCallback(CallbackData, prefix="menu"):
    action: MenuAction
