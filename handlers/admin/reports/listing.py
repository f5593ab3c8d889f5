"""/reports in the admin group: the reports waiting (with "validate all listed"), or
/reports MEMBER: one member's history."""

from __future__ import annotations

import logging
import re
from typing import Any

from aiogram import Bot
from aiogram.exceptions import TelegramBadRequest
from aiogram.types import CallbackQuery
from aiogram.utils.keyboard import InlineKeyboardBuilder

from domain.money import format_rupiah
from domain.states import ReportStatus
from handlers.common.admin_command import AdminCall, actor, admin_command, words
from handlers.common.admins import AdminGate
from handlers.common.callbacks import BatchCallback
from handlers.common.filters import allowed
from handlers.common.review_card import REPORT_CARD, reason_param, swap_buttons
from kernel.admin_input import parse_member_ref
from kernel.dates import day_param
from kernel.i18n import Translator
from services.reports import BatchResult, ReportError, ReportService

log = logging.getLogger(__name__)

PENDING_SHOWN = 20
HISTORY_SHOWN = 15


def batch_marker(batch_id: int) -> str:
    return f"#L{batch_id}"


@admin_command("reports_admin.usage", args=words(0, 1))
async def reports_command(call: AdminCall, reports: ReportService) -> None:
    if call.args:
        await history(call, call.args[0], reports)
        return
    listing = await reports.pending(call.actor, PENDING_SHOWN)
    if not listing.lines or listing.batch_id is None:
        await call.say("reports_admin.none")
        return
    shown = (
        call.t("reports_admin.shown", count=len(listing.lines))
        if listing.total > len(listing.lines)
        else ""
    )
    lines = [
        call.t(
            "reports_admin.header",
            total=listing.total,
            shown=shown,
            batch=batch_marker(listing.batch_id),
        )
    ]
    lines += [
        call.t(
            "reports_admin.line",
            report=line.report_id,
            name=line.name,
            telegram_id=line.telegram_id,
            date=day_param(line.report_date),
            claimed=format_rupiah(line.claimed),
            screenshots=line.screenshots,
        )
        for line in listing.lines
    ]
    builder = InlineKeyboardBuilder()
    builder.button(
        text=call.t("reports_admin.validate_all", count=len(listing.lines)),
        callback_data=BatchCallback(batch_id=listing.batch_id),
    )
    await call.message.reply("\n".join(lines), reply_markup=builder.as_markup())


async def history(call: AdminCall, ref: str, reports: ReportService) -> None:
    member = await reports.history_of(parse_member_ref(ref), HISTORY_SHOWN)
    views, total = member.reports, member.total
    if not views:
        await call.say(
            "reports_admin.history_none", name=member.name, telegram_id=member.telegram_id
        )
        return
    shown = call.t("reports_admin.history_shown", count=len(views)) if total > len(views) else ""
    lines = [
        call.t(
            "reports_admin.history_header",
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
                "params": {"reason": reason_param(REPORT_CARD, view.reject_reason)},
            }
        lines.append(
            call.t(
                "reports_admin.history_line",
                report=view.id,
                date=day_param(view.report_date),
                status={"key": f"reports_admin.status_{ReportStatus(view.status).value}"},
                claimed=format_rupiah(view.figures.commission),
                detail=detail,
            )
        )
    await call.reply_lines(lines)


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
        shown = getattr(message, "html_text", None) or ""
        if await _mark_listing(bot, message.chat.id, message.message_id, shown, result, i18n, lang):
            return  # the edit took the button away too
    await swap_buttons(bot, message.chat.id, message.message_id, None, "Listing")


_LISTED = re.compile(r"^• (#R(\d+)\b.*)$")


async def _mark_listing(
    bot: Bot,
    chat_id: int,
    message_id: int,
    shown: str,
    result: BatchResult,
    i18n: Translator,
    lang: str,
) -> bool:
    """The listing after "validate all": each line marked validated (✅) or skipped (⏭,
    with why), its button gone. False when it could not be edited (buttons still to go)."""
    outcome = {line.report_id: line for line in result.lines}
    marked = []
    for row in shown.split("\n"):  # already HTML: the lines are kept as they are
        found = _LISTED.match(row)
        line = outcome.get(int(found.group(2))) if found else None
        if found is None or line is None:
            marked.append(row)
        elif line.skipped is None:
            marked.append(f"{i18n.t('reports_admin.batch_validated_mark', lang)} {found.group(1)}")
        else:
            why = i18n.t(
                f"reports_admin.batch_skipped_{line.skipped.value}", lang, by=line.by or "-"
            )
            mark = i18n.t("reports_admin.batch_skipped_mark", lang)
            marked.append(
                f"{mark} {found.group(1)}{i18n.t('reports_admin.batch_skipped', lang, why=why)}"
            )
    try:
        await bot.edit_message_text(chat_id=chat_id, message_id=message_id, text="\n".join(marked))
    except TelegramBadRequest as error:
        log.info("Listing %s not marked: %s", message_id, error.message)
        return False
    return True
