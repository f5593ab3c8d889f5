"""The menus are built once per language and shared: a caller must never change them."""

from __future__ import annotations

from handlers.common.keyboards import language_choice, main_menu
from kernel.i18n import Translator


def test_the_main_menu_is_built_once_per_language() -> None:
    i18n = Translator.load("id")
    assert main_menu(i18n, "id") is main_menu(i18n, "id")
    assert main_menu(i18n, "en") is main_menu(i18n, "en")
    assert main_menu(i18n, "id") is not main_menu(i18n, "en")
    assert language_choice(i18n, "id") is language_choice(i18n, "id")


def test_each_language_keeps_its_own_labels() -> None:
    i18n = Translator.load("id")
    indonesian = [b.text for row in main_menu(i18n, "id").inline_keyboard for b in row]
    english = [b.text for row in main_menu(i18n, "en").inline_keyboard for b in row]
    assert indonesian[0] == i18n.t("menu.shop", "id")
    assert english[0] == i18n.t("menu.shop", "en")
    assert len(indonesian) == len(english) == 10


def test_a_new_translator_gets_its_own_menu() -> None:
    first, second = Translator.load("id"), Translator.load("id")
    assert main_menu(first, "id") is not main_menu(second, "id")
    assert main_menu(first, "id") == main_menu(second, "id")
