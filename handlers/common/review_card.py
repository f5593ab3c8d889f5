"""The review card: one implementation for payment cards and report cards.

A card is a message in the admin group whose caption the service composed (`text_key`
and `params`), with a marker that ties taps to it: `#12` on the card of payment request
12, `#R7 · v2` on the card of report 7 at version 2. Callback data is unsigned, so a tap
acts only on the card it names (`is_card_of`). Under the card: the service's buttons,
or the listed reject reasons with "write a reason" and "back". A decided card is edited
to its outcome line, best effort: the decision is committed before.

`CardKind` holds what differs between the two (`PAYMENT_CARD`, `REPORT_CARD`).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from aiogram import Bot
from aiogram.exceptions import TelegramBadRequest
from aiogram.filters.callback_data import CallbackData
from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup
from aiogram.utils.keyboard import InlineKeyboardBuilder

from domain.reports import ReportRejectReason
from domain.states import ProofRejectReason
from handlers.common.config import HandlerConfig
from kernel.i18n import Translator
from kernel.notices import Button

log = logging.getLogger(__name__)


class Captioned(Protocol):
    """A card as a service describes it: its caption's key and params."""

    @property
    def text_key(self) -> str: ...

    @property
    def params(self) -> Mapping[str, Any]: ...


@dataclass(frozen=True, slots=True)
class CardKind:
    """What differs between payment cards and report cards."""

    name: str  # in logs
    marker: str  # the card's number in its caption, `str.format`ted with the ids
    captions_only: bool  # False: a payment card without a picture is a plain text
    texts: str  # key prefix of the card's own texts ("write a reason", "back")
    reasons: tuple[str, ...]  # the listed reject reasons
    reason_key: str  # key prefix of a listed reason as the card shows it
    reason_button_key: str  # key prefix of a listed reason's button
    reason_chars: int  # an admin's own words are shortened to this on the card
    no_reason: str  # shown when the stored reason is empty


PAYMENT_CARD = CardKind(
    name="Card",
    marker="#{}",
    captions_only=False,
    texts="review",
    reasons=tuple(reason.value for reason in ProofRejectReason),
    reason_key="reject_reason",
    reason_button_key="reject_button",
    reason_chars=200,  # a caption holds 1024 characters; the card itself uses about 600
    no_reason="",
)
REPORT_CARD = CardKind(
    name="Report card",
    marker="#R{} · v{}",
    captions_only=True,
    texts="report_review",
    reasons=tuple(reason.value for reason in ReportRejectReason),
    reason_key="report_reason",
    reason_button_key="report_reject_button",
    reason_chars=150,  # the card caption holds 1024 characters in all
    no_reason="-",
)


def caption(card: Captioned, i18n: Translator, config: HandlerConfig) -> str:
    """The card's caption, in the group's language."""
    return i18n.t(card.text_key, config.default_language, **card.params)


def is_card_of(message: Any, kind: CardKind, *ids: int) -> bool:
    """The tapped message is the card these ids name (its marker is in the caption)."""
    shown = getattr(message, "caption", None) or ""
    if not kind.captions_only:
        shown = shown or getattr(message, "text", None) or ""
    marker = re.escape(kind.marker.format(*ids))
    return re.search(rf"{marker}(?!\d)", shown) is not None


def buttons_markup(
    rows: Iterable[Iterable[Button]], i18n: Translator, config: HandlerConfig
) -> InlineKeyboardMarkup:
    """The buttons a service put under a card, in the group's language."""
    lang = config.default_language
    return InlineKeyboardMarkup(
        inline_keyboard=[
            [
                InlineKeyboardButton(text=i18n.t(b.text_key, lang), callback_data=b.callback_data)
                for b in row
            ]
            for row in rows
        ]
    )


def reasons_markup(
    kind: CardKind,
    reason_data: Callable[[str], CallbackData],
    write: CallbackData,
    back: CallbackData,
    i18n: Translator,
    config: HandlerConfig,
) -> InlineKeyboardMarkup:
    """The listed reject reasons, two a row, then "write a reason" and "back"."""
    lang = config.default_language
    builder = InlineKeyboardBuilder()
    for reason in kind.reasons:
        builder.button(
            text=i18n.t(f"{kind.reason_button_key}.{reason}", lang),
            callback_data=reason_data(reason),
        )
    builder.button(text=i18n.t(f"{kind.texts}.write", lang), callback_data=write)
    builder.button(text=i18n.t(f"{kind.texts}.back", lang), callback_data=back)
    builder.adjust(2, 2, 1, 1)
    return builder.as_markup()


def reason_param(kind: CardKind, reason: str | None) -> Any:
    """A stored reject reason: a listed code (translated) or the admin's own words
    (shortened on the card; the member gets them whole)."""
    text = reason or kind.no_reason
    if text in kind.reasons:
        return {"key": f"{kind.reason_key}.{text}"}
    if len(text) > kind.reason_chars:
        return text[: kind.reason_chars - 1] + "…"
    return text


async def close_card(
    bot: Bot,
    chat_id: int,
    message_id: int,
    shown: str,
    line: str,
    kind: CardKind,
    reply_markup: InlineKeyboardMarkup | None = None,
) -> None:
    """Edit the card to its caption and outcome line, without decision buttons (with
    `reply_markup`: 👤 Member, and the offer of an affiliate account after an approval;
    handlers/admin/card_links.py `decided_markup`). Best effort:
    the decision is already committed and the member's message already queued."""
    try:
        await bot.edit_message_caption(
            chat_id=chat_id,
            message_id=message_id,
            caption=shown + "\n\n" + line,
            reply_markup=reply_markup,
        )
    except TelegramBadRequest as error:
        log.info("%s %s not edited: %s", kind.name, message_id, error.message)


async def swap_buttons(
    bot: Bot, chat_id: int, message_id: int, markup: InlineKeyboardMarkup | None, what: str
) -> None:
    """Replace the buttons under a message (none: remove them). Best effort: on a double
    tap Telegram answers "message is not modified"."""
    try:
        await bot.edit_message_reply_markup(
            chat_id=chat_id, message_id=message_id, reply_markup=markup
        )
    except TelegramBadRequest as error:
        log.info("%s buttons not changed: %s", what, error.message)
