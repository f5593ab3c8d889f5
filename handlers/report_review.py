"""Report cards in the admin group: Validate, Adjust amount, Reject with a reason,
/reports (pending list with "validate all", or one member's history).

Mirrors handlers/review.py (payment cards). Every tap is checked twice: who taps
(AdminGate, on every tap) and the state of the report (a compare-and-set on status
and version in the report service). A card acts on the version it shows: once the
member replaces the report, the old card's buttons validate nothing.
"""

from __future__ import annotations

import html
import logging
import re
from typing import Any

from aiogram import Bot, Router
from aiogram.exceptions import TelegramBadRequest
from aiogram.filters import Command, CommandObject, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Message
from aiogram.utils.keyboard import InlineKeyboardBuilder

from domain.money import MoneyParseError, format_rupiah, parse_rupiah
from domain.reports import MAX_COMMISSION, ReportRejectReason
from domain.states import ReportStatus
from handlers.admin_tools import _problem, _reply_lines
from handlers.common.admins import AdminGate
from handlers.common.callbacks import (
    BatchCallback,
    ReportAction,
    ReportCallback,
    ReportReason,
    report_buttons,
)
from handlers.common.config import HandlerConfig
from handlers.common.filters import InAdminChat, allowed
from handlers.review import _at, actor
from kernel.admin_input import AdminToolError, parse_member_ref
from kernel.i18n import Translator
from services.member_lookup import MemberLookupService
from services.reports import Outcome, ReportCard, ReportError, ReportService

log = logging.getLogger(__name__)

PENDING_SHOWN = 20
HISTORY_SHOWN = 15
CARD_REASON_CHARS = 150  # the card caption holds 1024 characters in all
MAX_NOTE = 500
CANCEL_WORDS = frozenset({"batal", "cancel", "/cancel", "/batal"})


class ReportInput(StatesGroup):
    amount = State()  # Adjust: the admin types the corrected amount
    reason = State()  # Reject: the admin types the reason


# ---------------------------------------------------------------------------- cards


def card_caption(card: ReportCard, i18n: Translator, config: HandlerConfig) -> str:
    return i18n.t(card.text_key, config.default_language, **card.params)


def is_card_of(message: Message | Any, report_id: int, version: int) -> bool:
    """The tapped message is the card of this report at this version (marker in caption)."""
    shown = getattr(message, "caption", None) or ""
    return re.search(rf"#R{report_id} · v{version}(?!\d)", shown) is not None


def _markup(rows: Any, i18n: Translator, lang: str) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        inline_keyboard=[
            [
                InlineKeyboardButton(text=i18n.t(b.text_key, lang), callback_data=b.callback_data)
                for b in row
            ]
            for row in rows
        ]
    )


def card_markup(
    report_id: int, version: int, i18n: Translator, config: HandlerConfig
) -> InlineKeyboardMarkup:
    return _markup(report_buttons(report_id, version), i18n, config.default_language)


def reasons_markup(
    report_id: int, version: int, i18n: Translator, config: HandlerConfig
) -> InlineKeyboardMarkup:
    lang = config.default_language
    builder = InlineKeyboardBuilder()

    def data(action: ReportAction, reason: ReportReason = ReportReason.NONE) -> ReportCallback:
        return ReportCallback(action=action, report_id=report_id, version=version, reason=reason)

    for reason in ReportRejectReason:
        builder.button(
            text=i18n.t(f"report_reject_button.{reason.value}", lang),
            callback_data=data(ReportAction.REASON, ReportReason(reason.value)),
        )
    builder.button(text=i18n.t("report_review.write", lang), callback_data=data(ReportAction.WRITE))
    builder.button(text=i18n.t("report_review.back", lang), callback_data=data(ReportAction.BACK))
    builder.adjust(2, 2, 1, 1)
    return builder.as_markup()


def reason_param(reason: str | None) -> Any:
    """A stored reject reason: a listed code (translated) or the admin's words, shortened."""
    text = reason or "-"
    if text in {r.value for r in ReportRejectReason}:
        return {"key": f"report_reason.{text}"}
    if len(text) > CARD_REASON_CHARS:
        return text[: CARD_REASON_CHARS - 1] + "…"
    return text


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
    at = _at(outcome.decided_at, config)
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
            reason=reason_param(outcome.reject_reason),
        )
    return i18n.t("report_review.replaced_state", lang)


