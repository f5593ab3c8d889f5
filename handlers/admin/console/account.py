"""🎫 Akun on the member card: the available affiliate accounts as buttons, then a
confirmation; the change is /assignaccount's (`AffiliateService.assign_to`, with its
refusals: not an active VIP, already holding one, the account taken meanwhile). A second
tap on the confirmation, the account already the member's, says so and shows the card."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from aiogram.utils.keyboard import InlineKeyboardBuilder

from domain.affiliates import AccountFilter
from handlers.admin.accounts.views import PROBLEMS as ACCOUNT_PROBLEMS
from handlers.admin.console.callbacks import (
    AccountCallback,
    AccountStep,
    ConsoleCallback,
    MemberAction,
    MemberCallback,
    Screen,
)
from handlers.admin.console.card import CardSources, already_done
from handlers.admin.console.home import show
from handlers.common.admin_command import ADMIN_PROBLEMS, actor, refusal_text
from handlers.common.admins import AdminGate
from handlers.common.config import HandlerConfig
from handlers.common.filters import allowed
from kernel.admin_input import AdminToolError, MemberRef
from kernel.i18n import Translator
from services.affiliates import AccountRef, AffiliateError, AffiliateService
from services.leaders import LeaderService
from services.ledger import LedgerService
from services.members import MemberLookupService

OFFERED = 8
PROBLEMS = {**ADMIN_PROBLEMS, **ACCOUNT_PROBLEMS}


def _markup(rows: list[tuple[str, str]], widths: list[int]) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    for text, data in rows:
        builder.button(text=text, callback_data=data)
    builder.adjust(*widths)
    return builder.as_markup()


def _to_card(member: int, i18n: Translator, lang: str) -> tuple[str, str]:
    data = MemberCallback(action=MemberAction.CARD, member=member).pack()
    return i18n.t("console.back_card", lang), data


async def choose_account(
    query: CallbackQuery,
    callback_data: MemberCallback,
    admins: AdminGate,
    i18n: Translator,
    lang: str,
    member_lookup: MemberLookupService,
    affiliates: AffiliateService,
) -> None:
    if not await allowed(query, admins, i18n, lang):
        return
    member = callback_data.member
    try:
        found = await member_lookup.resolve(MemberRef(telegram_id=member))
    except AdminToolError:
        await query.answer(i18n.t("console.member_gone", lang), show_alert=True)
        return
    await query.answer()
    back = _to_card(member, i18n, lang)
    held = await affiliates.account_of(member)
    if held is not None:
        text = i18n.t(
            "console.account_held", lang, name=found.name, username=held.username, id=held.id
        )
        await show(query, text, _markup([back], [1]))
        return
    available = await affiliates.list_accounts(AccountFilter.AVAILABLE, OFFERED)
    rows = [
        (
            i18n.t("console.account_button", lang, username=card.username, id=card.id),
            AccountCallback(step=AccountStep.CONFIRM, member=member, account=card.id).pack(),
        )
        for card in available.accounts
    ]
    key = "console.account_which" if rows else "console.account_none"
    text = i18n.t(key, lang, name=found.name, telegram_id=member, count=available.matching)
    await show(query, text, _markup([*rows, back], [1] * (len(rows) + 1)))


async def on_account(
    query: CallbackQuery,
    callback_data: AccountCallback,
    admins: AdminGate,
    i18n: Translator,
    lang: str,
    member_lookup: MemberLookupService,
    affiliates: AffiliateService,
    ledger: LedgerService,
    leaders: LeaderService,
    config: HandlerConfig,
) -> None:
    if not await allowed(query, admins, i18n, lang):
        return
    member, account = callback_data.member, callback_data.account
    back = _to_card(member, i18n, lang)
    try:
        found = await member_lookup.resolve(MemberRef(telegram_id=member))
        card = await affiliates.card(account)
    except (AdminToolError, AffiliateError):
        await query.answer(i18n.t("console.member_gone", lang), show_alert=True)
        return
    if callback_data.step is AccountStep.CONFIRM:
        await query.answer()
        text = i18n.t(
            "console.account_confirm",
            lang,
            username=card.username,
            id=card.id,
            name=found.name,
            telegram_id=member,
        )
        do = AccountCallback(step=AccountStep.DO, member=member, account=account).pack()
        cancel = (i18n.t("console.cancel", lang), back[1])
        await show(query, text, _markup([(i18n.t("console.account_do", lang), do), cancel], [1, 1]))
        return
    if not isinstance(query.message, Message):
        return
    try:
        done = await affiliates.assign_to(
            AccountRef(id=account), MemberRef(telegram_id=member), actor(query.from_user)
        )
    except (AffiliateError, AdminToolError) as error:
        held = await affiliates.account_of(member)
        if held is not None and held.id == account:  # a second tap: it is done already
            toast = i18n.t("console.account_already", lang, name=found.name, username=held.username)
            sources = CardSources(member_lookup, ledger, leaders, affiliates, config)
            await already_done(query, toast, member, sources, i18n, lang)
            return
        await query.answer()
        await show(query, refusal_text(error, i18n, lang, PROBLEMS) or "", _markup([back], [1]))
        return
    await query.answer(i18n.t("console.done", lang))
    text = i18n.t(
        "affiliates.assigned",
        lang,
        username=done.account.username,
        id=done.account.id,
        name=done.member.name,
        telegram_id=done.member.telegram_id,
    )
    home = (i18n.t("console.back_home", lang), ConsoleCallback(screen=Screen.HOME).pack())
    await show(query, text, _markup([back, home], [1, 1]))


def register(router: Router) -> None:
    giving = MemberCallback.filter(F.action == MemberAction.ACCOUNT)
    router.callback_query.register(choose_account, giving)
    router.callback_query.register(on_account, AccountCallback.filter())
