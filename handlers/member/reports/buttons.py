"""The buttons of a report draft, one handler per button: Done (no more screenshots),
Send, Edit (then a field, or Back), Cancel.

They carry the draft's `flow` token, so a button of an older summary, a second tap on
Send, or a tap after Cancel is answered kindly and changes nothing. Each runs holding
the member's lock, like the screenshots that change the same draft.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message

from domain.money import format_rupiah
from domain.reports import ReportFigures
from handlers.common.keyboards import main_menu
from handlers.common.locks import MemberLocks
from handlers.member.reports.draft import (
    EditCallback,
    Field,
    FlowCallback,
    ReportFlow,
    close_draft,
)
from handlers.member.reports.screens import ask, edit_buttons, report_problem_text, show_summary
from kernel.dates import day_param
from kernel.i18n import Translator
from services.reports import ReportError, ReportService, Screenshot


@dataclass(frozen=True, slots=True)
class Tap:
    """A tap on a button of the draft being written, under a message the bot can reach."""

    query: CallbackQuery
    message: Message
    state: FSMContext
    data: dict[str, Any]
    current: str


Step = Callable[[Tap, ReportService, Translator, str], Awaitable[None]]
FlowButton = Callable[
    [CallbackQuery, FlowCallback, FSMContext, ReportService, Translator, str], Awaitable[None]
]
EditButton = Callable[[CallbackQuery, EditCallback, FSMContext, Translator, str], Awaitable[None]]


async def answer_stale(
    query: CallbackQuery, data: dict[str, Any], flow: str, i18n: Translator, lang: str
) -> None:
    """A button of a draft that is no longer being written."""
    if data.get("closed") == flow and data.get("closed_how") == "sent":
        await query.answer(i18n.t("report_flow.already_sent", lang), show_alert=True)
    else:
        await query.answer(i18n.t("report_flow.no_draft", lang), show_alert=True)


def on_draft(locks: MemberLocks, step: Step, *, at_summary: bool = True) -> FlowButton:
    """The handler of one summary button: `step` runs only for the draft being written
    (and, `at_summary`, only while its summary is shown, not while a field is edited)."""

    async def flow_button(
        query: CallbackQuery,
        callback_data: FlowCallback,
        state: FSMContext,
        reports: ReportService,
        i18n: Translator,
        lang: str,
    ) -> None:
        async with locks.hold(query.from_user.id):
            current = await state.get_state()
            data = await state.get_data()
            if data.get("flow") != callback_data.flow or current is None:
                await answer_stale(query, data, callback_data.flow, i18n, lang)
                return
            message = query.message
            if not isinstance(message, Message):
                await query.answer()
                return
            if at_summary and current != ReportFlow.summary.state:
                # A summary button while a field is being edited: ask that again.
                await query.answer(i18n.t("report_flow.finish_step_first", lang), show_alert=True)
                return
            await step(Tap(query, message, state, data, current), reports, i18n, lang)

    flow_button.__name__ = step.__name__
    return flow_button


async def done(tap: Tap, reports: ReportService, i18n: Translator, lang: str) -> None:
    """No more screenshots: on to the summary (at least one is needed)."""
    if tap.current != ReportFlow.screenshots.state:
        await tap.query.answer()
        return
    if not tap.data.get("shots"):
        await tap.query.answer(i18n.t("report_flow.done_too_early", lang), show_alert=True)
        return
    await tap.query.answer()
    await show_summary(tap.message, tap.state, i18n, lang)


async def cancel(tap: Tap, reports: ReportService, i18n: Translator, lang: str) -> None:
    await close_draft(tap.state, tap.data["flow"], "cancelled")
    await tap.query.answer()
    await tap.message.answer(
        i18n.t("report_flow.cancelled", lang), reply_markup=main_menu(i18n, lang)
    )


async def edit(tap: Tap, reports: ReportService, i18n: Translator, lang: str) -> None:
    await tap.query.answer()
    await tap.message.answer(
        i18n.t("report_flow.edit_which", lang), reply_markup=edit_buttons(tap.data, i18n, lang)
    )


async def back(tap: Tap, reports: ReportService, i18n: Translator, lang: str) -> None:
    await tap.query.answer()
    await show_summary(tap.message, tap.state, i18n, lang)


async def send(tap: Tap, reports: ReportService, i18n: Translator, lang: str) -> None:
    data = tap.data
    figures = ReportFigures(
        videos_posted=data["videos"],
        links=tuple(data.get("links") or ()),
        views=data["views"],
        orders=data["orders"],
        sales=data["sales"],
        commission=data["commission"],
    )
    shots = [Screenshot(f, u, k) for f, u, k in data["shots"]]
    try:
        view = await reports.submit(
            tap.query.from_user.id, date.fromisoformat(data["day"]), figures, shots
        )
    except ReportError as error:
        await close_draft(tap.state, data["flow"], "failed")
        await tap.query.answer()
        await tap.message.answer(
            report_problem_text(error, i18n, lang), reply_markup=main_menu(i18n, lang)
        )
        return
    await close_draft(tap.state, data["flow"], "sent")
    await tap.query.answer(i18n.t("report_flow.sent_short", lang))
    key = "report_flow.sent_replaced" if view.replaced else "report_flow.sent"
    await tap.message.answer(
        i18n.t(
            key,
            lang,
            date=day_param(view.report_date),
            commission=format_rupiah(view.figures.commission),
        ),
        reply_markup=main_menu(i18n, lang),
    )


def make_edit_button(locks: MemberLocks) -> EditButton:
    async def edit_button(
        query: CallbackQuery,
        callback_data: EditCallback,
        state: FSMContext,
        i18n: Translator,
        lang: str,
    ) -> None:
        """A field chosen to edit: ask it again; its answer leads back to the summary."""
        async with locks.hold(query.from_user.id):
            current = await state.get_state()
            data = await state.get_data()
            if data.get("flow") != callback_data.flow or current is None:
                await answer_stale(query, data, callback_data.flow, i18n, lang)
                return
            if current != ReportFlow.summary.state:
                await query.answer(i18n.t("report_flow.finish_step_first", lang), show_alert=True)
                return
            await query.answer()
            if not isinstance(query.message, Message):
                return
            update: dict[str, Any] = {"editing": True}
            if callback_data.field is Field.SCREENSHOTS:
                update["shots"] = []
            if callback_data.field is Field.VIDEOS:
                update["links"] = []
            await state.update_data(update)
            await ask(query.message, state, callback_data.field, i18n, lang)

    return edit_button
