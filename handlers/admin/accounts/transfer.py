"""Accounts in bulk: /importaccounts (then the CSV document, or the document with that
caption) and /exportaccounts. An imported file may hold logins in plain text: it leaves
the chat as soon as it is answered."""

from __future__ import annotations

import logging
import re

from aiogram import Bot
from aiogram.exceptions import TelegramBadRequest, TelegramForbiddenError
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import BufferedInputFile, Message

from handlers.admin.accounts.views import forget, problem_text
from handlers.common.admin_command import AdminCall, actor, admin_command, reply_lines
from handlers.common.admins import AdminGate
from handlers.common.config import HandlerConfig
from handlers.common.filters import allowed
from kernel.clock import Clock
from kernel.i18n import Translator
from services.affiliates import (
    MAX_IMPORT_BYTES,
    MAX_IMPORT_ROWS,
    AffiliateError,
    AffiliateService,
    ImportResult,
)

log = logging.getLogger(__name__)

ERRORS_SHOWN = 20  # bad rows named in an import reply; the rest are counted
CSV_TYPES = frozenset(
    {"text/csv", "text/plain", "application/csv", "application/vnd.ms-excel", "text/x-csv"}
)
EXCEL_NAMES = re.compile(r"\.(xlsx|xlsm|xls|ods|numbers)$", re.IGNORECASE)


class ImportAccounts(StatesGroup):
    waiting = State()


@admin_command()
async def import_command(
    call: AdminCall, bot: Bot, state: FSMContext, affiliates: AffiliateService
) -> None:
    if call.message.document is not None:  # the file came with the command as its caption
        await import_document(call.message, bot, affiliates, call.i18n, call.lang)
        return
    await state.set_state(ImportAccounts.waiting)
    await call.say("affiliates.import_prompt", rows=MAX_IMPORT_ROWS, size=MAX_IMPORT_BYTES // 1000)


async def import_waiting(
    message: Message,
    bot: Bot,
    state: FSMContext,
    affiliates: AffiliateService,
    admins: AdminGate,
    i18n: Translator,
    lang: str,
) -> None:
    text = (message.text or "").strip()
    if text.startswith("/cancel"):
        await state.clear()
        await message.reply(i18n.t("affiliates.import_cancelled", lang))
        return
    if message.document is None:
        await message.reply(i18n.t("affiliates.import_waiting", lang))
        return
    if not await allowed(message, admins, i18n, lang):
        await state.clear()
        return
    if await import_document(message, bot, affiliates, i18n, lang):
        await state.clear()


async def import_document(
    message: Message, bot: Bot, affiliates: AffiliateService, i18n: Translator, lang: str
) -> bool:
    """Check, fetch and import the document; False when the admin should send another."""
    document = message.document
    assert document is not None
    name = document.file_name or "?"
    mime = (document.mime_type or "").lower()
    if EXCEL_NAMES.search(name):
        await message.reply(i18n.t("affiliates.import_excel", lang, name=name[:64]))
        return False
    if not name.lower().endswith((".csv", ".txt")) and mime not in CSV_TYPES:
        await message.reply(i18n.t("affiliates.import_not_csv", lang, name=name[:64]))
        return False
    if document.file_size is not None and document.file_size > MAX_IMPORT_BYTES:
        await message.reply(
            i18n.t(
                "affiliates.problem_file_too_big",
                lang,
                size=document.file_size,
                max=MAX_IMPORT_BYTES // 1000,
            )
        )
        return False
    try:
        downloaded = await bot.download(document.file_id)
    except (TelegramBadRequest, TelegramForbiddenError) as error:
        log.warning("Could not download an accounts CSV: %s", error.message)
        await message.reply(i18n.t("affiliates.import_download_failed", lang))
        return False
    data = downloaded.read() if downloaded is not None else b""
    assert message.from_user is not None
    try:
        result = await affiliates.import_csv(data, actor(message.from_user))
    except AffiliateError as error:
        await message.reply(problem_text(error, i18n, lang))
        imported = False
    else:
        await reply_lines(message, import_lines(result, i18n, lang))
        imported = bool(result.imported)
    # The file may hold logins and passwords in plain text: it leaves the chat once
    # answered, whatever the import decided (a fixed file is sent again anyway).
    await forget(message, bot, i18n, lang)
    return imported


def import_lines(result: ImportResult, i18n: Translator, lang: str) -> list[str]:
    if not result.errors:
        return [
            i18n.t(
                "affiliates.import_done", lang, count=result.imported, with_login=result.with_login
            )
        ]
    lines = [i18n.t("affiliates.import_rejected", lang, bad=len(result.errors), rows=result.rows)]
    for error in result.errors[:ERRORS_SHOWN]:
        issues = i18n.join(
            (
                i18n.t(f"affiliates.row_{issue.problem.value}", lang, **issue.params)
                for issue in error.issues
            ),
            "; ",
        )
        lines.append(i18n.t("affiliates.import_row", lang, line=error.line, issues=issues))
    if len(result.errors) > ERRORS_SHOWN:
        lines.append(
            i18n.t("affiliates.import_more", lang, count=len(result.errors) - ERRORS_SHOWN)
        )
    return lines


@admin_command()
async def export_command(
    call: AdminCall, affiliates: AffiliateService, config: HandlerConfig, clock: Clock
) -> None:
    export = await affiliates.export()
    if not export.total:
        await call.say("affiliates.export_empty")
        return
    stamp = f"{clock.now().astimezone(config.zone):%Y%m%d-%H%M}"
    await call.message.reply_document(
        BufferedInputFile(export.data, filename=f"affiliate-accounts-{stamp}.csv"),
        caption=call.t("affiliates.export_caption", count=export.total),
    )
