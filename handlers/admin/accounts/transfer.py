"""Accounts in bulk: /importaccounts (then the CSV document, or the document with that
caption) and /exportaccounts. An imported file may hold logins in plain text: it leaves
the chat as soon as it is answered.

While it waits for the file, the admin's next message in that topic, or a reply to the
wait's last message, is for the import; a reply to anything else (a member's question)
or a message in another topic goes on to the areas after this one, and another command
ends the wait and runs as usual."""

from __future__ import annotations

import logging
import re

from aiogram import Bot
from aiogram.dispatcher.event.bases import SkipHandler
from aiogram.exceptions import TelegramBadRequest, TelegramForbiddenError
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import BufferedInputFile, Message

from handlers.admin.accounts.views import forget, problem_text
from handlers.common.admin_command import (
    MESSAGE_BUDGET,
    AdminCall,
    actor,
    admin_command,
    reply_lines,
)
from handlers.common.admins import AdminGate
from handlers.common.asked import elsewhere, remember
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
    await remember(state, await call.message.reply(await begin(state, call.i18n, call.lang)))


async def begin(state: FSMContext, i18n: Translator, lang: str) -> str:
    """Wait for the file (/importaccounts, or 📥 on the accounts screen): what to send."""
    await state.set_state(ImportAccounts.waiting)
    return i18n.t(
        "affiliates.import_prompt", lang, rows=MAX_IMPORT_ROWS, size=MAX_IMPORT_BYTES // 1000
    )


async def import_waiting(
    message: Message,
    bot: Bot,
    state: FSMContext,
    affiliates: AffiliateService,
    admins: AdminGate,
    i18n: Translator,
    lang: str,
) -> None:
    if elsewhere(message, await state.get_data()):
        raise SkipHandler  # e.g. an answer to a member's question
    text = (message.text or "").strip()
    if text.startswith("/"):
        await state.clear()
        if text.split()[0].split("@")[0] != "/cancel":
            raise SkipHandler  # another command ends the wait and runs as usual
        await message.reply(i18n.t("affiliates.import_cancelled", lang))
        return
    if not await allowed(message, admins, i18n, lang):
        await state.clear()
        return
    if message.document is None:
        await remember(state, await message.reply(i18n.t("affiliates.import_waiting", lang)))
        return
    if await import_document(message, bot, affiliates, i18n, lang, state):
        await state.clear()


async def import_document(
    message: Message,
    bot: Bot,
    affiliates: AffiliateService,
    i18n: Translator,
    lang: str,
    waiting: FSMContext | None = None,
) -> bool:
    """Check, fetch and import the document; False when the admin should send another
    (with `waiting`, the wait for the file: a reply to what was answered is for it)."""

    async def say(text: str) -> None:
        sent = await message.reply(text)
        if waiting is not None:
            await remember(waiting, sent)

    document = message.document
    assert document is not None
    name = document.file_name or "?"
    mime = (document.mime_type or "").lower()
    if EXCEL_NAMES.search(name):
        await say(i18n.t("affiliates.import_excel", lang, name=name[:64]))
        return False
    if not name.lower().endswith((".csv", ".txt")) and mime not in CSV_TYPES:
        await say(i18n.t("affiliates.import_not_csv", lang, name=name[:64]))
        return False
    if document.file_size is not None and document.file_size > MAX_IMPORT_BYTES:
        await say(
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
        await say(i18n.t("affiliates.import_download_failed", lang))
        return False
    data = downloaded.read() if downloaded is not None else b""
    assert message.from_user is not None
    try:
        result = await affiliates.import_csv(data, actor(message.from_user))
    except AffiliateError as error:
        await say(problem_text(error, i18n, lang))
        imported = False
    else:
        lines = import_lines(result, i18n, lang)
        answer = "\n".join(lines)
        if len(answer) <= MESSAGE_BUDGET:
            await say(answer)
        else:
            await reply_lines(message, lines)
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
    await send_export(call.message, affiliates, config, clock, call.i18n, call.lang)


async def send_export(
    message: Message,
    affiliates: AffiliateService,
    config: HandlerConfig,
    clock: Clock,
    i18n: Translator,
    lang: str,
) -> None:
    """Every account as CSV (never a login), as a reply to `message`."""
    export = await affiliates.export()
    if not export.total:
        await message.reply(i18n.t("affiliates.export_empty", lang))
        return
    stamp = f"{clock.now().astimezone(config.zone):%Y%m%d-%H%M}"
    await message.reply_document(
        BufferedInputFile(export.data, filename=f"affiliate-accounts-{stamp}.csv"),
        caption=i18n.t("affiliates.export_caption", lang, count=export.total),
    )
