"""The webhook endpoint: aiogram's handler, hardened against input that is not an update.

Telegram retries every non-2xx answer, so only a body that can never be right gets a
client error: malformed JSON is answered 400 (nothing to retry into shape); valid JSON
that is not an Update is answered 200 and dropped with a warning, rather than failing
later in a background task nobody awaits. Good updates are untouched: answered 200 at
once and handled in the background.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from aiogram import Bot
from aiogram.methods import TelegramMethod
from aiogram.types import Update
from aiogram.webhook.aiohttp_server import SimpleRequestHandler
from aiohttp import web
from pydantic import ValidationError

log = logging.getLogger(__name__)


class WebhookHandler(SimpleRequestHandler):
    """SimpleRequestHandler (secret checked first, 401 when wrong) that always handles in
    the background and answers bad input itself."""

    async def _handle_request_background(self, bot: Bot, request: web.Request) -> web.Response:
        parsed = await self._parse(bot, request)
        if isinstance(parsed, web.Response):
            return parsed
        task = asyncio.create_task(self._feed(bot, parsed))
        self._background_feed_update_tasks.add(task)
        task.add_done_callback(self._background_feed_update_tasks.discard)
        return web.json_response({}, dumps=bot.session.json_dumps)

    async def _handle_request(self, bot: Bot, request: web.Request) -> web.Response:
        parsed = await self._parse(bot, request)
        if isinstance(parsed, web.Response):
            return parsed
        result: TelegramMethod[Any] | None = await self.dispatcher.feed_webhook_update(
            bot, parsed, **self.data
        )
        return web.Response(body=self._build_response_writer(bot=bot, result=result))

    async def _parse(self, bot: Bot, request: web.Request) -> Update | web.Response:
        """The update in the request, or the answer to give when there is none."""
        try:
            raw: Any = await request.json(loads=bot.session.json_loads)
        except ValueError:  # bad JSON, or bytes that are not UTF-8
            log.warning(
                "Webhook: answered 400 to a request whose body is not valid JSON "
                "(%s bytes, content type %s)",
                request.content_length,
                request.content_type,
            )
            return web.json_response(
                {"ok": False, "description": "Bad Request: body is not valid JSON"}, status=400
            )
        try:
            return Update.model_validate(raw, context={"bot": bot})
        except ValidationError as error:
            first = error.errors(include_url=False)[0]
            where = ".".join(str(part) for part in first.get("loc", ())) or "the body"
            log.warning(
                "Webhook: ignored a request that is not a Telegram update "
                "(%s problem(s); first at %s: %s)",
                error.error_count(),
                where,
                first.get("msg", "invalid"),
            )
            # 200: Telegram (or whoever sent it) must not retry what can never be processed.
            return web.json_response({}, dumps=bot.session.json_dumps)

    async def _feed(self, bot: Bot, update: Update) -> None:
        try:
            result = await self.dispatcher.feed_update(bot, update, **self.data)
            if isinstance(result, TelegramMethod):
                await self.dispatcher.silent_call_request(bot=bot, result=result)
        except Exception:  # a background task: nobody else would ever see it
            log.exception("Webhook: update %s failed", update.update_id)
