"""The buttons under a relayed question: the conversation's status and what admins can
do with it (answered, close, reopen, mute)."""

from __future__ import annotations

from aiogram.types import InlineKeyboardMarkup
from aiogram.utils.keyboard import InlineKeyboardBuilder

from handlers.common.callbacks import QuestionAction, QuestionCallback, QuestionStatus
from kernel.i18n import Translator

MUTE_CHOICES = (1, 24, 24 * 7)


def conversation_keyboard(
    i18n: Translator, lang: str, conversation: int, status: str, muted: bool
) -> InlineKeyboardMarkup:
    """First row: the status now (tapping it shows the latest); then the moves it allows."""
    builder = InlineKeyboardBuilder()

    def button(key: str, action: QuestionAction, hours: int = 0) -> None:
        data = QuestionCallback(action=action, conversation=conversation, hours=hours,
                                shown=QuestionStatus(status))  # fmt: skip
        builder.button(text=i18n.t(key, lang), callback_data=data)

    button(f"qa.status_{status}", QuestionAction.BACK)
    moves = []
    if status == "open":
        moves = [("qa.button_answered", QuestionAction.ANSWERED),
                 ("qa.button_close", QuestionAction.CLOSE)]  # fmt: skip
    elif status == "answered":
        moves = [("qa.button_close", QuestionAction.CLOSE),
                 ("qa.button_reopen", QuestionAction.REOPEN)]  # fmt: skip
    else:
        moves = [("qa.button_reopen", QuestionAction.REOPEN)]
    for key, action in moves:
        button(key, action)
    if muted:
        button("qa.button_unmute", QuestionAction.UNMUTE)
    else:
        button("qa.button_mute", QuestionAction.MUTE)
    builder.adjust(1, len(moves), 1)
    return builder.as_markup()


def mute_keyboard(i18n: Translator, lang: str, conversation: int) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    for hours in MUTE_CHOICES:
        builder.button(
            text=i18n.t("qa.mute_hours" if hours < 24 else "qa.mute_days", lang,
                        count=hours if hours < 24 else hours // 24),
            callback_data=QuestionCallback(
                action=QuestionAction.MUTE_FOR, conversation=conversation, hours=hours
            ),
        )  # fmt: skip
    builder.button(
        text=i18n.t("qa.button_back", lang),
        callback_data=QuestionCallback(action=QuestionAction.BACK, conversation=conversation),
    )
    builder.adjust(len(MUTE_CHOICES), 1)
    return builder.as_markup()
