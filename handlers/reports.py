"""The daily report in private chat: a guided flow, a summary, Send / Edit / Cancel
(SPEC "Daily reports").

The draft lives in FSM data; the day it is for is fixed when the flow starts. Every
step accepts only what it asks for and says what it expects otherwise. Commands are
never swallowed by the flow: /report restarts it, /cancel drops the draft, any other
command goes on to its own router while the draft waits.

Summary buttons carry the draft's `flow` token, so a button of an older summary, a
second tap on Send, or a tap after Cancel is answered kindly and changes nothing.
Photos of an album arrive as concurrent updates: a per-person lock serialises the
read-modify-write of the draft so none is lost and never more than five are kept.
"""

from __future__ import annotations

import asyncio
import logging
import secrets
from datetime import date
from enum import StrEnum
from typing import Any

from aiogram import Bot, F, Router
from aiogram.exceptions import TelegramBadRequest, TelegramNetworkError
from aiogram.filters import Command, Filter, StateFilter
from aiogram.filters.callback_data import CallbackData
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from aiogram.utils.keyboard import InlineKeyboardBuilder

from domain.money import MoneyParseError, format_rupiah, parse_rupiah
from domain.reports import (
    MAX_COMMISSION,
    MAX_LINKS,
    MAX_ORDERS,
    MAX_SALES,
    MAX_SCREENSHOTS,
    MAX_VIDEOS,
    MAX_VIEWS,
    LinkParseError,
    ReportFigures,
    parse_count,
    parse_links,
)
from domain.states import ReportStatus
from handlers.common.callbacks import MenuAction, MenuCallback
from handlers.common.keyboards import main_menu
from kernel.i18n import Translator
from services.proof_images import MAX_PROOF_BYTES, ProofImageError, inspect_proof
from services.reports import ReportError, ReportProblem, ReportService, Screenshot

log = logging.getLogger(__name__)

IMAGE_EXTENSIONS = (".jpg", ".jpeg", ".png", ".webp")


class ReportFlow(StatesGroup):
    videos = State()
    links = State()
    views = State()
    orders = State()
    sales = State()
    commission = State()
    screenshots = State()
    summary = State()


class Field(StrEnum):
    VIDEOS = "videos"
    LINKS = "links"
    VIEWS = "views"
    ORDERS = "orders"
    SALES = "sales"
    COMMISSION = "commission"
    SCREENSHOTS = "screenshots"


STATE_OF = {
    Field.VIDEOS: ReportFlow.videos,
    Field.LINKS: ReportFlow.links,
    Field.VIEWS: ReportFlow.views,
    Field.ORDERS: ReportFlow.orders,
    Field.SALES: ReportFlow.sales,
    Field.COMMISSION: ReportFlow.commission,
    Field.SCREENSHOTS: ReportFlow.screenshots,
}
# The order of the guided flow (links are skipped when no video was posted).
ORDER = list(Field)

# Numbers: (maximum, is money).
NUMBERS: dict[Field, tuple[int, bool]] = {
    Field.VIDEOS: (MAX_VIDEOS, False),
    Field.VIEWS: (MAX_VIEWS, False),
    Field.ORDERS: (MAX_ORDERS, False),
    Field.SALES: (MAX_SALES, True),
    Field.COMMISSION: (MAX_COMMISSION, True),
}


class FlowAction(StrEnum):
    SEND = "send"
    EDIT = "edit"
    CANCEL = "cancel"
    DONE = "done"  # no more screenshots
    BACK = "back"  # from the edit choices back to the summary


class FlowCallback(CallbackData, prefix="rf"):
    action: FlowAction
    flow: str


class EditCallback(CallbackData, prefix="rfe"):
    field: Field
    flow: str


class NotCommand(Filter):
    """Anything but a command: commands go on to their own handlers."""

    async def __call__(self, message: Message) -> bool:
        return not (message.text or message.caption or "").startswith("/")


def _number(value: int) -> str:
    return f"{value:,}".replace(",", ".")


# ---------------------------------------------------------------------- per-person locks


class Locks:
    """One asyncio.Lock per person, for the read-modify-write of their draft."""

    def __init__(self) -> None:
        self._locks: dict[int, asyncio.Lock] = {}

    def of(self, user_id: int) -> asyncio.Lock:
        lock = self._locks.get(user_id)
        if lock is None:
            if len(self._locks) > 10_000:  # forget idle people so memory stays bounded
                self._locks = {k: v for k, v in self._locks.items() if v.locked()}
            lock = self._locks[user_id] = asyncio.Lock()
        return lock


