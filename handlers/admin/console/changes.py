"""Granting and revoking a plan from the member card, with buttons: the plan (plans on
sale to grant, the member's active plans to revoke), the reason (three common ones, or
typed), then a confirmation that names all of it. The change itself is the typed
commands' (`MembershipService.grant` / `.revoke`), with their refusals.

A confirmation acts once: taps on it are handled one at a time and the first that acts
marks it used, so a double tap or a second admin is told it was done already."""

from __future__ import annotations

from typing import Any

from aiogram import Bot, F, Router
from aiogram.filters import StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.fsm.storage.base import BaseStorage
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from aiogram.utils.keyboard import InlineKeyboardBuilder

from domain.catalog import Plan
from handlers.admin.console.callbacks import (
    Change,
    ChangeCallback,
    ChangeStep,
    ConsoleCallback,
    MemberAction,
    MemberCallback,
    Reason,
    Screen,
)
from handlers.admin.console.card import active_plans, found_or_none
from handlers.admin.console.home import show
from handlers.admin.console.memo import ConsoleMemo
from handlers.admin.members import granted_text, revoked_text
from handlers.common.admin_command import ADMIN_PROBLEMS, actor, refusal_text
from handlers.common.admins import AdminGate
from handlers.common.asked import answer_of, ask
from handlers.common.config import HandlerConfig
from handlers.common.filters import allowed
from handlers.common.locks import MemberLocks
from kernel.admin_input import MAX_REASON, AdminToolError, MemberRef
from kernel.i18n import Translator
from kernel.names import plan_name
from services.catalog import CatalogService
from services.members import MemberLookupService
from services.memberships import MembershipService

REASONS = "reason"  # typed reasons, by the confirmation that shows them
DONE = "done"  # confirmations used, by message
PRESETS = (Reason.OUTSIDE, Reason.GIFT, Reason.FIX)
# One confirmation at a time per message (in this process; see the module doc).
CONFIRMING = MemberLocks()


class ReasonTyping(StatesGroup):
    writing = State()


def _data(change: Change, step: ChangeStep, member: int, plan: int, reason: Reason) -> str:
    return ChangeCallback(change=change, step=step, member=member, plan=plan, reason=reason).pack()


def _to_card(member: int) -> str:
    return MemberCallback(action=MemberAction.CARD, member=member).pack()


Rows = list[list[tuple[str, str]]]  # (label, callback data) per button, row by row


def _markup(rows: Rows) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    for row in rows:
        for text, data in row:
            builder.button(text=text, callback_data=data)
    builder.adjust(*[len(row) for row in rows])
    return builder.as_markup()


async def choose_plan(
    query: CallbackQuery,
    callback_data: MemberCallback,
    admins: AdminGate,
    i18n: Translator,
    lang: str,
    member_lookup: MemberLookupService,
    catalog: CatalogService,
    fsm_storage: BaseStorage,
    bot: Bot,
) -> None:
    """Grant: the plans on sale; revoke: the plans the member holds now. A new change
    begins on this (edited) screen: the earlier one's "done" no longer applies to it."""
    if not await allowed(query, admins, i18n, lang):
        return
    if isinstance(query.message, Message):
        memo = ConsoleMemo(fsm_storage, bot.id, query.message.chat.id)
        await memo.forget(DONE, query.message.message_id)
    member = callback_data.member
    try:
        card = await member_lookup.member_card(MemberRef(telegram_id=member))
    except AdminToolError:
        await query.answer(i18n.t("console.member_gone", lang), show_alert=True)
        return
    change = Change.GRANT if callback_data.action is MemberAction.GRANT else Change.REVOKE
    if change is Change.GRANT:
        plans = [row.plan for row in await catalog.plans() if row.on_sale]
    else:
        plans = active_plans(card)
    if not plans:
        await query.answer(i18n.t(f"console.{change.value}_no_plans", lang), show_alert=True)
        return
    await query.answer()
    rows: Rows = [
        [
            (
                i18n.t("console.plan_button", lang, plan=plan_name(plan)),
                _data(change, ChangeStep.REASON, member, plan.id, Reason.NONE),
            )
        ]
        for plan in plans
    ]
    rows.append([(i18n.t("console.back_card", lang), _to_card(member))])
    text = i18n.t(f"console.{change.value}_which", lang, name=card.name, telegram_id=member)
    await show(query, text, _markup(rows))


async def _plan(catalog: CatalogService, plan_id: int) -> Plan | None:
    return next((row.plan for row in await catalog.plans() if row.plan.id == plan_id), None)


def _reason_text(reason: Reason, i18n: Translator, config: HandlerConfig) -> str:
    """A preset reason as it is recorded and told to the member (the group's language)."""
    return str(i18n.t(f"console.reason_{reason.value}", config.default_language))