def too_late_text(
    outcome: Outcome, version: int, i18n: Translator, config: HandlerConfig, lang: str
) -> str:
    if outcome.version != version:
        return i18n.t("report_review.old_card", lang, report=outcome.report_id)
    name = outcome.decided_by_name or i18n.t("report_review.someone", lang)
    at = _at(outcome.decided_at, config)
    key = (
        "report_review.already_validated"
        if outcome.status == ReportStatus.VALIDATED
        else "report_review.already_rejected"
    )
    return i18n.t(key, lang, report=outcome.report_id, name=name, at=at)


def _claimed(card: ReportCard) -> int:
    return card.claimed


async def close_card(
    bot: Bot,
    chat_id: int,
    message_id: int,
    caption: str,
    line: str,
) -> None:
    """Edit the card to its outcome, without buttons. Best effort: the decision is
    already committed and the member's message already queued."""
    try:
        await bot.edit_message_caption(
            chat_id=chat_id, message_id=message_id, caption=caption + "\n\n" + line
        )
    except TelegramBadRequest as error:
        log.info("Report card %s not edited: %s", message_id, error.message)


async def bring_up_to_date(
    bot: Bot,
    message: Message | Any,
    outcome: Outcome,
    version: int,
    reports: ReportService,
    i18n: Translator,
    config: HandlerConfig,
) -> None:
    """Show the outcome on the card a tap came from (buttons go)."""
    if outcome.version != version:
        # An older version: its figures are only on the card itself, keep them.
        line = i18n.t("report_review.replaced_state", config.default_language)
        shown = getattr(message, "html_text", None) or ""
        if line in html.unescape(shown):
            return
        await close_card(bot, message.chat.id, message.message_id, shown, line)
        return
    card = await reports.card(outcome.report_id)
    line = outcome_line(outcome, i18n, config, _claimed(card))
    caption = card_caption(card, i18n, config)
    await close_card(bot, message.chat.id, message.message_id, caption, line)


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
    if message is None or not is_card_of(message, report_id, version):
        await query.answer(i18n.t("report_review.not_found", lang), show_alert=True)
        return
    action = callback_data.action
    who = actor(query.from_user)
    try:
        if action is ReportAction.VALIDATE:
            outcome = await reports.validate(report_id, version, who)
        elif action is ReportAction.REASON and callback_data.reason is not ReportReason.NONE:
            code = ReportRejectReason(callback_data.reason.value)
            outcome = await reports.reject(report_id, version, who, code=code)
        else:
            outcome = await reports.outcome(report_id)
    except ReportError:
        await query.answer(i18n.t("report_review.not_found", lang), show_alert=True)
        return
    open_here = outcome.status == ReportStatus.SUBMITTED and outcome.version == version
    if action in (ReportAction.ADJUST, ReportAction.REJECT, ReportAction.BACK, ReportAction.WRITE):
        if open_here:
            await _open_action(query, message, action, report_id, version, bot, reports,
                               config, i18n, lang, state)  # fmt: skip
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
        card = await reports.card(report_id)
        line = outcome_line(outcome, i18n, config, _claimed(card))
        caption = card_caption(card, i18n, config)
        await close_card(bot, message.chat.id, message.message_id, caption, line)
        return
    await query.answer(too_late_text(outcome, version, i18n, config, lang), show_alert=True)
    await bring_up_to_date(bot, message, outcome, version, reports, i18n, config)


