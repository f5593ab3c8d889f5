"""/announcements (the history, page by page) and the pause / resume / cancel buttons
on it and on the progress message. Every tap checks the person again; the service's
compare-and-set decides, so a second tap is told that nothing changed."""

from __future__ import annotations

import logging

from aiogram import Bot
from aiogram.exceptions import TelegramBadRequest
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message

from handlers.admin.announcements.callbacks import (
    FROM_PROGRESS,
    AnnouncementControlCallback,
    HistoryCallback,
)
from handlers.admin.announcements.compose import problem
from handlers.admin.announcements.views import (
    history_markup,
    history_text,
    progress_markup,
    progress_text,
    status_name,
)
from handlers.common.admin_command import AdminCall, actor, admin_command
from handlers.common.admins import AdminGate
from handlers.common.config import HandlerConfig
from handlers.common.filters import allowed
from kernel.i18n import Translator
from services.announcements import AnnouncementError, AnnouncementService

log = logging.getLogger(__name__)


@admin_command()
async def history_command(
    call: AdminCall, announcements: AnnouncementService, config: HandlerConfig
) -> None:
    page = await announcements.history(0)
    await call.message.reply(
        history_text(page, call.i18n, call.lang, config.zone),
        reply_markup=history_markup(page, call.i18n, call.lang),
    )


async def on_history_page(
    query: CallbackQuery,
    callback_data: HistoryCallback,
    bot: Bot,
    announcements: AnnouncementService,
    admins: AdminGate,
    i18n: Translator,
    lang: str,
    config: HandlerConfig,
) -> None:
    if not await allowed(query, admins, i18n, lang):
        return
    await query.answer()
    if isinstance(query.message, Message):
        await _show_page(bot, query.message, announcements, callback_data.page, i18n, lang, config)


async def on_control(
    query: CallbackQuery,
    callback_data: AnnouncementControlCallback,
    bot: Bot,
    announcements: AnnouncementService,
    admins: AdminGate,
    i18n: Translator,
    lang: str,
    config: HandlerConfig,
) -> None:
    if not await allowed(query, admins, i18n, lang):
        return
    try:
        result = await announcements.control(
            callback_data.announcement_id, callback_data.action, actor(query.from_user)
        )
    except AnnouncementError as error:
        await query.answer(problem(error, i18n, lang), show_alert=True)
        return
    record = result.announcement
    if not result.changed:
        status = status_name(record, i18n, lang, config.zone)
        await query.answer(
            i18n.t("announce.unchanged", lang, id=record.id, status=status), show_alert=True
        )
    else:
        await query.answer(
            i18n.t(f"announce.done_{callback_data.action.value}", lang, id=record.id)
        )
    message = query.message
    if not isinstance(message, Message):
        return
    if callback_data.page == FROM_PROGRESS:
        rate = announcements.rate
        await _edit(
            bot, message, progress_text(record, i18n, lang, config.zone, rate),
            progress_markup(record, i18n, lang),
        )  # fmt: skip
        return
    await _show_page(bot, message, announcements, callback_data.page, i18n, lang, config)
    if record.status_chat_id is not None and record.status_message_id is not None:
        try:  # the progress message shows the new state too (the sender edits it later)
            await bot.edit_message_text(
                text=progress_text(record, i18n, lang, config.zone, announcements.rate),
                chat_id=record.status_chat_id,
                message_id=record.status_message_id,
                reply_markup=progress_markup(record, i18n, lang),
            )
        except TelegramBadRequest as error:
            log.info("Progress of announcement %s not edited: %s", record.id, error.message)


async def _show_page(
    bot: Bot,
    message: Message,
    announcements: AnnouncementService,
    number: int,
    i18n: Translator,
    lang: str,
    config: HandlerConfig,
) -> None:
    page = await announcements.history(number)
    await _edit(
        bot, message, history_text(page, i18n, lang, config.zone), history_markup(page, i18n, lang)
    )


async def _edit(bot: Bot, message: Message, text: str, markup: InlineKeyboardMarkup | None) -> None:
    try:
        await bot.edit_message_text(
            text=text, chat_id=message.chat.id, message_id=message.message_id,
            reply_markup=markup or InlineKeyboardMarkup(inline_keyboard=[]),
        )  # fmt: skip
    except TelegramBadRequest as error:
        if "not modified" not in error.message:
            log.info("Announcement screen not edited: %s", error.message)
