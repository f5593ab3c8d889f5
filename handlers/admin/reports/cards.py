"""Report cards in the admin group: Validate, Adjust amount (the admin types it), Reject
with a listed reason or one the admin types.

Every tap is checked twice: who taps (AdminGate, on every tap) and the state of the
report (a compare-and-set on status and version in the report service). A card acts on
the version it shows: once the member replaces the report, the old card's buttons
validate nothing.
"""

from __future__ import annotations

import html
from typing import Any

from aiogram import Bot
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message

from domain.money import MoneyParseError, format_rupiah, parse_rupiah
from domain.reports import MAX_COMMISSION, ReportRejectReason
from domain.states import ReportStatus
from handlers.admin.card_links import decided_markup, report_card_buttons
from handlers.common.admin_command import actor, shown_at
from handlers.common.admins import AdminGate
from handlers.common.callbacks import ReportAction, ReportCallback, ReportReason
from handlers.common.config import HandlerConfig
from handlers.common.filters import allowed
from handlers.common.review_card import (
    REPORT_CARD,
    buttons_markup,
    caption,
    close_card,
    is_card_of,
    reason_param,
    reasons_markup,
    swap_buttons,
)
from kernel.i18n import Translator
from services.reports import Decision, Outcome, ReportCard, ReportError, ReportService

MAX_NOTE = 500
CANCEL_WORDS = frozenset({"batal", "cancel", "/cancel", "/batal"})


class ReportInput(StatesGroup):
    amount = State()  # Adjust: the admin types the corrected amount
    reason = State()  # Reject: the admin types the reason


def card_markup(card: ReportCard, i18n: Translator, config: HandlerConfig) -> InlineKeyboardMarkup:
    """Validate, Adjust amount / Reject and 👤 Member under the card at `card.version`."""
    rows = report_card_buttons(card.report_id, card.version, card.params.get("telegram_id"))
    return buttons_markup(rows, i18n, config)


def card_reasons(
    report_id: int, version: int, i18n: Translator, config: HandlerConfig
) -> InlineKeyboardMarkup:
    def data(action: ReportAction, reason: ReportReason = ReportReason.NONE) -> ReportCallback:
        return ReportCallback(action=action, report_id=report_id, version=version, reason=reason)

    return reasons_markup(
        REPORT_CARD,
        lambda code: data(ReportAction.REASON, ReportReason(code)),
        data(ReportAction.WRITE),
        data(ReportAction.BACK),
        i18n,
        config,
    )


def _split_param(outcome: Outcome) -> Any:
    result = outcome.commission
    if result is None:
        return ""
    if result.split is not None:
        return {
            "key": "report_review.split",
            "params": {
                "member": format_rupiah(result.split.member),
                "leader": format_rupiah(result.split.leader),
                "owner": format_rupiah(result.split.owner),
            },
        }
    if result.would_earn is not None:
        return {
            "key": "report_review.no_commission_would",
            "params": {"would": format_rupiah(result.would_earn)},
        }
    return {"key": "report_review.no_commission"}


def outcome_line(outcome: Outcome, i18n: Translator, config: HandlerConfig, claimed: int) -> str:
    """How a card ends (group language): who decided, when, the amount and the split."""
    lang = config.default_language
    name = outcome.decided_by_name or i18n.t("report_review.someone", lang)
    at = shown_at(outcome.decided_at, config.zone)
    if outcome.status == ReportStatus.VALIDATED:
        amount = outcome.validated_amount or 0
        adjusted: Any = ""
        if amount != claimed:
            adjusted = {
                "key": "report_review.adjusted_note",
                "params": {"claimed": format_rupiah(claimed)},
            }
        return i18n.t(
            "report_review.validated_by",
            lang,
            name=name,
            at=at,
            amount=format_rupiah(amount),
            adjusted=adjusted,
            split=_split_param(outcome),
        )
    if outcome.status == ReportStatus.REJECTED:
        return i18n.t(
            "report_review.rejected_by",
            lang,
            name=name,
            at=at,
            reason=reason_param(REPORT_CARD, outcome.reject_reason),
        )
    return i18n.t("report_review.replaced_state", lang)


def too_late_text(
    outcome: Outcome, version: int, i18n: Translator, config: HandlerConfig, lang: str
) -> str:
    if outcome.version != version:
        return i18n.t("report_review.old_card", lang, report=outcome.report_id)
    name = outcome.decided_by_name or i18n.t("report_review.someone", lang)
    at = shown_at(outcome.decided_at, config.zone)
    key = (
        "report_review.already_validated"
        if outcome.status == ReportStatus.VALIDATED
        else "report_review.already_rejected"
    )
    return i18n.t(key, lang, report=outcome.report_id, name=name, at=at)


