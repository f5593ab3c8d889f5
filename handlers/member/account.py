"""/balance and /team in private chat: what a member earned, and their referral team
(SPEC "Balances and payouts", "Leaders")."""

from __future__ import annotations

from typing import Any

from aiogram import Bot, F, Router
from aiogram.filters import Command
from aiogram.types import CallbackQuery, Message
from aiogram.utils.keyboard import InlineKeyboardBuilder

from domain.money import format_rupiah
from domain.states import ReportStatus
from handlers.common.callbacks import MenuAction, MenuCallback
from kernel.dates import day_param
from kernel.i18n import Translator
from services.leaders import LeaderService
from services.reports import ReportService, ReportView, reason_param

LATEST_REPORTS = 5


async def _reply(event: Message | CallbackQuery, text: str, markup: Any = None) -> None:
    """Answer a command with a message, a tap with a new message under it (only under a
    message the bot can still reach: unlike handlers.common.replies.reply, nothing is
    sent under an inaccessible one)."""
    if isinstance(event, CallbackQuery):
        await event.answer()
        if isinstance(event.message, Message):
            await event.message.answer(text, reply_markup=markup)
    else:
        await event.answer(text, reply_markup=markup)


def _back(i18n: Translator, lang: str) -> Any:
    builder = InlineKeyboardBuilder()
    builder.button(
        text=i18n.t("balance.report_button", lang),
        callback_data=MenuCallback(action=MenuAction.REPORT),
    )
    builder.button(
        text=i18n.t("balance.menu_button", lang), callback_data=MenuCallback(action=MenuAction.HOME)
    )
    builder.adjust(1)
    return builder.as_markup()


def report_line(view: ReportView, i18n: Translator, lang: str) -> str:
    day = day_param(view.report_date)
    claimed = format_rupiah(view.figures.commission)
    if view.status == ReportStatus.VALIDATED:
        amount = view.validated_amount if view.validated_amount is not None else 0
        share = view.member_share
        if share:
            return i18n.t(
                "balance.line_validated_share",
                lang,
                date=day,
                amount=format_rupiah(amount),
                share=format_rupiah(share),
            )
        return i18n.t("balance.line_validated", lang, date=day, amount=format_rupiah(amount))
    if view.status == ReportStatus.REJECTED:
        return i18n.t(
            "balance.line_rejected", lang, date=day, reason=reason_param(view.reject_reason or "-")
        )
    return i18n.t("balance.line_submitted", lang, date=day, amount=claimed)


async def show_balance(
    event: Message | CallbackQuery,
    reports: ReportService,
    i18n: Translator,
    lang: str,
) -> None:
    assert event.from_user is not None
    screen = await reports.balance_with_latest(event.from_user.id, LATEST_REPORTS)
    if screen is None:
        await _reply(event, i18n.t("balance.not_registered", lang))
        return
    balance = screen.balance
    lines = [
        i18n.t(
            "balance.summary",
            lang,
            reports=balance.validated_reports,
            total=format_rupiah(balance.total_commission),
            share=format_rupiah(balance.member_share),
            pending=balance.pending_reports,
            pending_amount=format_rupiah(balance.pending_claimed),
            paid=format_rupiah(balance.paid),
            available=format_rupiah(balance.available),
        )
    ]
    if balance.leader_share:
        lines.append(
            i18n.t("balance.leader_line", lang, amount=format_rupiah(balance.leader_share))
        )
    if balance.corrections:
        lines.append(
            i18n.t("balance.corrections_line", lang, amount=format_rupiah(balance.corrections))
        )
    latest = screen.latest
    lines.append("")
    if latest:
        lines.append(i18n.t("balance.latest_title", lang))
        lines.extend(report_line(view, i18n, lang) for view in latest)
    else:
        lines.append(i18n.t("balance.no_reports", lang))
    await _reply(event, "\n".join(lines), _back(i18n, lang))


async def show_team(
    event: Message | CallbackQuery,
    bot: Bot,
    leaders: LeaderService,
    i18n: Translator,
    lang: str,
) -> None:
    assert event.from_user is not None
    team = await leaders.team(event.from_user.id)
    if team is None:
        await _reply(event, i18n.t("team.not_registered", lang))
        return
    me = await bot.me()
    link = f"https://t.me/{me.username}?start=ref_{team.referral_code}"
    lines = [i18n.t("team.title", lang), i18n.t("team.link", lang, link=link)]
    if team.leader:
        lines.append(i18n.t("team.my_leader", lang, leader=team.leader))
    lines.append("")
    if not team.subs:
        lines.append(i18n.t("team.no_subs", lang))
    else:
        lines.append(i18n.t("team.subs_title", lang, count=len(team.subs)))
        for sub in team.subs:
            tier: Any = {"key": f"tier.{sub.tier.code}"} if sub.tier else {"key": "team.no_tier"}
            lines.append(
                i18n.t(
                    "team.sub_line",
                    lang,
                    name=sub.name,
                    tier=tier,
                    reports=sub.reports_this_month,
                    share=format_rupiah(sub.leader_share),
                )
            )
    if team.subs or team.leader_share_total:
        lines.append("")
        lines.append(i18n.t("team.total", lang, amount=format_rupiah(team.leader_share_total)))
    builder = InlineKeyboardBuilder()
    builder.button(
        text=i18n.t("balance.menu_button", lang), callback_data=MenuCallback(action=MenuAction.HOME)
    )
    await _reply(event, "\n".join(lines), builder.as_markup())


def build_router() -> Router:
    router = Router(name="account")
    router.message.filter(F.chat.type == "private")
    router.callback_query.filter(F.message.chat.type == "private")
    router.message.register(show_balance, Command("balance"))
    router.message.register(show_team, Command("team"))
    router.callback_query.register(
        show_balance, MenuCallback.filter(F.action == MenuAction.BALANCE)
    )
    router.callback_query.register(show_team, MenuCallback.filter(F.action == MenuAction.TEAM))
    return router
