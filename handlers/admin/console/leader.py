"""🧭 Leader on the member card: the admin types who the new leader is (a name,
@username or id, found as the member search finds members), picks them from the
buttons when several match, and confirms; or removes the leader. The change is
/setleader's (`LeaderService.set_leader_of`, with its refusals: themselves, a loop,
the same leader), so a second tap on a confirmation changes nothing: it says the leader
already is the one asked (or already is no longer there) and shows the card."""

from __future__ import annotations

from typing import Any

from aiogram import F, Router
from aiogram.filters import StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from aiogram.utils.keyboard import InlineKeyboardBuilder

from handlers.admin.console.callbacks import (
    ConsoleCallback,
    LeaderCallback,
    LeaderStep,
    MemberAction,
    MemberCallback,
    Screen,
)
from handlers.admin.console.card import CardSources, already_done
from handlers.admin.console.home import show, show_again
from handlers.admin.console.search import PER_PAGE, QUERY_MAX
from handlers.common.admin_command import ADMIN_PROBLEMS, actor, refusal_text, shown_at
from handlers.common.admins import AdminGate
from handlers.common.asked import answer_of, ask
from handlers.common.config import HandlerConfig
from handlers.common.filters import allowed
from kernel.admin_input import AdminToolError, MemberRef
from kernel.i18n import Translator
from services.affiliates import AffiliateService
from services.leaders import LeaderService, LeaderServiceError
from services.ledger import LedgerService
from services.members import MemberLookupService

PROBLEMS: Any = {**ADMIN_PROBLEMS, LeaderServiceError: "leader_admin.problem_{problem}"}


class LeaderTyping(StatesGroup):
    search = State()


Rows = list[tuple[str, str]]


def _markup(rows: Rows) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    for text, data in rows:
        builder.button(text=text, callback_data=data)
    builder.adjust(1)
    return builder.as_markup()


def _back(member: int, i18n: Translator, lang: str) -> tuple[str, str]:
    data = MemberCallback(action=MemberAction.CARD, member=member).pack()
    return i18n.t("console.back_card", lang), data


async def ask_leader(
    query: CallbackQuery,
    callback_data: MemberCallback,
    admins: AdminGate,
    i18n: Translator,
    lang: str,
    state: FSMContext,
    member_lookup: MemberLookupService,
    leaders: LeaderService,
) -> None:
    if not await allowed(query, admins, i18n, lang):
        return
    member = callback_data.member
    team = await leaders.team(member)
    if team is None or not isinstance(query.message, Message):
        await query.answer(i18n.t("console.member_gone", lang), show_alert=True)
        return
    found = await member_lookup.resolve(MemberRef(telegram_id=member))
    await query.answer()
    await ask(state, LeaderTyping.search, query.message, member=member)
    rows: Rows = []
    if team.leader is not None:
        remove = LeaderCallback(step=LeaderStep.REMOVE, member=member).pack()
        rows.append((i18n.t("console.leader_remove", lang), remove))
    rows.append(_back(member, i18n, lang))
    leader = team.leader or {"key": "console.card_no_leader"}
    text = i18n.t("console.leader_ask", lang, name=found.name, leader=leader)
    await show(query, text, _markup(rows))


async def typed_leader(
    message: Message,
    state: FSMContext,
    admins: AdminGate,
    i18n: Translator,
    lang: str,
    member_lookup: MemberLookupService,
) -> None:
    typed = await answer_of(message, state, admins, i18n, lang, "console.leader_cancelled")
    if typed is None:
        return
    text, asked = " ".join((typed[0] or "").split()), typed[1]
    if typed[0] is None or len(text) < 2 or len(text) > QUERY_MAX:
        await message.reply(i18n.t("console.search_text_only", lang, max=QUERY_MAX))
        return
    member = int(asked["member"])
    try:
        found = await member_lookup.search(text, 0, PER_PAGE)
    except AdminToolError as error:
        await message.reply(refusal_text(error, i18n, lang, PROBLEMS) or "")
        return
    candidates = [m for m in found.members if m.telegram_id != member]
    if not candidates:
        await message.reply(i18n.t("console.search_none", lang, query=text))
        return
    await state.clear()
    rows: Rows = [
        (
            i18n.t(
                "console.result_button",
                lang,
                name=m.name,
                username=f" · @{m.username}" if m.username else "",
                telegram_id=m.telegram_id,
            ),
            LeaderCallback(step=LeaderStep.PICK, member=member, leader=m.telegram_id).pack(),
        )
        for m in candidates
    ]
    rows.append(_back(member, i18n, lang))
    more = found.total > len(found.members)
    screen = i18n.t("console.leader_pick", lang, query=text, more="…" if more else "")
    await show_again(message, int(asked["screen"]), screen, _markup(rows))


