"""Reports in the admin group (SPEC "Daily reports").

cards.py    the report cards: Validate, Adjust amount, Reject with a reason
listing.py  /reports: those waiting (with "validate all listed"), or one member's history
"""

from __future__ import annotations

from aiogram import Router
from aiogram.filters import Command, StateFilter

from handlers.admin.reports import cards, listing
from handlers.common.callbacks import BatchCallback, ReportCallback
from handlers.common.filters import InAdminChat


def build_router() -> Router:
    """The command before the typed amount and reason: /reports typed meanwhile is /reports."""
    router = Router(name="admin_reports")
    router.message.filter(InAdminChat())
    router.callback_query.filter(InAdminChat())
    router.callback_query.register(cards.on_report, ReportCallback.filter())
    router.callback_query.register(listing.on_batch, BatchCallback.filter())
    router.message.register(listing.reports_command, Command("reports"))
    router.message.register(cards.typed_amount, StateFilter(cards.ReportInput.amount))
    router.message.register(cards.typed_reason, StateFilter(cards.ReportInput.reason))
    return router
