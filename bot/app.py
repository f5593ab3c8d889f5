"""Running the bot: polling or webhook, the outbox relay and the scheduler beside it,
clean stop."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
import signal
from urllib.parse import urlsplit

from aiogram import Bot, Dispatcher
from aiogram.exceptions import TelegramBadRequest, TelegramNetworkError
from aiogram.types import BotCommand, BotCommandScopeAllPrivateChats, BotCommandScopeChat
from aiogram.webhook.aiohttp_server import setup_application
from aiohttp import web

from bot.container import Container
from bot.health import add_health_route
from bot.jobs import Scheduler, build_scheduler
from bot.startup_checks import check_admin_group
from bot.webhook import WebhookHandler
from kernel.i18n import Translator

log = logging.getLogger(__name__)

PRIVATE_COMMANDS = (
    "start",
    "buy",
    "me",
    "report",
    "balance",
    "team",
    "cancel",
    "help",
    "language",
)
ADMIN_COMMANDS = (
    "menu",
    "pending",
    "questions",
    "signature",
    "member",
    "grant",
    "revoke",
    "plans",
    "setprice",
    "addplan",
    "retireplan",
    "unretireplan",
    "methods",
    "addmethod",
    "methodoff",
    "methodon",
    "reports",
    "ledger",
    "payout",
    "setleader",
    "leaderhistory",
    "structures",
    "addstructure",
    "accounts",
    "account",
    "addaccount",
    "importaccounts",
    "exportaccounts",
    "assignaccount",
    "unassignaccount",
    "accountstatus",
    "cartverified",
    "accountnote",
    "announce",
    "announcements",
    "numbers",
    "export",
    "library",
    "meetings",
)


async def register_commands(bot: Bot, i18n: Translator, admin_chat_id: int) -> None:
    """The command menus in both languages (Indonesian is the default list): members'
    in private chats, admins' in the admin group only."""
    menus = (
        (BotCommandScopeAllPrivateChats(), PRIVATE_COMMANDS),
        (BotCommandScopeChat(chat_id=admin_chat_id), ADMIN_COMMANDS),
    )
    for scope, names in menus:
        for language, code in (("id", None), ("en", "en")):
            commands = [
                BotCommand(command=name, description=i18n.t(f"command.{name}", language))
                for name in names
            ]
            try:
                await bot.set_my_commands(commands, scope=scope, language_code=code)
            except TelegramBadRequest as error:  # e.g. the bot is not in the admin group yet
                log.warning("Command menu not registered: %s", error.message)


def _install_stop_signals(stop: asyncio.Event) -> None:
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(sig, stop.set)


async def _serve_webhook(
    container: Container, dp: Dispatcher, stop: asyncio.Event, scheduler: Scheduler | None = None
) -> None:
    settings = container.settings
    assert settings.WEBHOOK_URL and settings.WEBHOOK_SECRET
    secret = settings.WEBHOOK_SECRET.get_secret_value()
    path = urlsplit(settings.WEBHOOK_URL).path or "/"
    app = web.Application()
    WebhookHandler(dispatcher=dp, bot=container.bot, secret_token=secret).register(app, path=path)
    setup_application(app, dp, bot=container.bot)
    add_health_route(app, container, (lambda: scheduler.runs) if scheduler else None)  # GET /health
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    host, port = settings.webhook_host_port
    await web.TCPSite(runner, host, port).start()
    await container.bot.set_webhook(
        settings.WEBHOOK_URL,
        secret_token=secret,
        allowed_updates=dp.resolve_used_update_types(),
    )
    log.info("Webhook mode: listening on %s:%s%s", host, port, path)
    try:
        await stop.wait()
    finally:
        await runner.cleanup()


async def _poll(container: Container, dp: Dispatcher, stop: asyncio.Event) -> None:
    await container.bot.delete_webhook(drop_pending_updates=False)
    log.info("Polling mode")
    polling = asyncio.create_task(
        dp.start_polling(
            container.bot,
            handle_signals=False,
            close_bot_session=False,
            allowed_updates=dp.resolve_used_update_types(),
        )
    )
    stopper = asyncio.create_task(stop.wait())
    done, _ = await asyncio.wait({polling, stopper}, return_when=asyncio.FIRST_COMPLETED)
    if polling not in done:
        with contextlib.suppress(RuntimeError):
            await dp.stop_polling()
        await polling
    stopper.cancel()
    if polling in done:
        polling.result()


async def _wait_for_telegram(bot: Bot, stop: asyncio.Event) -> bool:
    """Ask getMe until Telegram answers; a network outage at start is not fatal."""
    delay = 1.0
    while not stop.is_set():
        try:
            me = await bot.get_me()
        except TelegramNetworkError as error:
            log.warning("Cannot reach the Bot API (%s); retrying in %.0f s", error.message, delay)
        else:
            log.info("Started as @%s (id %s)", me.username, me.id)
            return True
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), timeout=delay)
        delay = min(delay * 2, 60.0)
    return False


def settle_heap() -> None:
    """Called once the bot is built: what exists now (modules, pydantic schemas, SQLAlchemy
    mappers, the catalog of texts) lives as long as the process, so the cyclic garbage
    collector stops scanning it (gc.freeze). Without this every full collection walks the
    whole heap: a pause of up to a quarter of a second in the middle of 30 approvals
    (./scripts/bench approve)."""
    gc.collect()
    gc.freeze()


async def serve(container: Container, dp: Dispatcher) -> None:
    stop = asyncio.Event()
    _install_stop_signals(stop)
    relay: asyncio.Task[None] | None = None
    announcer: asyncio.Task[None] | None = None
    trimming: asyncio.Task[None] | None = None
    scheduler: Scheduler | None = None
    try:
        if not await _wait_for_telegram(container.bot, stop):
            return
        await check_admin_group(container.bot, container.settings.ADMIN_CHAT_ID)
        await register_commands(container.bot, container.i18n, container.settings.ADMIN_CHAT_ID)
        relay = asyncio.create_task(container.relay.run_forever())
        announcer = asyncio.create_task(container.announcer.run_forever())
        scheduler = build_scheduler(container)
        scheduler.start()
        settle_heap()
        if container.memory_trim is not None:
            trimming = asyncio.create_task(container.memory_trim.run_forever(asyncio.sleep))
        if container.settings.WEBHOOK_URL:
            await _serve_webhook(container, dp, stop, scheduler)
        else:
            await _poll(container, dp, stop)
    finally:
        if trimming is not None:
            trimming.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await trimming
        if scheduler is not None:
            await scheduler.stop()
        if announcer is not None:
            await container.announcer.shutdown(announcer)
        container.relay.stop()
        if relay is not None:
            await relay
        await dp.storage.close()
        await container.close()
        log.info("Stopped cleanly")
