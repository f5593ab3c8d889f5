"""/numbers in the admin group: the period picker, one screen with every number, the
leaders page by page, a custom period typed as two days, and the charts as photos.

Every admin may open it (the issue calls them the owner's numbers, but the admins run
the community day to day and see the same payments and payouts anyway); every tap checks
the person again. A custom period is refused kindly when unreadable, reversed, starting
after today or too long; a tap whose payload no longer fits (forged, or the days of an
old custom screen that is now refused) is answered with why, nothing else happens.
"""

from __future__ import annotations

import asyncio
import html
import logging
import re
from typing import Any

from aiogram import Bot
from aiogram.dispatcher.event.bases import SkipHandler
from aiogram.exceptions import TelegramBadRequest
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import (
    BufferedInputFile,
    CallbackQuery,
    InlineKeyboardMarkup,
    InputMediaPhoto,
    Message,
)

from domain.numbers import Period, PeriodKind
from handlers.admin.numbers import charts
from handlers.admin.numbers.callbacks import NumbersAction, NumbersCallback, days_of
from handlers.admin.numbers.views import (
    Community,
    UnreadableDays,
    day_text,
    example_days,
    parse_days,
    period_name,
    picker_markup,
    screen_markup,
    screen_text,
)
from handlers.common.admin_command import (
    AdminCall,
    Problems,
    ReplyInstead,
    admin_command,
    refusal_text,
)
from handlers.common.admins import AdminGate
from handlers.common.config import HandlerConfig
from handlers.common.filters import allowed
from kernel.i18n import Translator
from services.library import LibraryService
from services.meetings import MeetingService
from services.numbers import (
    MAX_CUSTOM_DAYS,
    NumbersError,
    NumbersService,
    OwnerNumbers,
    Trends,
)

log = logging.getLogger(__name__)

_TAG = re.compile(r"</?code>")

PROBLEMS: Problems = {NumbersError: "numbers.problem_{problem}"}


class NumbersInput(StatesGroup):
    days = State()  # waiting for "1-11-2026 30-11-2026"


async def read(
    period: Period,
    numbers: NumbersService,
    meetings: MeetingService,
    library: LibraryService,
    *,
    anew: bool = False,
) -> tuple[OwnerNumbers, Community]:
    """The period's numbers (counted within the last minutes, or `anew`) and its
    community half, both up to the same moment."""
    found = await (numbers.report(period) if anew else numbers.latest(period))
    attendance = await meetings.attendance(period.start, found.as_of)
    views = await library.views(period.start, found.as_of)
    return found, Community(attendance, views)


def _example(numbers: NumbersService) -> str:
    return example_days(numbers.period(PeriodKind.LAST_MONTH))


def _typed_period(text: str, numbers: NumbersService, i18n: Translator, lang: str) -> Period:
    """The custom period typed as two days (refusals raise NumbersError)."""
    example = _example(numbers)
    try:
        first, last = parse_days(text)
    except UnreadableDays as wrong:
        if wrong.bad_day is not None:
            raise ReplyInstead(
                i18n.t("numbers.custom_bad_day", lang, day=wrong.bad_day, example=example)
            ) from None
        raise ReplyInstead(i18n.t("numbers.custom_unreadable", lang, example=example)) from None
    return numbers.custom_period(first, last)


@admin_command(problems=PROBLEMS)
async def numbers_command(
    call: AdminCall,
    numbers: NumbersService,
    meetings: MeetingService,
    library: LibraryService,
    state: FSMContext,
    config: HandlerConfig,
) -> None:
    """`/numbers`: the period picker; `/numbers 1-11-2026 30-11-2026`: that period."""
    if await state.get_state() == NumbersInput.days.state:
        await state.clear()
    if not call.args:
        await call.message.reply(
            call.t("numbers.pick"), reply_markup=picker_markup(call.i18n, call.lang)
        )
        return
    call.problem_params["example"] = _example(numbers)
    period = _typed_period(call.args, numbers, call.i18n, call.lang)
    found, community = await read(period, numbers, meetings, library)
    await call.message.reply(
        screen_text(found, 0, call.i18n, call.lang, config.zone, community),
        reply_markup=screen_markup(found, 0, call.i18n, call.lang),
    )


async def typed_days(
    message: Message,
    state: FSMContext,
    numbers: NumbersService,
    meetings: MeetingService,
    library: LibraryService,
    admins: AdminGate,
    i18n: Translator,
    lang: str,
    config: HandlerConfig,
) -> None:
    """The days of a custom period, typed after "Periode lain…".

    Admins also talk to each other in the group: what is neither a reply to the prompt
    nor holds a digit is left to the others (a reply to a member's question is an
    answer), and the prompt keeps waiting."""
    asked: dict[str, Any] = await state.get_data()
    replied = message.reply_to_message
    to_prompt = replied is not None and replied.message_id == asked.get("prompt")
    if replied is not None and not to_prompt:
        raise SkipHandler  # a reply to something else (a member's question): not ours
    text = (message.text or "").strip()
    cancel = text.lower() in {"batal", "cancel", "/cancel"} or text.startswith("/cancel@")
    if not (cancel or to_prompt or any(c.isdigit() for c in text)):
        raise SkipHandler
    if not await allowed(message, admins, i18n, lang):
        return
    if cancel:
        await state.clear()
        await message.reply(i18n.t("numbers.custom_cancelled", lang))
        return
    try:
        period = _typed_period(text, numbers, i18n, lang)
    except ReplyInstead as instead:
        await message.reply(instead.text)
        return
    except NumbersError as error:
        await message.reply(_problem(error, numbers, i18n, lang))
        return
    await state.clear()
    found, community = await read(period, numbers, meetings, library)
    await message.reply(
        screen_text(found, 0, i18n, lang, config.zone, community),
        reply_markup=screen_markup(found, 0, i18n, lang),
    )


