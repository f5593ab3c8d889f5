"""The dispatcher factory: routers, middlewares, FSM storage, dependencies."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import Dispatcher, Router
from aiogram.dispatcher.event.handler import FilterObject
from aiogram.exceptions import ClientDecodeError, TelegramAPIError
from aiogram.fsm.storage.base import BaseStorage
from aiogram.fsm.storage.memory import MemoryStorage
from aiogram.fsm.storage.redis import RedisStorage
from aiogram.types import ErrorEvent

from bot.container import Container
from bot.memory_trim import NoteUpdates
from bot.middlewares import AnswerEveryTap, LanguageMiddleware, ThrottlingMiddleware
from bot.settings import Settings
from handlers import all_routers
from handlers.common.config import HandlerConfig

log = logging.getLogger(__name__)


def make_storage(container: Container) -> BaseStorage:
    url = container.settings.REDIS_URL
    if url is None:
        return MemoryStorage()
    return RedisStorage.from_url(url.get_secret_value())


async def on_error(event: ErrorEvent, container: Container) -> bool:
    """Log the failure (scrubbed by the formatter) and tell the person kindly.

    When Telegram itself refused or kept failing after every retry of the sending
    layer, what the person asked for may well have been done (a reply that could not be
    delivered after the commit): no "something went wrong" then, and the apology would
    not get through either. A tap is answered only if nobody answered it yet."""
    error = event.exception
    from_telegram = isinstance(error, TelegramAPIError | ClientDecodeError)
    log.error("Update %s failed", event.update.update_id, exc_info=error)
    query = event.update.callback_query
    message = event.update.message
    answered = query is not None and container.sending.was_answered(query.id)
    if from_telegram:
        if query is not None and not answered:
            with contextlib.suppress(Exception):
                await query.answer()
        return True
    user = query.from_user if query else (message.from_user if message else None)
    lang = container.settings.DEFAULT_LANGUAGE
    if user is not None:
        lang = await container.members.language_of(user.id, user.language_code)
    text = container.i18n.t("error.generic", lang)
    try:
        if query is not None and not answered:
            await query.answer(text, show_alert=True)
        elif query is not None:
            tapped = query.message
            if tapped is not None and tapped.chat.type == "private":
                await container.bot.send_message(tapped.chat.id, text)
        elif message is not None and (
            message.chat.type == "private" or message.chat.id == container.settings.ADMIN_CHAT_ID
        ):
            await message.reply(text)
    except Exception:  # the apology is best effort; the error is logged above
        log.warning("Could not tell the user about the failed update")
    return True


def error_handler(container: Container) -> Callable[[ErrorEvent], Awaitable[bool]]:
    """on_error with the container bound: handlers never receive the container."""

    async def on_any_error(event: ErrorEvent) -> bool:
        return await on_error(event, container)

    return on_any_error


def handler_config(settings: Settings) -> HandlerConfig:
    return HandlerConfig(
        admin_chat_id=settings.ADMIN_CHAT_ID,
        default_language=settings.DEFAULT_LANGUAGE,
        zone=settings.zone,
        discussion_chat_id=settings.DISCUSSION_CHAT_ID,
        credentials_show_seconds=settings.CREDENTIALS_SHOW_SECONDS,
    )


def filters_inline(router: Router) -> int:
    """Makes every synchronous filter of `router` and the routers it includes run in
    the event loop; returns how many it changed.

    aiogram 3 runs a filter that is not a coroutine (every `F.…` magic filter, e.g. each
    router's `F.chat.type == "private"`) through asyncio.to_thread: a trip to a worker
    thread and back for reading an attribute, a dozen of them before a /me reaches its
    handler (9% of its time, ./scripts/bench mix). Ours only read the update, so they
    are called in place, with the same arguments."""
    changed = 0
    for each in router.chain_tail:
        for observer in each.observers.values():
            for handler in (observer._handler, *observer.handlers):
                for event_filter in handler.filters or ():
                    if not event_filter.awaitable:
                        _call_in_place(event_filter)
                        changed += 1
    return changed


def _call_in_place(event_filter: FilterObject) -> None:
    check = event_filter.callback

    async def in_place(*args: Any, **kwargs: Any) -> Any:
        return check(*args, **kwargs)

    event_filter.callback = in_place
    event_filter.awaitable = True


def build_dispatcher(container: Container, storage: BaseStorage | None = None) -> Dispatcher:
    dp = Dispatcher(
        storage=storage or make_storage(container),
        config=handler_config(container.settings),
        i18n=container.i18n,
        clock=container.clock,
        members=container.members,
        payments=container.payments,
        admins=container.admins,
        member_lookup=container.member_lookup,
        memberships=container.memberships,
        catalog=container.catalog,
        reports=container.reports,
        ledger=container.ledger,
        leaders=container.leaders,
        access=container.access,
        affiliates=container.affiliates,
        announcements=container.announcements,
        dashboard=container.dashboard,
        lifecycle=container.lifecycle,
        group_actions=container.group_actions,
        questions=container.questions,
        numbers=container.numbers,
        exports=container.exports,
        library=container.library,
        meetings=container.meetings,
    )
    language = LanguageMiddleware(container.members)
    clock = container.clock
    throttle = ThrottlingMiddleware(
        container.i18n,
        burst=container.settings.THROTTLE_BURST,
        monotonic=lambda: clock.now().timestamp(),
    )
    if container.memory_trim is not None:
        dp.update.outer_middleware(NoteUpdates(container.memory_trim))
    for observer in (dp.message, dp.callback_query):
        observer.outer_middleware(language)
        observer.outer_middleware(throttle)
    dp.callback_query.outer_middleware(AnswerEveryTap(container.sending.was_answered))
    dp.errors.register(error_handler(container))
    dp.include_routers(*all_routers())
    filters_inline(dp)
    return dp
