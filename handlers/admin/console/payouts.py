"""Paying a member out from their card, with buttons: the amount (everything available,
or typed), the method (those of earlier payouts as buttons, or typed), the reference
(typed, or none), then a confirmation naming all of it. The payment is the typed
/payout's (`LedgerService.payout_to`, with its refusals), keyed by the confirmation
message, so a second tap, a second admin or a replayed update pays once.

What was chosen so far is remembered with the screen (memo.py), one payout per screen;
a screen whose choices are forgotten, or a button naming another member, is stale."""

from __future__ import annotations

import json
import secrets
import zlib
from typing import Any

from aiogram import Bot, F, Router
from aiogram.filters import StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.fsm.storage.base import BaseStorage
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from aiogram.utils.keyboard import InlineKeyboardBuilder

from domain.money import format_rupiah
from domain.payouts import MAX_PAYOUT_METHOD, MAX_PAYOUT_REFERENCE
from handlers.admin.console.callbacks import (
    ConsoleCallback,
    MemberAction,
    MemberCallback,
    PayCallback,
    PayStep,
    Screen,
)
from handlers.admin.console.card import found_or_none
from handlers.admin.console.home import show, show_again
from handlers.admin.console.memo import ConsoleMemo
from handlers.admin.ledger import payout_amount
from handlers.common.admin_command import (
    ADMIN_PROBLEMS,
    AdminCall,
    ReplyInstead,
    actor,
    refusal_text,
)
from handlers.common.admins import AdminGate
from handlers.common.asked import answer_of, ask
from handlers.common.filters import allowed
from kernel.admin_input import AdminToolError, MemberRef
from kernel.i18n import Translator
from services.ledger import LedgerService, LedgerServiceError
from services.members import MemberLookupService

PAYOUTS = "payout"  # what was chosen, by screen
METHODS_OFFERED = 6
PROBLEMS: Any = {**ADMIN_PROBLEMS, LedgerServiceError: "payout.problem_{problem}"}


class PayTyping(StatesGroup):
    amount = State()
    method = State()
    reference = State()


# member, name, token, amount (rupiah; with all=True when it was "everything available"),
# method, reference, methods
Flow = dict[str, Any]


def _button(builder: InlineKeyboardBuilder, text: str, data: Any) -> None:
    builder.button(text=text, callback_data=data)


def _way_back(builder: InlineKeyboardBuilder, member: int, i18n: Translator, lang: str) -> None:
    card = MemberCallback(action=MemberAction.CARD, member=member)
    _button(builder, i18n.t("console.back_card", lang), card)


def _amount_shown(flow: Flow, available: int, i18n: Translator, lang: str) -> str:
    if flow.get("all"):
        return str(i18n.t("console.pay_all_amount", lang, available=int(flow["amount"])))
    return format_rupiah(int(flow["amount"]))


def _everything(flow: Flow, available: int) -> None:
    """ "All": the balance as it is now, fixed, so what is paid is what the admin saw (a
    commission validated meanwhile is not paid without being shown)."""
    flow["amount"], flow["all"] = available, True


def fingerprint(flow: Flow) -> int:
    """What the confirmation shows (amount, method, reference), as a number carried by its
    button: a confirmation drawn before the flow changed pays nothing."""
    shown = f"{flow.get('amount')}|{flow.get('method')}|{flow.get('reference')}"
    return zlib.crc32(shown.encode()) & 0x7FFFFFFF


class PayScreens:
    """The screens of one payout, drawn from what was chosen so far."""

    def __init__(self, flow: Flow, i18n: Translator, lang: str) -> None:
        self.flow, self.i18n, self.lang = flow, i18n, lang
        self.member = int(flow["member"])

    def _data(self, step: PayStep, choice: int = 0) -> PayCallback:
        return PayCallback(step=step, member=self.member, choice=choice)

    def amount(self, available: int) -> tuple[str, InlineKeyboardMarkup]:
        t, lang = self.i18n.t, self.lang
        builder = InlineKeyboardBuilder()
        everything = t("console.pay_all_button", lang, available=available)
        _button(builder, everything, self._data(PayStep.ALL))
        _button(builder, t("console.pay_write_amount", lang), self._data(PayStep.AMOUNT))
        _way_back(builder, self.member, self.i18n, lang)
        builder.adjust(1)
        text = t(
            "console.pay_amount",
            lang,
            name=self.flow["name"],
            telegram_id=self.member,
            available=available,
        )
        return text, builder.as_markup()

    def method(self, available: int) -> tuple[str, InlineKeyboardMarkup]:
        t, lang = self.i18n.t, self.lang
        builder = InlineKeyboardBuilder()
        for index, method in enumerate(self.flow.get("methods") or []):
            _button(builder, method, self._data(PayStep.METHOD, index))
        _button(builder, t("console.pay_write_method", lang), self._data(PayStep.WRITE_METHOD))
        _way_back(builder, self.member, self.i18n, lang)
        builder.adjust(1)
        amount = _amount_shown(self.flow, available, self.i18n, lang)
        text = t("console.pay_method", lang, name=self.flow["name"], amount=amount)
        return text, builder.as_markup()

    def reference(self, available: int) -> tuple[str, InlineKeyboardMarkup]:
        t, lang = self.i18n.t, self.lang
        builder = InlineKeyboardBuilder()
        _button(builder, t("console.pay_no_reference", lang), self._data(PayStep.NO_REFERENCE))
        _button(builder, t("console.pay_write_reference", lang), self._data(PayStep.REFERENCE))
        _way_back(builder, self.member, self.i18n, lang)
        builder.adjust(1)
        amount = _amount_shown(self.flow, available, self.i18n, lang)
        text = t(
            "console.pay_reference",
            lang,
            name=self.flow["name"],
            amount=amount,
            method=self.flow["method"],
        )
        return text, builder.as_markup()

    def confirm(self, available: int) -> tuple[str, InlineKeyboardMarkup]:
        t, lang = self.i18n.t, self.lang
        builder = InlineKeyboardBuilder()
        _button(builder, t("console.pay_do", lang), self._data(PayStep.DO, fingerprint(self.flow)))
        card = MemberCallback(action=MemberAction.CARD, member=self.member)
        _button(builder, t("console.cancel", lang), card)
        builder.adjust(1)
        text = t(
            "console.pay_confirm",
            lang,
            name=self.flow["name"],
            telegram_id=self.member,
            amount=_amount_shown(self.flow, available, self.i18n, lang),
            method=self.flow["method"],
            reference=self.flow.get("reference") or "-",
        )
        return text, builder.as_markup()


