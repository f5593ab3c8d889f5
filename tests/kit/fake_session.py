"""An aiogram session that talks to a `FakeTelegram` in-process.

Each call is turned into exactly the form fields `AiohttpSession.build_form_data` would send
(same `model_dump` + `prepare_value` path, so defaults such as parse_mode=HTML, dropped empty
values and "attach://" uploads all match), decoded by the same `decode_wire_params` the HTTP
server uses, and answered with the JSON envelope that `BaseSession.check_response` turns into
aiogram's own results and exceptions (TelegramRetryAfter, TelegramForbiddenError, ...).

Injected faults look as they would through `AiohttpSession`: an HTML error page goes to
`check_response` as the text it is (aiogram raises ClientDecodeError), a hung request raises
`TelegramNetworkError("Request timeout error")` without reaching the core (as if it never
arrived), and a slow answer comes at once (nothing here waits in real time).
"""

from __future__ import annotations

import re
from collections.abc import AsyncGenerator
from typing import Any, cast

from aiogram import Bot, Dispatcher
from aiogram.client.default import DefaultBotProperties
from aiogram.client.session.base import BaseSession
from aiogram.exceptions import TelegramNetworkError
from aiogram.methods import TelegramMethod
from aiogram.methods.base import TelegramType
from aiogram.types import InputFile, Update
from aiohttp import ClientResponseError, RequestInfo
from multidict import CIMultiDict, CIMultiDictProxy
from yarl import URL

from tests.kit.faketelegram import JSON, FakeTelegram, Upload, decode_wire_params

_FILE_URL_RE = re.compile(r"/file/bot(?P<token>[^/]+)/(?P<path>.+)$")
_UNAUTHORIZED: JSON = {"ok": False, "error_code": 401, "description": "Unauthorized"}


class FakeSession(BaseSession):
    """Routes every Bot API call of an aiogram `Bot` to `core`."""

    def __init__(self, core: FakeTelegram, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.core = core

    async def close(self) -> None:
        """Nothing to release: no sockets."""

    async def make_request(
        self,
        bot: Bot,
        method: TelegramMethod[TelegramType],
        timeout: int | None = None,
    ) -> TelegramType:
        if bot.token != self.core.token:
            status, content = 401, self.json_dumps(_UNAUTHORIZED)
        else:
            params = await self.wire_params(bot, method)
            fault = self.core.take_fault(method.__api_method__)
            if fault is not None and fault.kind == "timeout":
                # What AiohttpSession raises when its timeout fires; the call never arrived.
                raise TelegramNetworkError(method=method, message="Request timeout error")
            wire = await self.core.reply(method.__api_method__, params, fault=fault)
            status = wire.status
            content = wire.html if wire.html is not None else self.json_dumps(wire.body)
        response = self.check_response(bot=bot, method=method, status_code=status, content=content)
        return cast(TelegramType, response.result)

    async def wire_params(self, bot: Bot, method: TelegramMethod[Any]) -> dict[str, Any]:
        """What the server would parse out of AiohttpSession's form for this call."""
        files: dict[str, InputFile] = {}
        fields: dict[str, Any] = {}
        for key, value in method.model_dump(warnings=False).items():
            prepared = self.prepare_value(value, bot=bot, files=files)
            if not prepared:  # AiohttpSession.build_form_data leaves these out
                continue
            fields[key] = prepared
        uploads = {
            key: Upload(await _read_all(file, bot), file.filename or key)
            for key, file in files.items()
        }
        return decode_wire_params(fields, uploads)

    async def stream_content(
        self,
        url: str,
        headers: dict[str, Any] | None = None,
        timeout: int = 30,
        chunk_size: int = 65536,
        raise_for_status: bool = True,
    ) -> AsyncGenerator[bytes, None]:
        """Serve Bot.download_file from the core's files (URLs built by self.api.file_url)."""
        match = _FILE_URL_RE.search(url)
        data = None
        if match and match["token"] == self.core.token:
            data = self.core.file_by_path(match["path"])
        if data is None:
            if raise_for_status:
                raise _not_found(url)
            return
        for start in range(0, len(data), chunk_size):
            yield data[start : start + chunk_size]


async def _read_all(file: InputFile, bot: Bot) -> bytes:
    return b"".join([chunk async for chunk in file.read(bot)])


def _not_found(url: str) -> ClientResponseError:
    # The same exception AiohttpSession raises for a 404 with raise_for_status=True.
    info = RequestInfo(URL(url), "GET", CIMultiDictProxy(CIMultiDict()), URL(url))
    return ClientResponseError(info, (), status=404, message="Not Found")


def make_bot(core: FakeTelegram, token: str | None = None, **kwargs: Any) -> Bot:
    """An aiogram Bot (parse_mode=HTML by default) whose calls go to `core`.

    The token defaults to the core's; a different one gets 401 Unauthorized, as on Telegram.
    """
    kwargs.setdefault("default", DefaultBotProperties(parse_mode="HTML"))
    return Bot(token or core.token, session=FakeSession(core), **kwargs)


async def feed(dp: Dispatcher, bot: Bot, update: JSON, **kwargs: Any) -> Any:
    """Deliver one update (made by a FakeTelegram helper) through a real Dispatcher.

    The update leaves the pending queue as if delivered. Handler exceptions propagate so the
    test sees them; a TelegramMethod returned by a handler is executed, as a webhook reply
    would be, and its errors propagate too.
    """
    core = bot.session.core if isinstance(bot.session, FakeSession) else None
    if core is not None:
        core.take_update(update["update_id"])
    parsed = Update.model_validate(update, context={"bot": bot})
    result = await dp.feed_update(bot, parsed, **kwargs)
    if isinstance(result, TelegramMethod):
        await bot(result)
    return result
