"""The accounts screen: the pool's counts, a tab for each filter, one page of accounts as
buttons (each opens its card in place), ◀️ ▶️, and ➕ Add, 📥 Import, 📤 Export and back
to the admin home. /accounts [filter] and the panel's button answer with it; moving
between pages and filters, and to a card and back, edits the same message."""

from __future__ import annotations

from typing import Any

from aiogram import Bot
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Message

from domain.affiliates import AccountFilter
from domain.states import ShopStatus
from handlers.admin.accounts import add, transfer
from handlers.admin.accounts.callbacks import (
    ListCallback,
    OpenCallback,
    Tool,
    ToolCallback,
)
from handlers.admin.accounts.views import (
    button,
    card_markup,
    card_text,
    problem_text,
    show,
    status_param,
)
from handlers.common.admin_command import AdminCall
from handlers.common.admins import AdminGate
from handlers.common.asked import remember
from handlers.common.config import HandlerConfig
from handlers.common.filters import allowed
from kernel.clock import Clock
from kernel.i18n import Translator
from services.affiliates import AccountCard, AffiliateError, AffiliateService

PER_PAGE = 10
TABS = (
    AccountFilter.ALL,
    AccountFilter.AVAILABLE,
    AccountFilter.ASSIGNED,
    AccountFilter.SUSPENDED,
    AccountFilter.INACTIVE,
)
MARKS = {ShopStatus.ACTIVE: "🟢", ShopStatus.SUSPENDED: "⛔", ShopStatus.INACTIVE: "⚪"}


