"""Starting today's report (/report or the menu button) and dropping it (/cancel)."""

from __future__ import annotations

import secrets

from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message

from domain.states import ReportStatus
from handlers.common.keyboards import main_menu
from handlers.member.reports.draft import Field, close_draft
from handlers.member.reports.screens import ask, report_problem_text
from kernel.dates import day_param
from kernel.i18n import Translator
from services.reports import ReportError, ReportService


async def begin(
    event: Message | CallbackQuery,
    state: FSMContext,
    reports: ReportService,
    i18n: Translator,
    lang: str,
) -> None:
    """/report or the menu button: (re)start today's report from the first question."""
    assert event.from_user is not None
    message = event.message if isinstance(event, CallbackQuery) else event
    if isinstance(event, CallbackQuery):
        await event.answer()
    if not isinstance(message, Message):
        return
    try:
        day, existing = await reports.can_report(event.from_user.id)
    except ReportError as error:
        await state.clear()
        text = report_problem_text(error, i18n, lang)
        await message.answer(text, reply_markup=main_menu(i18n, lang))
        return
    await state.set_state(None)
    await state.set_data({"day": day.isoformat(), "flow": secrets.token_hex(4), "shots": []})
    intro = i18n.t("report_flow.intro", lang, date=day_param(day))
    if existing is not None:
        key = (
            "report_flow.replaces_rejected"
            if existing.status == ReportStatus.REJECTED
            else "report_flow.replaces_submitted"
        )
        intro += "\n\n" + i18n.t(key, lang)
    await message.answer(intro)
    await ask(message, state, Field.VIDEOS, i18n, lang)


async def cancel_command(message: Message, state: FSMContext, i18n: Translator, lang: str) -> None:
    """/cancel while a report is being written: the draft is dropped."""
    data = await state.get_data()
    await close_draft(state, data.get("flow"), "cancelled")
    await message.answer(i18n.t("report_flow.cancelled", lang), reply_markup=main_menu(i18n, lang))