async def on_step(
    query: CallbackQuery,
    callback_data: ChangeCallback,
    admins: AdminGate,
    i18n: Translator,
    lang: str,
    state: FSMContext,
    member_lookup: MemberLookupService,
    catalog: CatalogService,
    memberships: MembershipService,
    config: HandlerConfig,
    fsm_storage: BaseStorage,
    bot: Bot,
) -> None:
    if not await allowed(query, admins, i18n, lang):
        return
    message = query.message
    data = callback_data
    plan = await _plan(catalog, data.plan)
    found = await found_or_none(member_lookup, data.member)
    if plan is None or found is None or not isinstance(message, Message):
        await query.answer(i18n.t("console.member_gone", lang), show_alert=True)
        return
    memo = ConsoleMemo(fsm_storage, bot.id, message.chat.id)
    names = {"name": found.name, "telegram_id": found.telegram_id, "plan": plan_name(plan)}
    back = (i18n.t("console.back_card", lang), _to_card(data.member))
    if data.step is ChangeStep.REASON:
        await query.answer()
        rows: Rows = [
            [
                (
                    i18n.t(f"console.reason_{reason.value}", lang),
                    _data(data.change, ChangeStep.CONFIRM, data.member, data.plan, reason),
                )
            ]
            for reason in PRESETS
        ]
        write = _data(data.change, ChangeStep.WRITE, data.member, data.plan, Reason.NONE)
        rows.append([(i18n.t("console.reason_write", lang), write)])
        rows.append([back])
        await show(query, i18n.t(f"console.{data.change.value}_why", lang, **names), _markup(rows))
        return
    if data.step is ChangeStep.WRITE:
        await query.answer()
        await ask(
            state,
            ReasonTyping.writing,
            message,
            change=data.change.value,
            member=data.member,
            plan=data.plan,
        )
        text = i18n.t("console.reason_prompt", lang, max=MAX_REASON, **names)
        await show(query, text, _markup([[back]]))
        return
    if data.reason is Reason.TYPED:
        reason = await memo.recall(REASONS, message.message_id)
    elif data.reason is Reason.NONE:
        reason = None
    else:
        reason = _reason_text(data.reason, i18n, config)
    if reason is None:
        await query.answer(i18n.t("error.stale_button", lang), show_alert=True)
        return
    if data.step is ChangeStep.CONFIRM:
        await query.answer()
        text, markup = confirm_screen(data, reason, names, i18n, lang)
        await show(query, text, markup)
        return
    await act(query, message, data, plan.code, reason, memberships, memo, i18n, lang, config)


def confirm_screen(
    data: ChangeCallback, reason: str, names: dict[str, Any], i18n: Translator, lang: str
) -> tuple[str, InlineKeyboardMarkup]:
    text = i18n.t(f"console.{data.change.value}_confirm", lang, reason=reason, **names)
    do = _data(data.change, ChangeStep.DO, data.member, data.plan, data.reason)
    rows: Rows = [
        [(i18n.t(f"console.{data.change.value}_do", lang), do)],
        [(i18n.t("console.cancel", lang), _to_card(data.member))],
    ]
    return text, _markup(rows)


async def act(
    query: CallbackQuery,
    message: Message,
    data: ChangeCallback,
    plan: str,
    reason: str,
    memberships: MembershipService,
    memo: ConsoleMemo,
    i18n: Translator,
    lang: str,
    config: HandlerConfig,
) -> None:
    """The confirmed change, once per confirmation (see the module doc)."""
    async with CONFIRMING.hold(message.message_id):
        if await memo.recall(DONE, message.message_id) is not None:
            await query.answer(i18n.t("console.already_done", lang), show_alert=True)
            return
        ref, who = MemberRef(telegram_id=data.member), actor(query.from_user)
        try:
            if data.change is Change.GRANT:
                granted = await memberships.grant(ref, plan, reason, who)
                text = granted_text(granted, reason, i18n, lang, config.zone)
            else:
                revoked = await memberships.revoke(ref, plan, reason, who)
                text = revoked_text(revoked, reason, i18n, lang)
        except AdminToolError as error:
            await query.answer()
            problem = refusal_text(error, i18n, lang, ADMIN_PROBLEMS) or ""
            back: Rows = [[(i18n.t("console.back_card", lang), _to_card(data.member))]]
            await show(query, problem, _markup(back))
            return
        await memo.remember(DONE, message.message_id, who.name)
    await query.answer(i18n.t("console.done", lang))
    rows: Rows = [
        [(i18n.t("console.back_card", lang), _to_card(data.member))],
        [(i18n.t("console.back_home", lang), ConsoleCallback(screen=Screen.HOME).pack())],
    ]
    await show(query, text, _markup(rows))


async def typed_reason(
    message: Message,
    state: FSMContext,
    admins: AdminGate,
    i18n: Translator,
    lang: str,
    member_lookup: MemberLookupService,
    catalog: CatalogService,
    fsm_storage: BaseStorage,
    bot: Bot,
) -> None:
    typed = await answer_of(message, state, admins, i18n, lang, "console.reason_cancelled")
    if typed is None:
        return
    reason, asked = (typed[0] or "").strip(), typed[1]
    if not reason or len(reason) > MAX_REASON:
        await message.reply(i18n.t("console.reason_text_only", lang, max=MAX_REASON))
        return
    await state.clear()
    change = Change(asked["change"])
    data = ChangeCallback(
        change=change,
        step=ChangeStep.CONFIRM,
        member=int(asked["member"]),
        plan=int(asked["plan"]),
        reason=Reason.TYPED,
    )
    plan = await _plan(catalog, data.plan)
    found = await found_or_none(member_lookup, data.member)
    if plan is None or found is None:
        await message.reply(i18n.t("console.member_gone", lang))
        return
    names = {"name": found.name, "telegram_id": found.telegram_id, "plan": plan_name(plan)}
    screen, markup = confirm_screen(data, reason, names, i18n, lang)
    sent = await message.reply(screen, reply_markup=markup)
    await ConsoleMemo(fsm_storage, bot.id, message.chat.id).remember(
        REASONS, sent.message_id, reason
    )


def register(router: Router) -> None:
    router.message.register(typed_reason, StateFilter(ReasonTyping.writing))
    router.callback_query.register(
        choose_plan,
        MemberCallback.filter(F.action.in_({MemberAction.GRANT, MemberAction.REVOKE})),
    )
    router.callback_query.register(on_step, ChangeCallback.filter())
