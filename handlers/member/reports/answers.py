"""The typed answers of the report flow, one handler per question: the numbers, the
video links, and whatever arrives where text (or a screenshot) is expected."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from aiogram.fsm.context import FSMContext
from aiogram.types import Message

from domain.money import MoneyParseError, format_rupiah, parse_rupiah
from domain.reports import MAX_LINKS, MAX_SCREENSHOTS, LinkParseError, parse_count, parse_links
from handlers.member.reports.draft import NUMBERS, STATE_OF, Field, ReportFlow, count_text
from handlers.member.reports.screens import ask, next_step, prompt_text, show_summary
from kernel.i18n import Translator

Answer = Callable[[Message, FSMContext, Translator, str], Awaitable[None]]


def money_error_text(error: MoneyParseError, field: Field, i18n: Translator, lang: str) -> str:
    _, money = NUMBERS[field]
    shown = format_rupiah if money else count_text
    kind = "money" if money else "count"
    return i18n.t(
        f"report_flow.{kind}_{error.code.value}",
        lang,
        max=shown(error.maximum),
        example={"key": f"report_flow.example_{field.value}"},
    )


def number_handler(field: Field) -> Answer:
    """The handler of one number question (`field`): parse, keep, ask the next."""
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