async def show_outcome(
    bot: Bot,
    chat_id: int,
    message_id: int,
    decision: Decision,
    i18n: Translator,
    config: HandlerConfig,
) -> None:
    """Edit the card to the report's caption and outcome line (buttons go but 👤 Member)."""
    card = decision.card
    line = outcome_line(decision.outcome, i18n, config, card.claimed)
    kept = decided_markup(card.params.get("telegram_id"), None, i18n, config)
    await close_card(bot, chat_id, message_id, caption(card, i18n, config), line, REPORT_CARD, kept)


async def bring_up_to_date(
    bot: Bot,
    message: Any,
    decision: Decision,
    version: int,
    i18n: Translator,
    config: HandlerConfig,
) -> None:
    """Show the outcome on the card a tap came from (buttons go but 👤 Member)."""
    if decision.outcome.version != version:
        # An older version: its figures are only on the card itself, keep them.
        line = i18n.t("report_review.replaced_state", config.default_language)
        shown = getattr(message, "html_text", None) or ""
        if line in html.unescape(shown):
            return
        kept = decided_markup(decision.card.params.get("telegram_id"), None, i18n, config)
        chat_id, message_id = message.chat.id, message.message_id
        await close_card(bot, chat_id, message_id, shown, line, REPORT_CARD, kept)
        return
    await show_outcome(bot, message.chat.id, message.message_id, decision, i18n, config)


async def on_report(
    query: CallbackQuery,
    callback_data: ReportCallback,
    bot: Bot,
    reports: ReportService,
    admins: AdminGate,
    config: HandlerConfig,
    i18n: Translator,
    lang: str,
    state: FSMContext,
) -> None:
    if not await allowed(query, admins, i18n, lang):
        return
    report_id, version = callback_data.report_id, callback_data.version
    message = query.message
    # Callback data is unsigned: the tap must come from this report's card at this
    # version, or nothing happens at all.
    if message is None or not is_card_of(message, REPORT_CARD, report_id, version):
        await query.answer(i18n.t("report_review.not_found", lang), show_alert=True)
        return
    action = callback_data.action
    who = actor(query.from_user)
    try:
        if action is ReportAction.VALIDATE:
            decision = await reports.validate_on_card(report_id, version, who)
        elif action is ReportAction.REASON and callback_data.reason is not ReportReason.NONE:
            code = ReportRejectReason(callback_data.reason.value)
            decision = await reports.reject_on_card(report_id, version, who, code=code)
        else:
            decision = await reports.outcome_on_card(report_id)
    except ReportError:
        await query.answer(i18n.t("report_review.not_found", lang), show_alert=True)
        return
    outcome = decision.outcome
    open_here = outcome.status == ReportStatus.SUBMITTED and outcome.version == version
    if action in (ReportAction.ADJUST, ReportAction.REJECT, ReportAction.BACK, ReportAction.WRITE):
        if open_here:
            await query.answer()
            await _open_action(message, action, decision.card, who.name, bot, config, i18n,
                               lang, state)  # fmt: skip
            return
    elif action is ReportAction.REASON and callback_data.reason is ReportReason.NONE and open_here:
        await query.answer(i18n.t("report_review.not_found", lang), show_alert=True)
        return
    if outcome.applied:
        done = (
            "report_review.done_validated"
            if outcome.status == ReportStatus.VALIDATED
            else "report_review.done_rejected"
        )
        await query.answer(i18n.t(done, lang))
        await show_outcome(bot, message.chat.id, message.message_id, decision, i18n, config)
        return
    await query.answer(too_late_text(outcome, version, i18n, config, lang), show_alert=True)
    await bring_up_to_date(bot, message, decision, version, i18n, config)


