"""The buttons under payment and report cards, with a last row "👤 Member" that opens the
member's card of the console (handlers/admin/console/search.py `member_screen`) in a new
message under the card.

The services queue the cards and ask the bot layer for these rows (bot/container.py);
the card handlers draw them again after "Back" or from /pending. A decided card keeps
the row (`decided_markup`): its decision buttons go, the way to the member stays."""

from __future__ import annotations

from aiogram.types import InlineKeyboardMarkup

from handlers.admin.console.callbacks import MemberAction, MemberCallback
from handlers.common.callbacks import report_buttons, review_buttons
from handlers.common.config import HandlerConfig
from handlers.common.review_card import buttons_markup
from kernel.i18n import Translator
from kernel.notices import Button

ButtonRows = tuple[tuple[Button, ...], ...]


def member_row(telegram_id: int | None) -> ButtonRows:
    """The row "👤 Member" (none for an id a member cannot have)."""
    if not telegram_id or telegram_id <= 0 or telegram_id >= 2**63:
        return ()
    data = MemberCallback(action=MemberAction.OPEN, member=telegram_id).pack()
    return ((Button("console.button_card_link", data),),)


def payment_card_buttons(request_id: int, proof_id: int, member: int | None) -> ButtonRows:
    """Approve / Reject, then 👤 Member."""
    return review_buttons(request_id, proof_id) + member_row(member)


def report_card_buttons(report_id: int, version: int, member: int | None) -> ButtonRows:
    """Validate, Adjust amount / Reject, then 👤 Member."""
    return report_buttons(report_id, version) + member_row(member)


def decided_markup(
    member: int | None,
    kept: InlineKeyboardMarkup | None,
    i18n: Translator,
    config: HandlerConfig,
) -> InlineKeyboardMarkup | None:
    """The buttons of a decided card: `kept` (the offer of an affiliate account after an
    approval), then 👤 Member; None when there are none."""
    rows = list(kept.inline_keyboard) if kept is not None else []
    rows += buttons_markup(member_row(member), i18n, config).inline_keyboard
    return InlineKeyboardMarkup(inline_keyboard=rows) if rows else None
