"""The member card screen: the /member card (profile, tier, memberships, payments) with
the member's reports and balance, leader and team, and affiliate account, and buttons
for what admins do to a member and for the member's history (history.py)."""

from __future__ import annotations

from dataclasses import dataclass

from aiogram.types import CallbackQuery, InlineKeyboardMarkup
from aiogram.utils.keyboard import InlineKeyboardBuilder

from domain.catalog import Plan
from domain.membership import MembershipStatus
from handlers.admin.console.callbacks import (
    ConsoleCallback,
    History,
    HistoryCallback,
    MemberAction,
    MemberCallback,
    Screen,
)
from handlers.admin.console.home import show
from handlers.admin.members import card_lines
from handlers.common.admin_command import MESSAGE_BUDGET
from handlers.common.config import HandlerConfig
from kernel.admin_input import AdminToolError, MemberRef
from kernel.i18n import Translator
from services.affiliates import AffiliateService
from services.leaders import LeaderService
from services.ledger import LedgerService
from services.members import FoundMember, MemberCard, MemberLookupService


@dataclass(frozen=True, slots=True)
class CardSources:
    """The services a member card reads (each in its own short transaction)."""

    member_lookup: MemberLookupService
    ledger: LedgerService
    leaders: LeaderService
    affiliates: AffiliateService
    config: HandlerConfig


async def found_or_none(member_lookup: MemberLookupService, telegram_id: int) -> FoundMember | None:
    """The member a console button names, or None when they are gone (the button is old)."""
    try:
        return await member_lookup.resolve(MemberRef(telegram_id=telegram_id))
    except AdminToolError:
        return None


def active_plans(card: MemberCard) -> list[Plan]:
    """The plan of each membership an admin may revoke: active, its time not run out."""
    return [
        line.plan
        for line in card.memberships
        if line.status is MembershipStatus.ACTIVE and not line.lapsed
    ]


async def card_screen(
    telegram_id: int, sources: CardSources, i18n: Translator, lang: str
) -> tuple[str, InlineKeyboardMarkup]:
    """The card of one member (raises MEMBER_NOT_FOUND when they are not known)."""
    card = await sources.member_lookup.member_card(MemberRef(telegram_id=telegram_id))
    lines = card_lines(card, i18n, lang, sources.config.zone)
    balance = await sources.ledger.balance_for(telegram_id)
    if balance is not None:
        lines += [
            "",
            i18n.t(
                "console.card_money",
                lang,
                validated=balance.validated_reports,
                pending=balance.pending_reports,
                share=balance.member_share,
                paid=balance.paid,
                available=balance.available,
            ),
        ]
    team = await sources.leaders.team(telegram_id)
    if team is not None:
        leader = team.leader if team.leader else {"key": "console.card_no_leader"}
        lines.append(i18n.t("console.card_team", lang, leader=leader, subs=len(team.subs)))
    account = await sources.affiliates.account_of(telegram_id)
    if account is None:
        lines.append(i18n.t("console.card_no_account", lang))
    else:
        lines.append(
            i18n.t(
                "console.card_account",
                lang,
                username=account.username,
                id=account.id,
                status={"key": f"affiliates.status_{account.shop_status.value}"},
            )
        )
    text = "\n".join(lines)
    if len(text) > MESSAGE_BUDGET:
        text = text[: MESSAGE_BUDGET - 1].rsplit("\n", 1)[0] + "\n…"
    return text, card_markup(telegram_id, i18n, lang)


async def already_done(
    query: CallbackQuery,
    toast: str,
    telegram_id: int,
    sources: CardSources,
    i18n: Translator,
    lang: str,
) -> None:
    """A second tap on a confirmation whose change is already true: say so kindly and show
    the card as it is now (or only say so when the member is gone)."""
    await query.answer(toast)
    try:
        text, markup = await card_screen(telegram_id, sources, i18n, lang)
    except AdminToolError:
        return
    await show(query, text, markup)


def card_markup(telegram_id: int, i18n: Translator, lang: str) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    for action in (
        MemberAction.GRANT,
        MemberAction.REVOKE,
        MemberAction.PAYOUT,
        MemberAction.LEADER,
        MemberAction.ACCOUNT,
    ):
        builder.button(
            text=i18n.t(f"console.button_{action.value}", lang),
            callback_data=MemberCallback(action=action, member=telegram_id),
        )
    for view in (History.LEDGER, History.REPORTS, History.LEADERS):
        builder.button(
            text=i18n.t(f"console.button_history_{view.value}", lang),
            callback_data=HistoryCallback(view=view, member=telegram_id),
        )
    builder.button(
        text=i18n.t("console.back_home", lang), callback_data=ConsoleCallback(screen=Screen.HOME)
    )
    builder.adjust(2, 3, 3, 1)
    return builder.as_markup()