# ---------------------------------------------------------------------- prompts and screens


def prompt_text(field: Field, data: dict[str, Any], i18n: Translator, lang: str) -> str:
    if field is Field.LINKS:
        return i18n.t("report_flow.ask_links", lang, videos=data.get("videos", 0), max=MAX_LINKS)
    if field is Field.SCREENSHOTS:
        return i18n.t("report_flow.ask_screenshots", lang, max=MAX_SCREENSHOTS)
    key = f"report_flow.ask_{field.value}"
    maximum, money = NUMBERS[field]
    return i18n.t(key, lang, max=format_rupiah(maximum) if money else _number(maximum))


async def ask(
    message: Message, state: FSMContext, field: Field, i18n: Translator, lang: str
) -> None:
    await state.set_state(STATE_OF[field])
    data = await state.get_data()
    await message.answer(prompt_text(field, data, i18n, lang))


LINKS_SHOWN = 5
LINK_CHARS_SHOWN = 70


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
        date=f"{date.fromisoformat(data['day']):%d-%m-%Y}",
        videos=_number(data["videos"]),
        links=i18n.join(links) if links else "-",
        views=_number(data["views"]),
        orders=_number(data["orders"]),
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


# ---------------------------------------------------------------------- starting


def problem_text(error: ReportError, i18n: Translator, lang: str) -> str:
    if error.problem is ReportProblem.ALREADY_VALIDATED:
        return i18n.t("report_flow.already_validated", lang, date=error.params.get("date", "-"))
    if error.problem is ReportProblem.DAY_PASSED:
        return i18n.t("report_flow.day_passed", lang, date=error.params.get("date", "-"))
    if error.problem is ReportProblem.NO_MEMBERSHIP:
        return i18n.t("report_flow.no_membership", lang)
    if error.problem is ReportProblem.NOT_REGISTERED:
        return i18n.t("report_flow.not_registered", lang)
    return i18n.t("error.generic", lang)


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
        await message.answer(problem_text(error, i18n, lang), reply_markup=main_menu(i18n, lang))
        return
    await state.set_state(None)
    await state.set_data({"day": day.isoformat(), "flow": secrets.token_hex(4), "shots": []})
    intro = i18n.t("report_flow.intro", lang, date=f"{day:%d-%m-%Y}")
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
    await state.set_state(None)
    await state.set_data({"closed": data.get("flow"), "closed_how": "cancelled"})
    await message.answer(i18n.t("report_flow.cancelled", lang), reply_markup=main_menu(i18n, lang))


# ---------------------------------------------------------------------- typed answers


def money_error_text(error: MoneyParseError, field: Field, i18n: Translator, lang: str) -> str:
    _, money = NUMBERS[field]
    shown = format_rupiah if money else _number
    kind = "money" if money else "count"
    return i18n.t(
        f"report_flow.{kind}_{error.code.value}",
        lang,
        max=shown(error.maximum),
        example={"key": f"report_flow.example_{field.value}"},
    )


def number_handler(field: Field) -> Any:
    maximum, money = NUMBERS[field]

    async def receive(message: Message, state: FSMContext, i18n: Translator, lang: str) -> None:
        text = message.text or ""
        try:
            value = (
                parse_rupiah(text, minimum=0, maximum=maximum)
                if money
                else parse_count(text, maximum=maximum)
            )
        except MoneyParseError as error:
            await message.answer(money_error_text(error, field, i18n, lang))
            return
        update: dict[str, Any] = {field.value: value}
        if field is Field.VIDEOS and value == 0:
            update["links"] = []
        await state.update_data(update)
        await next_step(message, state, field, i18n, lang)

    receive.__name__ = f"receive_{field.value}"
    return receive


async def receive_links(message: Message, state: FSMContext, i18n: Translator, lang: str) -> None:
    try:
        links = parse_links(message.text or "")
    except LinkParseError as error:
        await message.answer(
            i18n.t(f"report_flow.links_{error.code.value}", lang, given=error.given, max=MAX_LINKS)
        )
        return
    await state.update_data(links=list(links))
    data = await state.get_data()
    if data.get("editing"):
        await show_summary(message, state, i18n, lang)
    else:
        await ask(message, state, Field.VIEWS, i18n, lang)