async def _open_action(
    query: CallbackQuery,
    message: Any,
    action: ReportAction,
    report_id: int,
    version: int,
    bot: Bot,
    reports: ReportService,
    config: HandlerConfig,
    i18n: Translator,
    lang: str,
    state: FSMContext,
) -> None:
    """Adjust / Reject / Write / Back on a card still waiting: no decision yet."""
    await query.answer()
    who = actor(query.from_user)
    if action is ReportAction.ADJUST:
        card = await reports.card(report_id)
        await state.set_state(ReportInput.amount)
        await state.update_data(
            report_id=report_id, version=version, card_message_id=message.message_id
        )
        prompt = i18n.t(
            "report_review.adjust_prompt",
            lang,
            name=who.name,
            report=report_id,
            claimed=format_rupiah(_claimed(card)),
            max=format_rupiah(MAX_COMMISSION),
        )
        await message.reply(prompt)
        return
    if action is ReportAction.WRITE:
        await state.set_state(ReportInput.reason)
        await state.update_data(
            report_id=report_id, version=version, card_message_id=message.message_id
        )
        await message.reply(
            i18n.t("report_review.write_prompt", lang, name=who.name, report=report_id)
        )
        return
    if action is ReportAction.BACK:
        data = await state.get_data()
        if await state.get_state() is not None and data.get("report_id") == report_id:
            await state.clear()  # Back also calls off typing an amount or a reason here
    markup = (
        reasons_markup(report_id, version, i18n, config)
        if action is ReportAction.REJECT
        else card_markup(report_id, version, i18n, config)
    )
    try:
        await bot.edit_message_reply_markup(
            chat_id=message.chat.id, message_id=message.message_id, reply_markup=markup
        )
    except TelegramBadRequest as error:  # "message is not modified" on a double tap
        log.info("Report card buttons not changed: %s", error.message)


async def _after_typed(
    message: Message,
    outcome: Outcome,
    version: int,
    card_message_id: int | None,
    done_text: str,
    bot: Bot,
    reports: ReportService,
    config: HandlerConfig,
    i18n: Translator,
    lang: str,
) -> None:
    """Reply to a typed amount or reason and bring the card up to date."""
    if not outcome.applied:
        await message.reply(too_late_text(outcome, version, i18n, config, lang))
        if outcome.version != version:
            return  # the old card was closed by whoever saw the new version, or stays put
    else:
        await message.reply(done_text)
    if card_message_id:
        card = await reports.card(outcome.report_id)
        line = outcome_line(outcome, i18n, config, _claimed(card))
        caption = card_caption(card, i18n, config)
        await close_card(bot, message.chat.id, int(card_message_id), caption, line)


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
        outcome = await reports.validate(report_id, version, actor(message.from_user), amount)
    except ReportError:
        await message.reply(i18n.t("report_review.not_found", lang))
        return
    done = i18n.t("report_review.adjust_done", lang, report=report_id, amount=format_rupiah(amount))
    await _after_typed(message, outcome, version, data.get("card_message_id"), done,
                       bot, reports, config, i18n, lang)  # fmt: skip


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
        outcome = await reports.reject(report_id, version, actor(message.from_user), note=note)
    except ReportError:
        await message.reply(i18n.t("report_review.not_found", lang))
        return
    done = i18n.t("report_review.write_done", lang, report=report_id)
    await _after_typed(message, outcome, version, data.get("card_message_id"), done,
                       bot, reports, config, i18n, lang)  # fmt: skip


# ---------------------------------------------------------------------------- /reports


def batch_marker(batch_id: int) -> str:
    return f"#L{batch_id}"


async def reports_command(
    message: Message,
    command: CommandObject,
    reports: ReportService,
    member_lookup: MemberLookupService,
    admins: AdminGate,
    config: HandlerConfig,
    i18n: Translator,
    lang: str,
) -> None:
    if not await allowed(message, admins, i18n, lang):
        return
    args = (command.args or "").split()
    if len(args) > 1:
        await message.reply(i18n.t("reports_admin.usage", lang))
        return
    if args:
        await _history(message, args[0], reports, member_lookup, config, i18n, lang)
        return
    assert message.from_user is not None
    listing = await reports.pending(actor(message.from_user), PENDING_SHOWN)
    if not listing.lines or listing.batch_id is None:
        await message.reply(i18n.t("reports_admin.none", lang))
        return
    shown = (
        i18n.t("reports_admin.shown", lang, count=len(listing.lines))
        if listing.total > len(listing.lines)
        else ""
    )
    lines = [
        i18n.t(
            "reports_admin.header",
            lang,
            total=listing.total,
            shown=shown,
            batch=batch_marker(listing.batch_id),
        )
    ]
    lines += [
        i18n.t(
            "reports_admin.line",
            lang,
            report=line.report_id,
            name=line.name,
            telegram_id=line.telegram_id,
            date=f"{line.report_date:%d-%m-%Y}",
            claimed=format_rupiah(line.claimed),
            screenshots=line.screenshots,
        )
        for line in listing.lines
    ]
    builder = InlineKeyboardBuilder()
    builder.button(
        text=i18n.t("reports_admin.validate_all", lang, count=len(listing.lines)),
        callback_data=BatchCallback(batch_id=listing.batch_id),
    )
    await message.reply("\n".join(lines), reply_markup=builder.as_markup())


