"""Handler tests: whole updates through a real Dispatcher, Telegram faked in-process.

They run on SQLite only; the services under them are covered on PostgreSQL too.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import pytest
from aiogram import Bot, Dispatcher

from bot.container import Container, build_container
from bot.dispatcher import build_dispatcher
from bot.settings import load_settings
from tests.kit.clock import FrozenClock
from tests.kit.fake_session import feed, make_bot
from tests.kit.faketelegram import FakeTelegram

ADMIN_CHAT = -100500


@pytest.fixture
def backend() -> str:
    return "sqlite"


@dataclass
class BotUnderTest:
    core: FakeTelegram
    bot: Bot
    dp: Dispatcher
    container: Container

    async def send(self, update: dict[str, Any]) -> None:
        await feed(self.dp, self.bot, update)


@pytest.fixture
async def app(db_url: str, clock: FrozenClock) -> AsyncIterator[BotUnderTest]:
    core = FakeTelegram()
    settings = load_settings(
        _env_file=None, BOT_TOKEN=core.token, ADMIN_CHAT_ID=str(ADMIN_CHAT), DATABASE_URL=db_url
    )
    bot = make_bot(core)
    container = build_container(settings, bot=bot, clock=clock)
    dp = build_dispatcher(container)
    try:
        yield BotUnderTest(core, bot, dp, container)
    finally:
        await container.close()