def pages(matching: int) -> int:
    return max(1, -(-matching // PER_PAGE))


def _account_label(card: AccountCard, i18n: Translator, lang: str) -> str:
    if card.holder is not None:
        who = card.holder.name
    elif card.available:
        who = i18n.t("affiliates.list_free", lang)
    else:
        who = i18n.t("affiliates.list_nobody", lang)
    mark = MARKS.get(card.status, "")
    return i18n.t(
        "affiliates.list_button", lang, id=card.id, username=card.username, mark=mark, who=who
    )


async def list_screen(
    affiliates: AffiliateService,
    which: AccountFilter,
    page: int,
    i18n: Translator,
    lang: str,
    home: str | None,
) -> tuple[str, InlineKeyboardMarkup]:
    """Page `page` (from 0; the last one when there are fewer now) of the accounts that
    match `which`, as text and buttons."""
    # The pool is small (hundreds): the page is cut from the accounts up to its end.
    listing = await affiliates.list_accounts(which, (page + 1) * PER_PAGE)
    if page >= pages(listing.matching):
        page = pages(listing.matching) - 1
        listing = await affiliates.list_accounts(which, (page + 1) * PER_PAGE)
    shown = listing.accounts[page * PER_PAGE :]
    counts = listing.counts
    lines = [
        i18n.t(
            "affiliates.list_header",
            lang,
            filter={"key": f"affiliates.filter_{which.value}"},
            matching=listing.matching,
            available=counts.available,
            assigned=counts.assigned,
            suspended=counts.suspended,
            inactive=counts.inactive,
            total=counts.total,
        )
    ]
    for card in shown:
        holder: Any = ""
        if card.holder is not None:
            holder = {"key": "affiliates.list_holder", "params": {"name": card.holder.name}}
        lines.append(
            i18n.t(
                "affiliates.list_line",
                lang,
                id=card.id,
                username=card.username,
                shop=card.shop_name or "-",
                status=status_param(card.status),
                holder=holder,
            )
        )
    if not shown:
        lines.append(i18n.t("affiliates.list_empty", lang))
    else:
        lines.append(
            i18n.t("affiliates.list_page", lang, page=page + 1, pages=pages(listing.matching))
        )
    by_tab = {
        AccountFilter.ALL: counts.total,
        AccountFilter.AVAILABLE: counts.available,
        AccountFilter.ASSIGNED: counts.assigned,
        AccountFilter.SUSPENDED: counts.suspended,
        AccountFilter.INACTIVE: counts.inactive,
    }
    tabs = [
        button(
            i18n.t(
                "affiliates.tab_current" if tab is which else "affiliates.tab",
                lang,
                name={"key": f"affiliates.tab_{tab.value}"},
                count=by_tab[tab],
            ),
            ListCallback(within=tab, page=0),
        )
        for tab in TABS
    ]
    rows: list[list[InlineKeyboardButton]] = [tabs[:3], tabs[3:]]
    for card in shown:
        opened = OpenCallback(account_id=card.id, within=which, page=page)
        rows.append([button(_account_label(card, i18n, lang), opened)])
    turns = []
    if page > 0:
        turns.append(button("◀️", ListCallback(within=which, page=page - 1)))
    if page + 1 < pages(listing.matching):
        turns.append(button("▶️", ListCallback(within=which, page=page + 1)))
    if turns:
        rows.append(turns)
    rows.append(
        [
            button(i18n.t(f"affiliates.button_{tool.value}", lang), ToolCallback(tool=tool))
            for tool in Tool
        ]
    )
    if home is not None:
        rows.append(
            [InlineKeyboardButton(text=i18n.t("console.back_home", lang), callback_data=home)]
        )
    return "\n".join(lines), InlineKeyboardMarkup(inline_keyboard=rows)


class Screens:
    """The accounts screen's taps; `home` is the admin home's button data (the console's,
    handed in by the router: the console itself uses this area)."""

    def __init__(self, home: str | None) -> None:
        self.home = home

    async def accounts_command(self, call: AdminCall, affiliates: AffiliateService) -> None:
        """/accounts [filter]: the first page (registered with `admin_command`)."""
        which: AccountFilter = call.args
        text, markup = await list_screen(affiliates, which, 0, call.i18n, call.lang, self.home)
        await call.message.reply(text, reply_markup=markup)

    async def on_page(
        self,
        query: CallbackQuery,
        callback_data: ListCallback,
        affiliates: AffiliateService,
        admins: AdminGate,
        i18n: Translator,
        lang: str,
    ) -> None:
        if not await allowed(query, admins, i18n, lang):
            return
        await query.answer()
        which, page = callback_data.within, callback_data.page
        text, markup = await list_screen(affiliates, which, page, i18n, lang, self.home)
        await show(query, text, markup)

    async def on_open(
        self,
        query: CallbackQuery,
        callback_data: OpenCallback,
        affiliates: AffiliateService,
        admins: AdminGate,
        config: HandlerConfig,
        i18n: Translator,
        lang: str,
    ) -> None:
        if not await allowed(query, admins, i18n, lang):
            return
        back = ListCallback(within=callback_data.within, page=callback_data.page)
        try:
            card = await affiliates.card(callback_data.account_id)
        except AffiliateError as error:  # gone meanwhile: say so, and the list as it is now
            await query.answer(problem_text(error, i18n, lang), show_alert=True)
            text, markup = await list_screen(
                affiliates, back.within, back.page, i18n, lang, self.home
            )
            await show(query, text, markup)
            return
        await query.answer()
        await show(query, card_text(card, i18n, lang, config), card_markup(card, i18n, lang, back))


async def on_tool(
    query: CallbackQuery,
    callback_data: ToolCallback,
    state: FSMContext,
    bot: Bot,
    affiliates: AffiliateService,
    admins: AdminGate,
    config: HandlerConfig,
    clock: Clock,
    i18n: Translator,
    lang: str,
) -> None:
    """➕ Add, 📥 Import, 📤 Export: what the typed command does, under the list."""
    if not await allowed(query, admins, i18n, lang):
        return
    message = query.message
    if not isinstance(message, Message):
        await query.answer(i18n.t("error.stale_button", lang), show_alert=True)
        return
    tool = callback_data.tool
    if tool is Tool.EXPORT:
        await query.answer()
        await transfer.send_export(message, affiliates, config, clock, i18n, lang)
        return
    waiting = add.AddAccount.username if tool is Tool.ADD else transfer.ImportAccounts.waiting
    if await state.get_state() == waiting.state:  # a second tap: the question stands
        await query.answer(i18n.t(f"affiliates.{tool.value}_asked", lang), show_alert=True)
        return
    await query.answer()
    begin = add.begin if tool is Tool.ADD else transfer.begin
    await remember(state, await message.answer(await begin(state, i18n, lang)))
