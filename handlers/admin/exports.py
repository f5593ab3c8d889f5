"""/export in the admin group: what (members, payments, payouts, commissions), then the
period (this month, last month, 90 days, or typed dates), then the CSV as a document.

Every admin may export (bookkeeping is admins' work, and the files hold nothing an
admin cannot already read in the group: payment cards, /member, /ledger). Every tap and
every typed step checks the person again; a button carries the whole choice, so an old
panel's buttons still export what they say.
"""

from __future__ import annotations

from datetime import date

from aiogram import Router
from aiogram.filters import Command, StateFilter
from aiogram.filters.callback_data import CallbackData
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import BufferedInputFile, CallbackQuery, InlineKeyboardMarkup, Message
from aiogram.utils.keyboard import InlineKeyboardBuilder

from handlers.common.admin_command import AdminCall, admin_command, refusal_text
from handlers.common.admins import AdminGate
from handlers.common.asked import answer_of, ask
from handlers.common.filters import InAdminChat, allowed
from kernel.dates import DateText, day_param
from kernel.i18n import Translator
from services.exports import ExportError, ExportKind, ExportService, parse_days
from services.numbers import NumbersError, Period, PeriodKind

PROBLEMS = {ExportError: "exports.problem_{problem}", NumbersError: "exports.problem_{problem}"}


class ExportCallback(CallbackData, prefix="export"):
    """No kind: the kinds; a kind: its periods; a kind and a period: the file."""

    kind: ExportKind | None = None
    period: PeriodKind | None = None


class ExportDates(StatesGroup):
    waiting = State()


def kinds_markup(i18n: Translator, lang: str) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    for kind in ExportKind:
        builder.button(
            text=i18n.t(f"exports.kind.{kind.value}", lang), callback_data=ExportCallback(kind=kind)
        )
    builder.adjust(2)
    return builder.as_markup()


def periods_markup(kind: ExportKind, i18n: Translator, lang: str) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    for period in PeriodKind:
        builder.button(
            text=i18n.t(f"exports.period.{period.value}", lang),
            callback_data=ExportCallback(kind=kind, period=period),
        )
    builder.button(text=i18n.t("exports.back", lang), callback_data=ExportCallback())
    builder.adjust(2)
    return builder.as_markup()


def _kind_name(kind: ExportKind) -> dict[str, str]:
    return {"key": f"exports.kind_name.{kind.value}"}


def _day(day: date) -> DateText:
    return day_param(day)


@admin_command()
async def export_command(call: AdminCall, state: FSMContext) -> None:
    await state.clear()
    await call.message.reply(
        call.t("exports.choose_kind"), reply_markup=kinds_markup(call.i18n, call.lang)
    )


async def on_export_button(
    query: CallbackQuery,
    callback_data: ExportCallback,
    state: FSMContext,
    exports: ExportService,
    admins: AdminGate,
    i18n: Translator,
    lang: str,
) -> None:
    if not await allowed(query, admins, i18n, lang):
        return
    panel = query.message
    if not isinstance(panel, Message):  # too old for Telegram to show the bot
        await query.answer(i18n.t("exports.panel_gone", lang), show_alert=True)
        return
    kind, period = callback_data.kind, callback_data.period
    if period is None or kind is None:
        await state.clear()
        if kind is None:
            await panel.edit_text(
                i18n.t("exports.choose_kind", lang), reply_markup=kinds_markup(i18n, lang)
            )
        else:
            text = i18n.t("exports.choose_period", lang, kind=_kind_name(kind))
            await panel.edit_text(text, reply_markup=periods_markup(kind, i18n, lang))
        return
    if period is PeriodKind.CUSTOM:
        await query.answer()
        asked = await panel.answer(i18n.t("exports.ask_dates", lang, kind=_kind_name(kind)))
        await ask(state, ExportDates.waiting, asked, kind=kind.value)
        return
    await state.clear()
    await query.answer(i18n.t("exports.preparing", lang))
    await _send(panel, exports, kind, exports.period(period), i18n, lang)


async def _send(
    where: Message,
    exports: ExportService,
    kind: ExportKind,
    period: Period,
    i18n: Translator,
    lang: str,
) -> None:
    """The file in the chat (and topic) of `where`; a sentence instead when it is empty."""
    # Excel set up for Indonesia separates cells with ";" (its decimal mark is ",").
    delimiter = ";" if lang == "id" else ","
    file = await exports.export(kind, period, lambda key: i18n.t(key, lang), delimiter)
    days = {"first": _day(period.first_day), "last": _day(period.last_day)}
    if not file.rows:
        await where.answer(i18n.t("exports.empty", lang, kind=_kind_name(kind), **days))
        return
    await where.answer_document(
        BufferedInputFile(file.data, filename=file.name),
        caption=i18n.t("exports.caption", lang, kind=_kind_name(kind), rows=file.rows, **days),
    )


async def typed_dates(
    message: Message,
    state: FSMContext,
    exports: ExportService,
    admins: AdminGate,
    i18n: Translator,
    lang: str,
) -> None:
    """The dates typed for a custom period. A reply to another message (an answer to a
    member's question) or another command is not taken for them (handlers/common/asked.py)."""
    typed = await answer_of(message, state, admins, i18n, lang, "exports.cancelled")
    if typed is None:
        return
    text, asked = (typed[0] or "").strip(), typed[1]
    if not text:
        await message.reply(i18n.t("exports.dates_as_text", lang))
        return
    kind = ExportKind(asked["kind"])
    try:
        period = exports.custom_period(*parse_days(text))
    except (ExportError, NumbersError) as error:
        await message.reply(refusal_text(error, i18n, lang, PROBLEMS) or "")
        return
    await state.clear()
    await _send(message, exports, kind, period, i18n, lang)


def build_router() -> Router:
    router = Router(name="admin_exports")
    router.message.filter(InAdminChat())
    router.callback_query.filter(InAdminChat())
    router.message.register(export_command, Command("export"))
    router.message.register(typed_dates, StateFilter(ExportDates.waiting))
    router.callback_query.register(on_export_button, ExportCallback.filter())
    return router