async def wrong_kind(message: Message, state: FSMContext, i18n: Translator, lang: str) -> None:
    """A photo, sticker, voice note… where text is expected, or text where a screenshot is."""
    current = await state.get_state()
    data = await state.get_data()
    if current == ReportFlow.summary.state:
        await message.answer(i18n.t("report_flow.use_buttons", lang))
        return
    if current == ReportFlow.screenshots.state:
        have = len(data.get("shots") or [])
        key = "report_flow.want_screenshot_more" if have else "report_flow.want_screenshot"
        await message.answer(i18n.t(key, lang, have=have, max=MAX_SCREENSHOTS))
        return
    field = next(f for f, s in STATE_OF.items() if s.state == current)
    await message.answer(
        i18n.t("report_flow.want_text", lang, question=prompt_text(field, data, i18n, lang))
    )


# ---------------------------------------------------------------------- screenshots


class Shot(Filter):
    """A photo or any file (checked below): what a member sends as a screenshot."""

    async def __call__(self, message: Message) -> bool:
        return bool(message.photo) or message.document is not None


def done_button(flow: str, i18n: Translator, lang: str) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    builder.button(
        text=i18n.t("report_flow.done_button", lang),
        callback_data=FlowCallback(action=FlowAction.DONE, flow=flow),
    )
    return builder.as_markup()


def make_receive_screenshot(locks: Locks) -> Any:
    async def receive_screenshot(
        message: Message, bot: Bot, state: FSMContext, i18n: Translator, lang: str
    ) -> None:
        assert message.from_user is not None
        if message.photo:
            media_kind = "photo"
            size = message.photo[-1]  # the largest
            file_id, unique_id, declared = size.file_id, size.file_unique_id, size.file_size
        else:
            document = message.document
            assert document is not None
            mime = (document.mime_type or "").lower()
            name = (document.file_name or "").lower()
            if not (mime.startswith("image/") or name.endswith(IMAGE_EXTENSIONS)):
                await message.answer(i18n.t("report_flow.shot_not_image_file", lang))
                return
            media_kind = "document"
            file_id, unique_id, declared = (
                document.file_id,
                document.file_unique_id,
                document.file_size,
            )
        if declared is not None and declared > MAX_PROOF_BYTES:
            await message.answer(i18n.t("report_flow.shot_too_large", lang))
            return
        try:
            downloaded = await bot.download(file_id)
        except (TelegramBadRequest, TelegramNetworkError) as error:
            log.warning("Could not download a report screenshot: %s", error.message)
            await message.answer(i18n.t("report_flow.shot_download_failed", lang))
            return
        data = downloaded.read() if downloaded is not None else b""
        try:
            await asyncio.to_thread(inspect_proof, data)
        except ProofImageError as error:
            await message.answer(i18n.t(f"report_flow.shot_{error.problem.value}", lang))
            return
        async with locks.of(message.from_user.id):
            if await state.get_state() != ReportFlow.screenshots.state:
                # The fifth of an album already closed the list.
                await message.answer(i18n.t("report_flow.shot_too_many", lang, max=MAX_SCREENSHOTS))
                return
            draft = await state.get_data()
            shots: list[list[str]] = list(draft.get("shots") or [])
            if any(shot[1] == unique_id for shot in shots):
                await message.answer(i18n.t("report_flow.shot_duplicate", lang))
                return
            shots.append([file_id, unique_id, media_kind])
            await state.update_data(shots=shots)
            if len(shots) >= MAX_SCREENSHOTS:
                await message.answer(
                    i18n.t("report_flow.shot_full", lang, have=len(shots), max=MAX_SCREENSHOTS)
                )
                await show_summary(message, state, i18n, lang)
                return
            await message.answer(
                i18n.t("report_flow.shot_received", lang, have=len(shots), max=MAX_SCREENSHOTS),
                reply_markup=done_button(draft["flow"], i18n, lang),
            )

    return receive_screenshot


# ---------------------------------------------------------------------- buttons


async def _stale(
    query: CallbackQuery, data: dict[str, Any], flow: str, i18n: Translator, lang: str
) -> None:
    """A button of a draft that is no longer being written."""
    if data.get("closed") == flow and data.get("closed_how") == "sent":
        await query.answer(i18n.t("report_flow.already_sent", lang), show_alert=True)
    else:
        await query.answer(i18n.t("report_flow.no_draft", lang), show_alert=True)


