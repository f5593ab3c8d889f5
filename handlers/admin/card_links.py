"""The buttons under payment and report cards, with a last row "👤 Member" that opens the
member's card of the console (handlers/admin/console/search.py `member_screen`) in a new
message under the card.

The services queue the cards and ask the bot layer for these rows (bot/container.py);
the card handlers draw them again after "Back" or from /pending."""

from __future__ import annotations

from handlers.admin.console.callbacks import MemberAction, MemberCallback
from handlers.common.callbacks import report_buttons, review_buttons
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
