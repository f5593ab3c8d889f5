"""What the report flow shows: each question, the summary with Send / Edit / Cancel,
the choice of a field to edit, and why a report cannot be written or sent."""

from __future__ import annotations

from datetime import date
from typing import Any

from aiogram.fsm.context import FSMContext
from aiogram.types import InlineKeyboardMarkup, Message
from aiogram.utils.keyboard import InlineKeyboardBuilder

from domain.money import format_rupiah
from domain.reports import MAX_LINKS, MAX_SCREENSHOTS
from handlers.member.reports.draft import (
    NUMBERS,
    ORDER,
    STATE_OF,
    EditCallback,
    Field,
    FlowAction,
    FlowCallback,
    ReportFlow,
    count_text,
)
from kernel.dates import day_param
from kernel.i18n import Translator
from services.reports import ReportError, ReportProblem

LINKS_SHOWN = 5
LINK_CHARS_SHOWN = 70


def prompt_text(field: Field, data: dict[str, Any], i18n: Translator, lang: str) -> str:
    if field is Field.LINKS:
        return i18n.t("report_flow.ask_links", lang, videos=data.get("videos", 0), max=MAX_LINKS)
    if field is Field.SCREENSHOTS:
        return i18n.t("report_flow.ask_screenshots", lang, max=MAX_SCREENSHOTS)
    key = f"report_flow.ask_{field.value}"
    maximum, money = NUMBERS[field]
    return i18n.t(key, lang, max=format_rupiah(maximum) if money else count_text(maximum))


async def ask(
    message: Message, state: FSMContext, field: Field, i18n: Translator, lang: str
) -> None:
    await state.set_state(STATE_OF[field])
    data = await state.get_data()
    await message.answer(prompt_text(field, data, i18n, lang))


def _short(link: str) -> str:
    return link if len(link) <= LINK_CHARS_SHOWN else link[: LINK_CHARS_SHOWN - 1] + "…"


def summary_text(data: dict[str, Any], i18n: Translator, lang: str) -> str:
    # A message holds 4096 characters: twenty long links would not fit.
    every = data.get("links") or []
    links = [_short(link) for link in every[:LINKS_SHOWN]]
    if len(every) > LINKS_SHOWN:
        links.append(i18n.t("report_flow.more_links", lang, count=len(every) - LINKS_SHOWN))
    return i18n.t(
        "report_flow.summary",
        lang,
        date=day_param(date.fromisoformat(data["day"])),
        videos=count_text(data["videos"]),
        links=i18n.join(links) if links else "-",
        views=count_text(data["views"]),
        orders=count_text(data["orders"]),
        sales=format_rupiah(data["sales"]),
        commission=format_rupiah(data["commission"]),
        screenshots=len(data.get("shots") or []),
    )


def summary_buttons(flow: str, i18n: Translator, lang: str) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    for action, key in (
        (FlowAction.SEND, "report_flow.send_button"),
        (FlowAction.EDIT, "report_flow.edit_button"),
        (FlowAction.CANCEL, "report_flow.cancel_button"),
    ):
        builder.button(text=i18n.t(key, lang), callback_data=FlowCallback(action=action, flow=flow))
    builder.adjust(1, 2)
    return builder.as_markup()


async def show_summary(message: Message, state: FSMContext, i18n: Translator, lang: str) -> None:
    await state.set_state(ReportFlow.summary)
    data = await state.get_data()
    await message.answer(
        summary_text(data, i18n, lang), reply_markup=summary_buttons(data["flow"], i18n, lang)
    )


async def next_step(
    message: Message, state: FSMContext, done: Field, i18n: Translator, lang: str
) -> None:
    """After a valid answer: the next field, or back to the summary when editing."""
    data = await state.get_data()
    if done is Field.VIDEOS and data["videos"] > 0 and not data.get("links"):
        await ask(message, state, Field.LINKS, i18n, lang)
        return
    if data.get("editing"):
        await show_summary(message, state, i18n, lang)
        return
    following = ORDER[ORDER.index(done) + 1]
    if following is Field.LINKS and data["videos"] == 0:
        following = Field.VIEWS
    await ask(message, state, following, i18n, lang)


def done_button(flow: str, i18n: Translator, lang: str) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    builder.button(
        text=i18n.t("report_flow.done_button", lang),
        callback_data=FlowCallback(action=FlowAction.DONE, flow=flow),
    )
    return builder.as_markup()


def edit_buttons(data: dict[str, Any], i18n: Translator, lang: str) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    for field in Field:
        if field is Field.LINKS and not data.get("videos"):
            continue
        builder.button(
            text=i18n.t(f"report_flow.field_{field.value}", lang),
            callback_data=EditCallback(field=field, flow=data["flow"]),
        )
    builder.button(
        text=i18n.t("report_flow.back_button", lang),
        callback_data=FlowCallback(action=FlowAction.BACK, flow=data["flow"]),
    )
    builder.adjust(2)
    return builder.as_markup()


def report_problem_text(error: ReportError, i18n: Translator, lang: str) -> str:
    if error.problem is ReportProblem.ALREADY_VALIDATED:
        return i18n.t("report_flow.already_validated", lang, date=error.params.get("date", "-"))
    if error.problem is ReportProblem.DAY_PASSED:
        return i18n.t("report_flow.day_passed", lang, date=error.params.get("date", "-"))
    if error.problem is ReportProblem.NO_MEMBERSHIP:
        return i18n.t("report_flow.no_membership", lang)
    if error.problem is ReportProblem.NOT_REGISTERED:
        return i18n.t("report_flow.not_registered", lang)
    return i18n.t("error.generic", lang)
