from functools import lru_cache

from aiogram.types import InlineKeyboardMarkup
from aiogram.utils.keyboard import InlineKeyboardBuilder

from handlers.common.callbacks import LanguageCallback, LanguageCode, MenuAction, MenuCallback
from kernel.i18n import Translator


def main_menu(i18n: Translator, lang: str) -> InlineKeyboardMarkup:
    """The main menu, built once per translator and language (building it cost 0.65 ms;
    issue 13). The same object is shared by every caller: it is only ever passed to
    Telegram as reply_markup, never changed."""
    return _main_menu(i18n, lang)


def language_choice(i18n: Translator, lang: str) -> InlineKeyboardMarkup:
    """The language picker, built once per translator and language, shared as main_menu."""
    return _language_choice(i18n, lang)


@lru_cache(maxsize=64)
def _main_menu(i18n: Translator, lang: str) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    builder.button(
        text=i18n.t("menu.shop", lang), callback_data=MenuCallback(action=MenuAction.SHOP)
    )
    builder.button(text=i18n.t("menu.me", lang), callback_data=MenuCallback(action=MenuAction.ME))
    builder.button(
        text=i18n.t("menu.report", lang), callback_data=MenuCallback(action=MenuAction.REPORT)
    )
    builder.button(
        text=i18n.t("menu.balance", lang), callback_data=MenuCallback(action=MenuAction.BALANCE)
    )
    builder.button(
        text=i18n.t("menu.team", lang), callback_data=MenuCallback(action=MenuAction.TEAM)
    )
    builder.button(text=i18n.t("menu.ask", lang), callback_data=MenuCallback(action=MenuAction.ASK))
    builder.button(
        text=i18n.t("menu.meetings", lang), callback_data=MenuCallback(action=MenuAction.MEETINGS)
    )
    builder.button(
        text=i18n.t("menu.library", lang), callback_data=MenuCallback(action=MenuAction.LIBRARY)
    )
    builder.button(
        text=i18n.t("menu.help", lang), callback_data=MenuCallback(action=MenuAction.HELP)
    )
    builder.button(
        text=i18n.t("menu.language", lang), callback_data=MenuCallback(action=MenuAction.LANGUAGE)
    )
    builder.adjust(2)
    return builder.as_markup()


@lru_cache(maxsize=64)
def _language_choice(i18n: Translator, lang: str) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    for code in LanguageCode:
        builder.button(
            text=i18n.t(f"language.name_{code.value}", lang),
            callback_data=LanguageCallback(code=code),
        )
    builder.adjust(1)
    return builder.as_markup()
