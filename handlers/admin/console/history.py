"""The member card's history buttons: 💰 Ledger (what /ledger shows, then the payouts made
with day, amount, method and reference), 🧭 Leader history (what /leaderhistory shows)
and 📝 Reports (the member's reports, newest first), each paged in place with a way back
to the card. A page that no longer exists shows the last one, a member no longer there
says so."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from aiogram import Router
from aiogram.types import CallbackQuery, InlineKeyboardMarkup
from aiogram.utils.keyboard import InlineKeyboardBuilder

from domain.money import format_rupiah
from domain.states import LeaderSource, ReportStatus
from handlers.admin.console.callbacks import (
    History,
    HistoryCallback,
    MemberAction,
    MemberCallback,
)
from handlers.admin.console.home import show
from handlers.admin.ledger import balance_params
from handlers.common.admin_command import MESSAGE_BUDGET, shown_at, shown_day
from handlers.common.admins import AdminGate
from handlers.common.config import HandlerConfig
from handlers.common.filters import allowed
from handlers.common.review_card import REPORT_CARD, reason_param
from kernel.admin_input import AdminToolError, MemberRef
from kernel.dates import day_param
from kernel.i18n import Translator
from services.leaders import LeaderService
from services.ledger import LedgerService
from services.reports import ReportService, ReportView

PER_PAGE = 10


@dataclass(frozen=True, slots=True)
class HistoryPage:
    """One page of a history screen: its lines, which page it is of how many, and the
    buttons it adds above ⬅️ Card."""

    lines: list[str]
    page: int
    pages: int
    extra: list[tuple[str, str]] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class Sources:
    ledger: LedgerService
    leaders: LeaderService
    reports: ReportService
    config: HandlerConfig


HistoryScreen = Callable[[MemberRef, int, Sources, Translator, str], Awaitable[HistoryPage]]


def pages_of(total: int) -> int:
    return max(1, -(-total // PER_PAGE))


async def ledger_page(
    ref: MemberRef, page: int, sources: Sources, i18n: Translator, lang: str
) -> HistoryPage:
    """/ledger's balance (without the typed /payout hint: the screen has the button),
    then one page of the payouts made."""
    member = await sources.ledger.member_ledger(ref, page, PER_PAGE)
    params = balance_params(member.name, member.telegram_id, member.balance, hint="")
    lines = [
        i18n.t("ledger.balance", lang, **params),
        "",
    ]
    pages = pages_of(member.payout_count)
    if not member.payouts:
        lines.append(i18n.t("console.payouts_none", lang))
    else:
        lines.append(i18n.t("console.payouts_header", lang, count=member.payout_count))
    zone = sources.config.zone
    lines += [
        i18n.t(
            "console.payout_line",
            lang,
            id=paid.id,
            day=shown_day(paid.created_at, zone),
            amount=paid.amount,
            method=paid.method,
            reference=paid.reference or "-",
        )
        for paid in member.payouts
    ]
    extra = []
    if member.balance.available > 0:
        pay = MemberCallback(action=MemberAction.PAYOUT, member=member.telegram_id).pack()
        extra.append((i18n.t("console.button_payout", lang), pay))
    return HistoryPage(lines, member.page, pages, extra)


async def leaders_page(
    ref: MemberRef, page: int, sources: Sources, i18n: Translator, lang: str
) -> HistoryPage:
    """/leaderhistory, a page at a time."""
    member = await sources.leaders.history_of(ref)
    links = member.links
    if not links:
        none = i18n.t(
            "leader_admin.history_none", lang, name=member.name, telegram_id=member.telegram_id
        )
        return HistoryPage([none], 0, 1)
    pages = pages_of(len(links))
    page = min(page, pages - 1)
    lines = [
        i18n.t(
            "leader_admin.history_header",
            lang,
            name=member.name,
            telegram_id=member.telegram_id,
            count=len(links),
        )
    ]
    zone = sources.config.zone
    for link in links[page * PER_PAGE : (page + 1) * PER_PAGE]:
        by: Any = ""
        if link.source is LeaderSource.ADMIN and link.set_by is not None:
            by = {"key": "leader_admin.set_by", "params": {"by": link.set_by}}
        lines.append(
            i18n.t(
                "leader_admin.history_line",
                lang,
                leader=link.leader_name,
                leader_id=link.leader_telegram_id,
                since=shown_at(link.valid_from, zone),
                until=shown_at(link.valid_to, zone)
                if link.valid_to
                else {"key": "leader_admin.until_now"},
                source={"key": f"leader_admin.source_{link.source.value}"},
                by=by,
            )
        )
    return HistoryPage(lines, page, pages)


def report_line(view: ReportView, i18n: Translator, lang: str) -> str:
    """One report as /reports MEMBER lists it: day, status, the claim, and what was
    validated (and the member's share) or why it was rejected."""
    detail: Any = ""
    if view.status == ReportStatus.VALIDATED:
        share = format_rupiah(view.member_share) if view.member_share is not None else "-"
        detail = {
            "key": "reports_admin.history_validated",
            "params": {"validated": format_rupiah(view.validated_amount or 0), "share": share},
        }
    elif view.status == ReportStatus.REJECTED:
        detail = {
            "key": "reports_admin.history_rejected",
            "params": {"reason": reason_param(REPORT_CARD, view.reject_reason)},
        }
    return i18n.t(
        "reports_admin.history_line",
        lang,
        report=view.id,
        date=day_param(view.report_date),
        status={"key": f"reports_admin.status_{ReportStatus(view.status).value}"},
        claimed=format_rupiah(view.figures.commission),
        detail=detail,
    )


async def reports_page(
    ref: MemberRef, page: int, sources: Sources, i18n: Translator, lang: str
) -> HistoryPage:
    """The member's reports, newest day first, a page at a time."""
    member = await sources.reports.history_page(ref, page, PER_PAGE)
    if not member.reports:
        none = i18n.t(
            "reports_admin.history_none", lang, name=member.name, telegram_id=member.telegram_id
        )
        return HistoryPage([none], 0, 1)
    header = i18n.t(
        "console.reports_header",
        lang,
        name=member.name,
        telegram_id=member.telegram_id,
        count=member.total,
    )
    lines = [header] + [report_line(view, i18n, lang) for view in member.reports]
    return HistoryPage(lines, member.page, pages_of(member.total))


SCREENS: dict[History, HistoryScreen] = {
    History.LEDGER: ledger_page,
    History.LEADERS: leaders_page,
    History.REPORTS: reports_page,
}


def history_markup(
    view: History, member: int, shown: HistoryPage, i18n: Translator, lang: str
) -> InlineKeyboardMarkup:
    """◀️ ▶️ when there are other pages, the screen's own buttons, then ⬅️ Card."""
    builder = InlineKeyboardBuilder()
    sizes: list[int] = []
    turns: list[tuple[str, int]] = []
    if shown.page > 0:
        turns.append(("console.page_back", shown.page - 1))
    if shown.page + 1 < shown.pages:
        turns.append(("console.page_next", shown.page + 1))
    for key, target in turns:
        turn = HistoryCallback(view=view, member=member, page=target)
        builder.button(text=i18n.t(key, lang), callback_data=turn)
    if turns:
        sizes.append(len(turns))
    for text, data in shown.extra:
        builder.button(text=text, callback_data=data)
        sizes.append(1)
    card = MemberCallback(action=MemberAction.CARD, member=member)
    builder.button(text=i18n.t("console.back_card", lang), callback_data=card)
    builder.adjust(*sizes, 1)
    return builder.as_markup()


def history_text(shown: HistoryPage, i18n: Translator, lang: str) -> str:
    lines = list(shown.lines)
    if shown.pages > 1:
        lines.append(i18n.t("console.history_page", lang, page=shown.page + 1, pages=shown.pages))
    text = "\n".join(lines)
    if len(text) > MESSAGE_BUDGET:
        text = text[: MESSAGE_BUDGET - 1].rsplit("\n", 1)[0] + "\n…"
    return text


async def on_history(
    query: CallbackQuery,
    callback_data: HistoryCallback,
    admins: AdminGate,
    i18n: Translator,
    lang: str,
    ledger: LedgerService,
    leaders: LeaderService,
    reports: ReportService,
    config: HandlerConfig,
) -> None:
    if not await allowed(query, admins, i18n, lang):
        return
    view, member, page = callback_data.view, callback_data.member, callback_data.page
    sources = Sources(ledger, leaders, reports, config)
    try:
        shown = await SCREENS[view](MemberRef(telegram_id=member), page, sources, i18n, lang)
    except AdminToolError:
        await query.answer(i18n.t("console.member_gone", lang), show_alert=True)
        return
    if shown.page != page:  # fewer lines now, or a forged page: the last one instead
        await query.answer(i18n.t("console.history_page_gone", lang, page=shown.page + 1))
    else:
        await query.answer()
    markup = history_markup(view, member, shown, i18n, lang)
    await show(query, history_text(shown, i18n, lang), markup)


def register(router: Router) -> None:
    router.callback_query.register(on_history, HistoryCallback.filter())
