"""An affiliate account's holder sees its login (issue item 5).

Only in the private chat, only the holder: the login comes in a message the bot
deletes after CREDENTIALS_SHOW_SECONDS (an outbox action queued at once, so a restart
does not forget it). Anyone else, no stored login, or keys that cannot open it: a
short, kind answer (a key problem also alerts the admin group, once a day). The login
is never logged.
"""

from __future__ import annotations

import logging
import math
from datetime import timedelta

from aiogram import Bot, Router
from aiogram.types import CallbackQuery

from handlers.common.callbacks import CredentialsCallback
from handlers.common.config import HandlerConfig
from kernel.i18n import Translator
from services.affiliates import AffiliateError, AffiliateProblem, AffiliateService, CredentialsError

log = logging.getLogger(__name__)


async def show_login(
    query: CallbackQuery,
    bot: Bot,
    affiliates: AffiliateService,
    config: HandlerConfig,
    i18n: Translator,
    lang: str,
) -> None:
    message = query.message
    if message is None or message.chat.type != "private" or message.chat.id != query.from_user.id:
        await query.answer(i18n.t("affiliates.reveal_private_only", lang), show_alert=True)
        return
    try:
        held, login = await affiliates.credentials_for(query.from_user.id)
    except AffiliateError as error:
        key = (
            "affiliates.reveal_no_login"
            if error.problem is AffiliateProblem.NO_LOGIN
            else "affiliates.reveal_no_account"
        )
        await query.answer(i18n.t(key, lang), show_alert=True)
        return
    except CredentialsError as error:
        log.warning("A holder's login could not be opened: %s", error.problem.value)
        await query.answer(i18n.t("affiliates.reveal_key_problem", lang), show_alert=True)
        return
    await query.answer()
    seconds = config.credentials_show_seconds
    sent = await bot.send_message(
        query.from_user.id,
        i18n.t(
            "affiliates.reveal",
            lang,
            username=held.username,
            login=login.login,
            password=login.password,
            minutes=max(1, math.ceil(seconds / 60)),
        ),
        protect_content=True,
    )
    await affiliates.forget_later(query.from_user.id, sent.message_id, timedelta(seconds=seconds))


def build_router() -> Router:
    router = Router(name="affiliate")
    router.callback_query.register(show_login, CredentialsCallback.filter())
    return router