async def _leader_now(leaders: LeaderService, member: int) -> int | None:
    """The Telegram id of the member's leader now (0: none; None: the member is gone)."""
    try:
        found = await leaders.history_of(MemberRef(telegram_id=member))
    except AdminToolError:
        return None
    current = next((link for link in found.links if link.valid_to is None), None)
    return 0 if current is None else current.leader_telegram_id


async def on_leader(
    query: CallbackQuery,
    callback_data: LeaderCallback,
    admins: AdminGate,
    i18n: Translator,
    lang: str,
    member_lookup: MemberLookupService,
    leaders: LeaderService,
    config: HandlerConfig,
    ledger: LedgerService,
    affiliates: AffiliateService,
) -> None:
    if not await allowed(query, admins, i18n, lang):
        return
    member, leader = callback_data.member, callback_data.leader
    back = _back(member, i18n, lang)
    try:
        found = await member_lookup.resolve(MemberRef(telegram_id=member))
        chosen = await member_lookup.resolve(MemberRef(telegram_id=leader)) if leader else None
    except AdminToolError:
        await query.answer(i18n.t("console.member_gone", lang), show_alert=True)
        return
    if callback_data.step is not LeaderStep.DO:
        await query.answer()
        if chosen is None:
            text = i18n.t("console.leader_remove_confirm", lang, name=found.name)
        else:
            text = i18n.t("console.leader_confirm", lang, name=found.name, leader=chosen.name)
        do = LeaderCallback(step=LeaderStep.DO, member=member, leader=leader).pack()
        cancel = (i18n.t("console.cancel", lang), back[1])
        await show(query, text, _markup([(i18n.t("console.leader_do", lang), do), cancel]))
        return
    ref = MemberRef(telegram_id=leader) if leader else None
    try:
        change = await leaders.set_leader_of(
            MemberRef(telegram_id=member), ref, actor(query.from_user)
        )
    except (LeaderServiceError, AdminToolError) as error:
        if isinstance(error, LeaderServiceError) and await _leader_now(leaders, member) == leader:
            # A second tap: the leader already is (or already is no longer) the one asked.
            if chosen is None:
                toast = i18n.t("console.leader_already_removed", lang, name=found.name)
            else:
                toast = i18n.t(
                    "console.leader_already_set", lang, name=found.name, leader=chosen.name
                )
            sources = CardSources(member_lookup, ledger, leaders, affiliates, config)
            await already_done(query, toast, member, sources, i18n, lang)
            return
        await query.answer()
        await show(query, refusal_text(error, i18n, lang, PROBLEMS) or "", _markup([back]))
        return
    await query.answer(i18n.t("console.done", lang))
    key = "leader_admin.changed"
    if change.new_leader is None:
        key = "leader_admin.removed"
    elif change.old_leader is None:
        key = "leader_admin.assigned"
    text = i18n.t(
        key,
        lang,
        name=change.member_name,
        telegram_id=change.member_telegram_id,
        old=change.old_leader or "-",
        new=change.new_leader or "-",
        at=shown_at(change.at, config.zone),
    )
    home = (i18n.t("console.back_home", lang), ConsoleCallback(screen=Screen.HOME).pack())
    await show(query, text, _markup([back, home]))


def register(router: Router) -> None:
    router.message.register(typed_leader, StateFilter(LeaderTyping.search))
    choosing = MemberCallback.filter(F.action == MemberAction.LEADER)
    router.callback_query.register(ask_leader, choosing)
    router.callback_query.register(on_leader, LeaderCallback.filter())