async def _history(
    message: Message,
    ref: str,
    reports: ReportService,
    member_lookup: MemberLookupService,
    config: HandlerConfig,
    i18n: Translator,
    lang: str,
) -> None:
    try:
        member = await member_lookup.resolve(parse_member_ref(ref))
    except AdminToolError as error:
        await _problem(message, i18n, lang, error)
        return
    views, total = await reports.history(member.id, HISTORY_SHOWN)
    if not views:
        await message.reply(
            i18n.t(
                "reports_admin.history_none", lang, name=member.name, telegram_id=member.telegram_id
            )
        )
        return
    shown = (
        i18n.t("reports_admin.history_shown", lang, count=len(views)) if total > len(views) else ""
    )
    lines = [
        i18n.t(
            "reports_admin.history_header",
            lang,
            name=member.name,
            telegram_id=member.telegram_id,
            total=total,
            shown=shown,
        )
    ]
    for view in views:
        detail: Any = ""
        if view.status == ReportStatus.VALIDATED:
            detail = {
                "key": "reports_admin.history_validated",
                "params": {
                    "validated": format_rupiah(view.validated_amount or 0),
                    "share": format_rupiah(view.member_share)
                    if view.member_share is not None
                    else "-",
                },
            }
        elif view.status == ReportStatus.REJECTED:
            detail = {
                "key": "reports_admin.history_rejected",
                "params": {"reason": reason_param(view.reject_reason)},
            }
        lines.append(
            i18n.t(
                "reports_admin.history_line",
                lang,
                report=view.id,
                date=f"{view.report_date:%d-%m-%Y}",
                status={"key": f"reports_admin.status_{ReportStatus(view.status).value}"},
                claimed=format_rupiah(view.figures.commission),
                detail=detail,
            )
        )
    await _reply_lines(message, lines)


async def on_batch(
    query: CallbackQuery,
    callback_data: BatchCallback,
    bot: Bot,
    reports: ReportService,
    admins: AdminGate,
    i18n: Translator,
    lang: str,
) -> None:
    if not await allowed(query, admins, i18n, lang):
        return
    message = query.message
    batch_id = callback_data.batch_id
    shown = (getattr(message, "text", None) or "") if message is not None else ""
    if message is None or re.search(rf"{batch_marker(batch_id)}(?!\d)", shown) is None:
        await query.answer(i18n.t("reports_admin.batch_not_found", lang), show_alert=True)
        return
    try:
        result = await reports.validate_batch(batch_id, actor(query.from_user))
    except ReportError:
        await query.answer(i18n.t("reports_admin.batch_not_found", lang), show_alert=True)
        return
    if not result.first_use:
        await query.answer(i18n.t("reports_admin.batch_used", lang), show_alert=True)
    else:
        text = i18n.t(
            "reports_admin.batch_done",
            lang,
            validated=result.validated,
            skipped=result.skipped,
            name=query.from_user.full_name,
        )
        await query.answer(text)
        await message.reply(text)
    try:
        await bot.edit_message_reply_markup(
            chat_id=message.chat.id, message_id=message.message_id, reply_markup=None
        )
    except TelegramBadRequest as error:
        log.info("Listing buttons not removed: %s", error.message)


def build_router() -> Router:
    router = Router(name="report_review")
    router.message.filter(InAdminChat())
    router.callback_query.filter(InAdminChat())
    router.callback_query.register(on_report, ReportCallback.filter())
    router.callback_query.register(on_batch, BatchCallback.filter())
    router.message.register(reports_command, Command("reports"))
    router.message.register(typed_amount, StateFilter(ReportInput.amount))
    router.message.register(typed_reason, StateFilter(ReportInput.reason))
    return router