def make_flow_button(locks: Locks) -> Any:
    async def flow_button(
        query: CallbackQuery,
        callback_data: FlowCallback,
        state: FSMContext,
        reports: ReportService,
        i18n: Translator,
        lang: str,
    ) -> None:
        async with locks.of(query.from_user.id):
            current = await state.get_state()
            data = await state.get_data()
            if data.get("flow") != callback_data.flow or current is None:
                await _stale(query, data, callback_data.flow, i18n, lang)
                return
            message = query.message
            if not isinstance(message, Message):
                await query.answer()
                return
            action = callback_data.action
            if action is FlowAction.DONE:
                if current != ReportFlow.screenshots.state:
                    await query.answer()
                    return
                if not data.get("shots"):
                    await query.answer(i18n.t("report_flow.done_too_early", lang), show_alert=True)
                    return
                await query.answer()
                await show_summary(message, state, i18n, lang)
                return
            if current != ReportFlow.summary.state:
                # A summary button while a field is being edited: ask that again.
                await query.answer(i18n.t("report_flow.finish_step_first", lang), show_alert=True)
                return
            if action is FlowAction.CANCEL:
                await state.set_state(None)
                await state.set_data({"closed": data["flow"], "closed_how": "cancelled"})
                await query.answer()
                await message.answer(
                    i18n.t("report_flow.cancelled", lang), reply_markup=main_menu(i18n, lang)
                )
                return
            if action is FlowAction.EDIT:
                await query.answer()
                await message.answer(
                    i18n.t("report_flow.edit_which", lang),
                    reply_markup=edit_buttons(data, i18n, lang),
                )
                return
            if action is FlowAction.BACK:
                await query.answer()
                await show_summary(message, state, i18n, lang)
                return
            await send_report(query, message, state, data, reports, i18n, lang)

    return flow_button


async def send_report(
    query: CallbackQuery,
    message: Message,
    state: FSMContext,
    data: dict[str, Any],
    reports: ReportService,
    i18n: Translator,
    lang: str,
) -> None:
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
            query.from_user.id, date.fromisoformat(data["day"]), figures, shots
        )
    except ReportError as error:
        await state.set_state(None)
        await state.set_data({"closed": data["flow"], "closed_how": "failed"})
        await query.answer()
        await message.answer(problem_text(error, i18n, lang), reply_markup=main_menu(i18n, lang))
        return
    await state.set_state(None)
    await state.set_data({"closed": data["flow"], "closed_how": "sent"})
    await query.answer(i18n.t("report_flow.sent_short", lang))
    key = "report_flow.sent_replaced" if view.replaced else "report_flow.sent"
    await message.answer(
        i18n.t(
            key,
            lang,
            date=f"{view.report_date:%d-%m-%Y}",
            commission=format_rupiah(view.figures.commission),
        ),
        reply_markup=main_menu(i18n, lang),
    )


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


def make_edit_button(locks: Locks) -> Any:
    async def edit_button(
        query: CallbackQuery,
        callback_data: EditCallback,
        state: FSMContext,
        i18n: Translator,
        lang: str,
    ) -> None:
        async with locks.of(query.from_user.id):
            current = await state.get_state()
            data = await state.get_data()
            if data.get("flow") != callback_data.flow or current is None:
                await _stale(query, data, callback_data.flow, i18n, lang)
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


# ---------------------------------------------------------------------- the router


def build_router() -> Router:
    router = Router(name="reports")
    router.message.filter(F.chat.type == "private")
    router.callback_query.filter(F.message.chat.type == "private")
    locks = Locks()
    in_flow = StateFilter(ReportFlow)
    router.message.register(begin, Command("report"))
    router.callback_query.register(begin, MenuCallback.filter(F.action == MenuAction.REPORT))
    router.message.register(cancel_command, Command("cancel"), in_flow)
    router.callback_query.register(make_flow_button(locks), FlowCallback.filter())
    router.callback_query.register(make_edit_button(locks), EditCallback.filter())
    for field, (_, _) in NUMBERS.items():
        router.message.register(
            number_handler(field), StateFilter(STATE_OF[field]), F.text, NotCommand()
        )
    router.message.register(receive_links, StateFilter(ReportFlow.links), F.text, NotCommand())
    router.message.register(
        make_receive_screenshot(locks), StateFilter(ReportFlow.screenshots), Shot()
    )
    router.message.register(wrong_kind, in_flow, NotCommand())
    return router
