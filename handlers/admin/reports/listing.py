"""/reports in the admin group: the reports waiting (with "validate all listed"), or
/reports MEMBER: one member's history."""

from __future__ import annotations

import logging
import re
from typing import Any

from aiogram import Bot
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
from kernel.i18n import Translator
from services.reports import ReportError, ReportService

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
            date=f"{line.report_date:%d-%m-%Y}",
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
                date=f"{view.report_date:%d-%m-%Y}",
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
    await swap_buttons(bot, message.chat.id, message.message_id, None, "Listing")