async def _recall(memo: ConsoleMemo, message_id: int, member: int) -> Flow | None:
    kept = await memo.recall(PAYOUTS, message_id)
    flow: Flow | None = json.loads(kept) if kept else None
    return flow if flow is not None and flow.get("member") == member else None


async def _keep(memo: ConsoleMemo, message_id: int, flow: Flow) -> None:
    await memo.remember(PAYOUTS, message_id, json.dumps(flow))


async def _available(ledger: LedgerService, member: int) -> int | None:
    balance = await ledger.balance_for(member)
    return None if balance is None else balance.available


async def start_payout(
    query: CallbackQuery,
    callback_data: MemberCallback,
    admins: AdminGate,
    i18n: Translator,
    lang: str,
    ledger: LedgerService,
    member_lookup: MemberLookupService,
    fsm_storage: BaseStorage,
    bot: Bot,
) -> None:
    if not await allowed(query, admins, i18n, lang):
        return
    member = callback_data.member
    found = await found_or_none(member_lookup, member)
    available = await _available(ledger, member)
    if found is None or available is None or not isinstance(query.message, Message):
        await query.answer(i18n.t("console.member_gone", lang), show_alert=True)
        return
    if available <= 0:
        text = i18n.t("payout.problem_nothing_available", lang, name=found.name)
        await query.answer(text, show_alert=True)
        return
    await query.answer()
    # The token tells this payout from a later one started on the same (edited) screen:
    # a double tap of one confirmation pays once, a second payout is a new one.
    flow: Flow = {"member": member, "name": found.name, "token": secrets.token_hex(4)}
    memo = ConsoleMemo(fsm_storage, bot.id, query.message.chat.id)
    await _keep(memo, query.message.message_id, flow)
    text, markup = PayScreens(flow, i18n, lang).amount(available)
    await show(query, text, markup)


async def on_pay(
    query: CallbackQuery,
    callback_data: PayCallback,
    admins: AdminGate,
    i18n: Translator,
    lang: str,
    state: FSMContext,
    ledger: LedgerService,
    fsm_storage: BaseStorage,
    bot: Bot,
) -> None:
    if not await allowed(query, admins, i18n, lang):
        return
    message, step, member = query.message, callback_data.step, callback_data.member
    if not isinstance(message, Message):
        await query.answer(i18n.t("error.stale_button", lang), show_alert=True)
        return
    memo = ConsoleMemo(fsm_storage, bot.id, message.chat.id)
    flow = await _recall(memo, message.message_id, member)
    available = await _available(ledger, member)
    if flow is None or available is None:
        await query.answer(i18n.t("error.stale_button", lang), show_alert=True)
        return
    screens = PayScreens(flow, i18n, lang)
    typed = {
        PayStep.AMOUNT: (PayTyping.amount, "amount", 0),
        PayStep.WRITE_METHOD: (PayTyping.method, "method", MAX_PAYOUT_METHOD),
        PayStep.REFERENCE: (PayTyping.reference, "reference", MAX_PAYOUT_REFERENCE),
    }
    if step in typed:
        waiting, prompt, most = typed[step]
        await query.answer()
        await ask(state, waiting, message, member=member, token=flow.get("token"))
        builder = InlineKeyboardBuilder()
        _way_back(builder, member, i18n, lang)
        text = i18n.t(f"console.pay_{prompt}_prompt", lang, name=flow["name"], max=most)
        await show(query, text, builder.as_markup())
        return
    if step is PayStep.DO:
        if callback_data.choice != fingerprint(flow):
            await query.answer(i18n.t("error.stale_button", lang), show_alert=True)
            return
        await pay(query, message, flow, ledger, memo, i18n, lang)
        return
    if step is PayStep.ALL:
        _everything(flow, available)
        flow["methods"] = await ledger.recent_methods(METHODS_OFFERED)
        shown = screens.method(available)
    elif step is PayStep.METHOD:
        methods = flow.get("methods") or []
        if "amount" not in flow or callback_data.choice >= len(methods):
            await query.answer(i18n.t("error.stale_button", lang), show_alert=True)
            return
        flow["method"] = methods[callback_data.choice]
        shown = screens.reference(available)
    else:  # NO_REFERENCE
        if "method" not in flow:
            await query.answer(i18n.t("error.stale_button", lang), show_alert=True)
            return
        flow["reference"] = None
        shown = screens.confirm(available)
    await query.answer()
    await _keep(memo, message.message_id, flow)
    await show(query, *shown)