def _problem(error: NumbersError, numbers: NumbersService, i18n: Translator, lang: str) -> str:
    text = refusal_text(error, i18n, lang, PROBLEMS, example=_example(numbers))
    assert text is not None
    return text


async def on_numbers(
    query: CallbackQuery,
    callback_data: NumbersCallback,
    bot: Bot,
    state: FSMContext,
    numbers: NumbersService,
    meetings: MeetingService,
    library: LibraryService,
    admins: AdminGate,
    i18n: Translator,
    lang: str,
    config: HandlerConfig,
) -> None:
    if not await allowed(query, admins, i18n, lang):
        return
    message = query.message
    if not isinstance(message, Message):
        await query.answer(i18n.t("error.stale_button", lang), show_alert=True)
        return
    action = callback_data.action
    if action is NumbersAction.PICK:
        await query.answer()
        await _edit(bot, message, i18n.t("numbers.pick", lang), picker_markup(i18n, lang))
        return
    if action is NumbersAction.CUSTOM:
        await query.answer()
        prompt = await message.answer(
            i18n.t("numbers.ask_custom", lang, example=_example(numbers), days=MAX_CUSTOM_DAYS)
        )
        await state.set_state(NumbersInput.days)
        await state.update_data(prompt=prompt.message_id)
        return
    try:
        period = _period_of(callback_data, numbers)
    except NumbersError as error:
        # A popup shows no HTML: the example's <code> goes (the surfaces layer unescapes).
        popup = _TAG.sub("", _problem(error, numbers, i18n, lang))
        await query.answer(popup, show_alert=True)
        return
    if period is None:
        await query.answer(i18n.t("error.stale_button", lang), show_alert=True)
        return
    if action is NumbersAction.CHARTS:
        await query.answer(i18n.t("numbers.drawing", lang))
        await _send_charts(message, numbers, period, i18n, lang)
        return
    await query.answer()
    anew = action is NumbersAction.REFRESH
    found, community = await read(period, numbers, meetings, library, anew=anew)
    page = callback_data.page
    await _edit(
        bot,
        message,
        screen_text(found, page, i18n, lang, config.zone, community),
        screen_markup(found, page, i18n, lang),
    )


def _period_of(data: NumbersCallback, numbers: NumbersService) -> Period | None:
    if data.kind is PeriodKind.CUSTOM:
        days = days_of(data)
        return None if days is None else numbers.custom_period(*days)
    return numbers.period(data.kind)


def chart_texts(i18n: Translator, lang: str) -> charts.ChartTexts:
    """The charts' words, as plain text (the translator escapes for HTML messages)."""

    def t(key: str) -> str:
        return html.unescape(i18n.t(f"numbers.chart_{key}", lang))

    return charts.ChartTexts(
        revenue=t("revenue"),
        members=t("members"),
        funnel=t("funnel"),
        funnel_basic=t("funnel_basic"),
        funnel_converted=t("funnel_converted"),
        funnel_new_vips=t("funnel_new_vips"),
        retention=t("retention"),
        target=t("target"),
        no_data=t("no_data"),
        months=tuple(i18n.t("numbers.months", lang).split(",")),
    )


def draw_all(found: OwnerNumbers, trends: Trends, texts: charts.ChartTexts) -> list[bytes]:
    """The four charts, in the order they are sent (run in a worker thread)."""
    return [
        charts.revenue_chart(trends.revenue_by_month, texts),
        charts.members_chart(trends.members_by_week, texts),
        charts.funnel_chart(found.conversion, texts),
        charts.retention_chart(trends.retention_by_month, texts),
    ]


async def _send_charts(
    message: Message, numbers: NumbersService, period: Period, i18n: Translator, lang: str
) -> None:
    found = await numbers.latest(period)
    trends = await numbers.trends(period)
    images = await asyncio.to_thread(draw_all, found, trends, chart_texts(i18n, lang))
    caption = i18n.t(
        "numbers.charts_caption",
        lang,
        last=day_text(period.last_day, i18n, lang),
        period=period_name(period, i18n, lang),
    )
    names = ("revenue", "members", "funnel", "retention")
    media = [
        InputMediaPhoto(
            media=BufferedInputFile(image, filename=f"{name}.png"),
            caption=caption if index == 0 else None,
        )
        for index, (name, image) in enumerate(zip(names, images, strict=True))
    ]
    await message.answer_media_group(media=media)  # type: ignore[arg-type]


async def _edit(bot: Bot, message: Message, text: str, markup: InlineKeyboardMarkup) -> None:
    try:
        await bot.edit_message_text(
            text=text, chat_id=message.chat.id, message_id=message.message_id, reply_markup=markup
        )
    except TelegramBadRequest as error:
        if "not modified" not in error.message:
            log.info("Numbers screen not edited: %s", error.message)