async def _open_action(
    message: Any,
    action: ReportAction,
    card: ReportCard,
    name: str,
    bot: Bot,
    config: HandlerConfig,
    i18n: Translator,
    lang: str,
    state: FSMContext,
) -> None:
    """Adjust / Reject / Write / Back on a card still waiting (`card`, as tapped): no
    decision yet."""
    report_id, version = card.report_id, card.version
    if action is ReportAction.ADJUST:
        await state.set_state(ReportInput.amount)
        await state.update_data(
            report_id=report_id, version=version, card_message_id=message.message_id
        )
        prompt = i18n.t(
            "report_review.adjust_prompt",
            lang,
            name=name,
            report=report_id,
            claimed=format_rupiah(card.claimed),
            max=format_rupiah(MAX_COMMISSION),
        )
        await message.reply(prompt)
        return
    if action is ReportAction.WRITE:
        await state.set_state(ReportInput.reason)
        await state.update_data(
            report_id=report_id, version=version, card_message_id=message.message_id
        )
        await message.reply(i18n.t("report_review.write_prompt", lang, name=name, report=report_id))
        return
    if action is ReportAction.BACK:
        data = await state.get_data()
        if await state.get_state() is not None and data.get("report_id") == report_id:
            await state.clear()  # Back also calls off typing an amount or a reason here
    markup = (
        card_reasons(report_id, version, i18n, config)
        if action is ReportAction.REJECT
        else card_markup(card, i18n, config)
    )
    await swap_buttons(bot, message.chat.id, message.message_id, markup, REPORT_CARD.name)


async def _after_typed(
    message: Message,
    decision: Decision,
    version: int,
    card_message_id: int | None,
    done_text: str,
    bot: Bot,
    config: HandlerConfig,
    i18n: Translator,
    lang: str,
) -> None:
    """Reply to a typed amount or reason and bring the card up to date."""
    outcome = decision.outcome
    if not outcome.applied:
        await message.reply(too_late_text(outcome, version, i18n, config, lang))
        if outcome.version != version:
            return  # the old card was closed by whoever saw the new version, or stays put
    else:
        await message.reply(done_text)
    if card_message_id:
        chat_id = message.chat.id
        await show_outcome(bot, chat_id, int(card_message_id), decision, i18n, config)


def _is_cancel(message: Message) -> bool:
    return (message.text or "").strip().lower().split("@")[0] in CANCEL_WORDS


async def typed_amount(
    message: Message,
    state: FSMContext,
    bot: Bot,
    reports: ReportService,
    admins: AdminGate,
    config: HandlerConfig,
    i18n: Translator,
    lang: str,
) -> None:
    data = await state.get_data()
    report_id = int(data.get("report_id", 0))
    version = int(data.get("version", 0))
    if _is_cancel(message):
        await state.clear()
        await message.reply(i18n.t("report_review.adjust_cancelled", lang, report=report_id))
        return
    text = (message.text or "").strip()
    if not text:
        await message.reply(i18n.t("report_review.adjust_text_only", lang, report=report_id))
        return
    try:
        amount = parse_rupiah(text, maximum=MAX_COMMISSION)
    except MoneyParseError as error:
        await message.reply(
            i18n.t(
                f"ledger.amount_{error.code.value}",
                lang,
                given=text[:64],
                min=format_rupiah(error.minimum),
                max=format_rupiah(error.maximum),
            )
            + "\n"
            + i18n.t("report_review.adjust_again", lang, report=report_id)
        )
        return
    if not await allowed(message, admins, i18n, lang):
        await state.clear()
        return
    await state.clear()
    assert message.from_user is not None
    try:
        decision = await reports.validate_on_card(
            report_id, version, actor(message.from_user), amount
        )
    except ReportError:
        await message.reply(i18n.t("report_review.not_found", lang))
        return
    done = i18n.t("report_review.adjust_done", lang, report=report_id, amount=format_rupiah(amount))
    await _after_typed(message, decision, version, data.get("card_message_id"), done,
                       bot, config, i18n, lang)  # fmt: skip


async def typed_reason(
    message: Message,
    state: FSMContext,
    bot: Bot,
    reports: ReportService,
    admins: AdminGate,
    config: HandlerConfig,
    i18n: Translator,
    lang: str,
) -> None:
    data = await state.get_data()
    report_id = int(data.get("report_id", 0))
    version = int(data.get("version", 0))
    if _is_cancel(message):
        await state.clear()
        await message.reply(i18n.t("report_review.write_cancelled", lang, report=report_id))
        return
    note = (message.text or "").strip()
    if not note or note.startswith("/") or len(note) > MAX_NOTE:
        await message.reply(i18n.t("report_review.write_text_only", lang, max=MAX_NOTE))
        return
    if not await allowed(message, admins, i18n, lang):
        await state.clear()
        return
    await state.clear()
    assert message.from_user is not None
    try:
        decision = await reports.reject_on_card(
            report_id, version, actor(message.from_user), note=note
        )
    except ReportError:
        await message.reply(i18n.t("report_review.not_found", lang))
        return
    done = i18n.t("report_review.write_done", lang, report=report_id)
    await _after_typed(message, decision, version, data.get("card_message_id"), done,
                       bot, config, i18n, lang)  # fmt: skip
