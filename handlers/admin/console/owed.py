"""💸 Payouts owed: the members with a balance available, the most owed first, paged;
each opens the member's card, where 💸 Payout pays them."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.types import CallbackQuery, InlineKeyboardMarkup
from aiogram.utils.keyboard import InlineKeyboardBuilder

from domain.money import format_rupiah
from handlers.admin.console.callbacks import (
    ConsoleCallback,
    MemberAction,
    MemberCallback,
    OwedCallback,
    Screen,
)
from handlers.admin.console.home import show
from handlers.common.admins import AdminGate
from handlers.common.filters import allowed
from kernel.i18n import Translator
from services.ledger import LedgerService
from services.ledger.payouts import OwedPage

PER_PAGE = 8


def owed_screen(
    owed: OwedPage, page: int, i18n: Translator, lang: str
) -> tuple[str, InlineKeyboardMarkup]:
    pages = max(1, -(-owed.count // PER_PAGE))
    builder = InlineKeyboardBuilder()
    for member in owed.members:
        builder.button(
            text=i18n.t(
                "console.owed_button", lang, name=member.name, amount=format_rupiah(member.amount)
            ),
            callback_data=MemberCallback(action=MemberAction.OPEN, member=member.telegram_id),
        )
    sizes = [1] * len(owed.members)
    turns = [("console.page_back", page - 1)] if page > 0 else []
    if page + 1 < pages:
        turns.append(("console.page_next", page + 1))
    for key, target in turns:
        builder.button(text=i18n.t(key, lang), callback_data=OwedCallback(page=target))
    if turns:
        sizes.append(len(turns))
    builder.button(
        text=i18n.t("console.back_home", lang), callback_data=ConsoleCallback(screen=Screen.HOME)
    )
    builder.adjust(*sizes, 1)
    if not owed.count:
        return i18n.t("console.owed_none", lang), builder.as_markup()
    text = i18n.t(
        "console.owed", lang, count=owed.count, total=owed.total, page=page + 1, pages=pages
    )
    return text, builder.as_markup()


async def show_owed(
    query: CallbackQuery,
    callback_data: ConsoleCallback | OwedCallback,
    admins: AdminGate,
    i18n: Translator,
    lang: str,
    ledger: LedgerService,
) -> None:
    if not await allowed(query, admins, i18n, lang):
        return
    await query.answer()
    page = callback_data.page if isinstance(callback_data, OwedCallback) else 0
    owed = await ledger.owed(page * PER_PAGE, PER_PAGE)
    if owed.count and not owed.members:  # fewer are owed now: the last page
        page = max(0, -(-owed.count // PER_PAGE) - 1)
        owed = await ledger.owed(page * PER_PAGE, PER_PAGE)
    await show(query, *owed_screen(owed, page, i18n, lang))


def register(router: Router) -> None:
    router.callback_query.register(show_owed, ConsoleCallback.filter(F.screen == Screen.PAYOUTS))
    router.callback_query.register(show_owed, OwedCallback.filter())
