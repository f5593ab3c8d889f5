"""The webhook endpoint and bad input: Telegram retries every non-2xx answer, so malformed
JSON is answered 400 (one log line), a body that is valid JSON but not an update is
answered 200 and dropped (one WARNING line, nothing processed), and good updates are
still answered 200 at once and handled in the background."""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from aiogram import Dispatcher, Router
from aiogram.types import Message
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from bot.webhook import WebhookHandler
from tests.kit.fake_session import make_bot
from tests.kit.faketelegram import FakeTelegram

SECRET = "webhook-SECRET_123"
PATH = "/telegram/hook"
HEADERS = {"X-Telegram-Bot-Api-Secret-Token": SECRET}


@dataclass
class Endpoint:
    client: TestClient[Any, Any]
    handler: WebhookHandler
    core: FakeTelegram
    seen: list[str] = field(default_factory=list)
    release: asyncio.Event = field(default_factory=asyncio.Event)
    arrived: asyncio.Event = field(default_factory=asyncio.Event)

    async def handled(self, text: str) -> None:
        await asyncio.wait_for(self.arrived.wait(), timeout=5)
        assert self.seen == [text]

    async def post(self, body: bytes, headers: dict[str, str] | None = None) -> int:
        response = await self.client.post(
            PATH, data=body, headers=HEADERS if headers is None else headers
        )
        await response.read()
        return response.status


@pytest.fixture
async def endpoint() -> AsyncIterator[Endpoint]:
    core = FakeTelegram()
    bot = make_bot(core)
    router = Router()
    dp = Dispatcher()
    dp.include_router(router)
    app = web.Application()
    handler = WebhookHandler(dispatcher=dp, bot=bot, secret_token=SECRET)
    handler.register(app, path=PATH)
    client: TestClient[Any, Any] = TestClient(TestServer(app))
    ep = Endpoint(client, handler, core)

    @router.message()
    async def on_message(message: Message) -> None:
        ep.seen.append(message.text or "")
        ep.arrived.set()
        await ep.release.wait()  # a slow handler: the answer must not wait for it

    await client.start_server()
    try:
        yield ep
    finally:
        ep.release.set()
        await asyncio.gather(*handler._background_feed_update_tasks)
        await client.close()
        await bot.session.close()


def update_json(core: FakeTelegram, text: str) -> bytes:
    return json.dumps(core.private_text(core.user(42, "Ani"), text)).encode()


def webhook_records(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.name == "bot.webhook"]


async def test_a_good_update_is_answered_200_at_once_and_handled_in_the_background(
    endpoint: Endpoint, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.DEBUG):
        assert await endpoint.post(update_json(endpoint.core, "halo")) == 200
        # Answered while the handler is still waiting: it runs in the background.
        await endpoint.handled("halo")
        assert len(endpoint.handler._background_feed_update_tasks) == 1
        endpoint.release.set()
        await asyncio.gather(*endpoint.handler._background_feed_update_tasks)
    assert webhook_records(caplog) == []
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING]


async def test_the_wrong_secret_is_still_401(endpoint: Endpoint) -> None:
    body = update_json(endpoint.core, "halo")
    assert await endpoint.post(body, headers={}) == 401
    assert await endpoint.post(body, headers={"X-Telegram-Bot-Api-Secret-Token": "x"}) == 401
    assert endpoint.seen == []


@pytest.mark.parametrize(
    "body",
    [b'{"update_id": 1, "message": ', b"not json at all", b"", b"\xff\xfe{}"],
    ids=["truncated", "text", "empty", "not-utf8"],
)
async def test_malformed_json_is_answered_400_with_one_log_line(
    endpoint: Endpoint, caplog: pytest.LogCaptureFixture, body: bytes
) -> None:
    with caplog.at_level(logging.DEBUG):
        assert await endpoint.post(body) == 400
    [record] = webhook_records(caplog)
    assert record.levelno == logging.WARNING and "not valid JSON" in record.getMessage()
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert endpoint.seen == [] and not endpoint.handler._background_feed_update_tasks


@pytest.mark.parametrize(
    "body",
    [
        b'{"hello": "world"}',
        b"[1, 2, 3]",
        b'"an update"',
        b'{"update_id": 7, "message": {"text": "no chat, no date"}}',
    ],
    ids=["object", "list", "string", "message-without-fields"],
)
async def test_json_that_is_not_an_update_is_answered_200_with_one_warning(
    endpoint: Endpoint, caplog: pytest.LogCaptureFixture, body: bytes
) -> None:
    with caplog.at_level(logging.DEBUG):
        assert await endpoint.post(body) == 200
        await asyncio.sleep(0)  # a background task, had one been started, gets to run
    [record] = webhook_records(caplog)
    assert record.levelno == logging.WARNING
    assert "not a Telegram update" in record.getMessage() and "\n" not in record.getMessage()
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert endpoint.seen == [] and not endpoint.handler._background_feed_update_tasks
    # And the endpoint keeps working for the next, good update.
    assert await endpoint.post(update_json(endpoint.core, "lagi")) == 200
    await endpoint.handled("lagi")