async def pay(
    query: CallbackQuery,
    message: Message,
    flow: Flow,
    ledger: LedgerService,
    memo: ConsoleMemo,
    i18n: Translator,
    lang: str,
) -> None:
    """The confirmed payout: keyed by this confirmation, recorded once however often it
    is tapped."""
    member = int(flow["member"])
    if "method" not in flow or "reference" not in flow:
        await query.answer(i18n.t("error.stale_button", lang), show_alert=True)
        return
    builder = InlineKeyboardBuilder()
    _way_back(builder, member, i18n, lang)
    try:
        done = await ledger.payout_to(
            MemberRef(telegram_id=member),
            int(flow["amount"]),
            flow["method"],
            flow["reference"],
            actor(query.from_user),
            request_key=f"console:{message.chat.id}:{message.message_id}:{flow.get('token')}",
        )
    except (LedgerServiceError, AdminToolError) as error:
        await query.answer()
        problem = refusal_text(error, i18n, lang, PROBLEMS)
        await show(query, problem or "", builder.as_markup())
        return
    if done.applied:
        await query.answer(i18n.t("console.done", lang))
    else:
        await query.answer(i18n.t("console.already_done", lang), show_alert=True)
    _button(builder, i18n.t("console.back_home", lang), ConsoleCallback(screen=Screen.HOME))
    builder.adjust(1)
    text = i18n.t(
        "payout.done",
        lang,
        id=done.payout_id,
        name=done.member_name,
        telegram_id=done.member_telegram_id,
        amount=format_rupiah(done.amount),
        method=done.method,
        reference=done.reference or "-",
        available=format_rupiah(done.available_after),
    )
    await show(query, text, builder.as_markup())


async def typed_step(
    message: Message,
    state: FSMContext,
    admins: AdminGate,
    i18n: Translator,
    lang: str,
    ledger: LedgerService,
    fsm_storage: BaseStorage,
    bot: Bot,
) -> None:
    """The amount, method or reference the admin typed: the screen moves on."""
    step = await state.get_state()
    typed = await answer_of(message, state, admins, i18n, lang, "console.pay_cancelled")
    if typed is None:
        return
    text, asked = (typed[0] or "").strip(), typed[1]
    member, screen = int(asked["member"]), int(asked["screen"])
    memo = ConsoleMemo(fsm_storage, bot.id, message.chat.id)
    flow = await _recall(memo, screen, member)
    available = await _available(ledger, member)
    needs = {PayTyping.method.state: "amount", PayTyping.reference.state: "method"}.get(step or "")
    if flow is None or available is None:
        await state.clear()
        await message.reply(i18n.t("console.member_gone", lang))
        return
    if asked.get("token") != flow.get("token") or (needs is not None and needs not in flow):
        # The admin left this step with a button (another payout began on the screen).
        await state.clear()
        await message.reply(i18n.t("error.stale_button", lang))
        return
    screens = PayScreens(flow, i18n, lang)
    if step == PayTyping.amount.state:
        try:
            amount = payout_amount(AdminCall(message, None, i18n, lang), text)
        except ReplyInstead as instead:
            await message.reply(instead.text)
            return
        if amount is None:
            _everything(flow, available)
        else:
            flow["amount"], flow["all"] = amount, False
        flow["methods"] = await ledger.recent_methods(METHODS_OFFERED)
        shown = screens.method(available)
    else:
        most = MAX_PAYOUT_METHOD if step == PayTyping.method.state else MAX_PAYOUT_REFERENCE
        if not text or len(text) > most:
            await message.reply(i18n.t("console.pay_text_only", lang, max=most))
            return
        if step == PayTyping.method.state:
            flow["method"] = text
            shown = screens.reference(available)
        else:
            flow["reference"] = text
            shown = screens.confirm(available)
    await state.clear()
    await _keep(memo, screen, flow)
    await show_again(message, screen, *shown)


def register(router: Router) -> None:
    router.message.register(typed_step, StateFilter(PayTyping))
    paying = MemberCallback.filter(F.action == MemberAction.PAYOUT)
    router.callback_query.register(start_payout, paying)
    router.callback_query.register(on_pay, PayCallback.filter())
