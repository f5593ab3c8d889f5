"""A Bot API HTTP server in front of a `FakeTelegram`, for end-to-end tests.

The real bot process points `TELEGRAM_API_BASE` at `server.base_url` and talks to it with
aiogram's `AiohttpSession(api=TelegramAPIServer.from_base(...))`:
`{base}/bot{token}/{method}` for methods, `{base}/file/bot{token}/{path}` for downloads.

Requests are parsed the way Telegram accepts them: urlencoded or multipart form data (what
aiogram sends: strings, nested objects as JSON strings, uploads as "attach://<part>"), JSON
bodies and query strings. While a webhook is set a background task POSTs pending updates to
it, one at a time in order, with `X-Telegram-Bot-Api-Secret-Token`, and records every attempt
in `webhook_deliveries`.

Injected faults go on the wire as Telegram (or the proxy in front of it) would send them: an
HTML page with its status for `fail_next(..., html=True)`; a request held for the fault's
`seconds` before it is handled for `hang_next` / `slow_next` (a client that hangs up first
cancels the handler, so the call never takes effect).
"""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass
from types import TracebackType
from typing import Any

from aiohttp import (
    BodyPartReader,
    ClientError,
    ClientResponse,
    ClientSession,
    ClientTimeout,
    MultipartReader,
    web,
)

from tests.kit.faketelegram import (
    JSON,
    MAX_UPLOAD,
    TOKEN_RE,
    FakeApiError,
    FakeTelegram,
    Upload,
    decode_wire_params,
)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
_UNAUTHORIZED: JSON = {"ok": False, "error_code": 401, "description": "Unauthorized"}
_NOT_FOUND: JSON = {"ok": False, "error_code": 404, "description": "Not Found"}


@dataclass(frozen=True)
class WebhookDelivery:
    """One POST of an update to the webhook; status is None when the connection failed."""

    update_id: int
    url: str
    status: int | None
    attempt: int
    secret_sent: bool
    error: str | None = None


class BotApiServer:
    """Serves `core` over HTTP on 127.0.0.1 (a free port chosen by the OS)."""

    def __init__(
        self,
        core: FakeTelegram,
        *,
        host: str = "127.0.0.1",
        webhook_attempts: int = 3,
        webhook_backoff: float = 0.02,
        webhook_timeout: float = 5.0,
    ) -> None:
        self.core = core
        self.host = host
        self.webhook_attempts = webhook_attempts
        self.webhook_backoff = webhook_backoff
        self.webhook_timeout = webhook_timeout
        self.webhook_deliveries: list[WebhookDelivery] = []
        self._runner: web.AppRunner | None = None
        self._port: int | None = None
        self._client: ClientSession | None = None
        self._delivery_task: asyncio.Task[None] | None = None
        self._paused_version: int | None = None  # webhook that kept failing; wait for a new one

    # ------------------------------------------------------------------ lifecycle

    @property
    def base_url(self) -> str:
        if self._port is None:
            raise RuntimeError("server not started")
        return f"http://{self.host}:{self._port}"

    async def start(self) -> None:
        # Telegram accepts uploads up to 50 MB; aiohttp's default body limit is 1 MB.
        app = web.Application(client_max_size=MAX_UPLOAD + 1024 * 1024)
        app.router.add_route("GET", "/bot{token}/{method}", self._api)
        app.router.add_route("POST", "/bot{token}/{method}", self._api)
        app.router.add_route("GET", "/file/bot{token}/{file_path:.+}", self._file)
        # A client that hangs up ends its long poll (as on Telegram), and stop() does not wait
        # out in-flight long polls.
        self._runner = web.AppRunner(
            app, access_log=None, handler_cancellation=True, shutdown_timeout=0.1
        )
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.host, 0)
        await site.start()
        self._port = int(self._runner.addresses[0][1])
        self._client = ClientSession(timeout=ClientTimeout(total=self.webhook_timeout))
        self._delivery_task = asyncio.create_task(self._deliver_forever())

    async def stop(self) -> None:
        if self._delivery_task is not None:
            self._delivery_task.cancel()
            await asyncio.gather(self._delivery_task, return_exceptions=True)
            self._delivery_task = None
        if self._client is not None:
            await self._client.close()
            self._client = None
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> BotApiServer:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.stop()

    # ------------------------------------------------------------------ Bot API routes

    def _token_ok(self, token: str) -> bool:
        return bool(TOKEN_RE.match(token)) and token == self.core.token

    async def _api(self, request: web.Request) -> web.Response:
        if not self._token_ok(request.match_info["token"]):
            return web.json_response(_UNAUTHORIZED, status=401)
        try:
            params = await _read_params(request)
        except FakeApiError as error:
            return web.json_response(error.to_response(), status=error.error_code)
        method = request.match_info["method"]
        fault = self.core.take_fault(method)
        if fault is not None and fault.kind in ("timeout", "slow"):
            # Real time: the bot process's timeouts are real. If the client gives up, aiohttp
            # cancels this handler (handler_cancellation=True) and the call never happens.
            await asyncio.sleep(fault.seconds)
        wire = await self.core.reply(method, params, fault=fault)
        if wire.html is not None:
            return web.Response(text=wire.html, status=wire.status, content_type="text/html")
        return web.json_response(wire.body, status=wire.status)

    async def _file(self, request: web.Request) -> web.Response:
        if not self._token_ok(request.match_info["token"]):
            return web.json_response(_UNAUTHORIZED, status=401)
        data = self.core.file_by_path(request.match_info["file_path"])
        if data is None:
            return web.json_response(_NOT_FOUND, status=404)
        return web.Response(body=data, content_type="application/octet-stream")

    # ------------------------------------------------------------------ webhook delivery

    async def _deliver_forever(self) -> None:
        while True:
            await self.core.wait_until(self._has_work, timeout=None)
            webhook, version = dict(self.core.webhook or {}), self.core.webhook_version
            update = self.core.next_webhook_update()
            if not webhook or update is None:
                continue
            if await self._deliver(webhook, update):
                self.core.take_update(update["update_id"])
            elif self.core.webhook_version == version:
                # Telegram backs off after repeated failures; here it waits for a new webhook
                # (setWebhook again). The update stays pending, as getWebhookInfo shows.
                self._paused_version = version
                self.core.notify_change()

    def _has_work(self) -> bool:
        if self.core.webhook is None or self.core.webhook_version == self._paused_version:
            return False
        return self.core.next_webhook_update() is not None

    async def _deliver(self, webhook: JSON, update: JSON) -> bool:
        for attempt in range(1, self.webhook_attempts + 1):
            status, error = await self._post_update(webhook, update, attempt)
            if status is not None and 200 <= status < 300:
                return True
            self.core.note_webhook_error(error or f"Wrong response from the webhook: {status}")
            if attempt < self.webhook_attempts:
                await asyncio.sleep(self.webhook_backoff * 2 ** (attempt - 1))  # backoff
        return False

    async def _post_update(
        self, webhook: JSON, update: JSON, attempt: int
    ) -> tuple[int | None, str | None]:
        secret = webhook.get("secret_token")
        headers = {SECRET_HEADER: secret} if secret else {}
        status: int | None = None
        error: str | None = None
        try:
            async with self._session().post(webhook["url"], json=update, headers=headers) as resp:
                status = resp.status
                if 200 <= status < 300:
                    await self._run_webhook_reply(resp)
        except (ClientError, TimeoutError) as exc:
            error = f"Connection failed: {type(exc).__name__}: {exc}"
        delivery = WebhookDelivery(
            update["update_id"], webhook["url"], status, attempt, bool(secret), error
        )
        self.webhook_deliveries.append(delivery)
        self.core.notify_change()
        return status, error

    async def _run_webhook_reply(self, resp: ClientResponse) -> None:
        """Telegram executes a method a webhook answers with (aiogram's non-background mode)."""
        method, params = await _reply_method(resp)
        if method:
            await self.core.respond(method, params)  # result goes nowhere, as on Telegram

    async def post_raw_webhook(
        self, update: JSON, secret: str | None = None, *, url: str | None = None
    ) -> int:
        """POST a forged update to the webhook (or `url`), with the secret header only if
        `secret` is given; returns the HTTP status. Not recorded in webhook_deliveries."""
        target = url or (self.core.webhook or {}).get("url")
        if not target:
            raise RuntimeError("no webhook set and no url given")
        headers = {SECRET_HEADER: secret} if secret is not None else {}
        async with self._session().post(target, json=update, headers=headers) as resp:
            await resp.read()
            return resp.status

    def _session(self) -> ClientSession:
        if self._client is None:
            raise RuntimeError("server not started")
        return self._client


# --------------------------------------------------------------------------- request parsing


async def _read_params(request: web.Request) -> dict[str, Any]:
    """Typed params from the query string plus a urlencoded, multipart or JSON body."""
    fields: dict[str, Any] = dict(request.query)
    uploads: dict[str, Upload] = {}
    if request.method == "POST" and request.can_read_body:
        try:
            await _read_body(request, fields, uploads)
        except web.HTTPRequestEntityTooLarge:
            raise FakeApiError(413, "Request Entity Too Large") from None
    return decode_wire_params(fields, uploads)


async def _read_body(
    request: web.Request, fields: dict[str, Any], uploads: dict[str, Upload]
) -> None:
    if request.content_type == "application/json":
        try:
            body = await request.json()
        except ValueError:
            raise FakeApiError(400, "Bad Request: can't parse JSON request body") from None
        if not isinstance(body, dict):
            raise FakeApiError(400, "Bad Request: JSON request body must be an object")
        fields.update(body)
        return
    form = await request.post()
    for key, value in form.items():
        if isinstance(value, web.FileField):
            uploads[key] = Upload(value.file.read(), value.filename, value.content_type)
        else:
            fields[key] = value


async def _reply_method(resp: ClientResponse) -> tuple[str | None, dict[str, Any]]:
    """(method, params) from a webhook response body, or (None, {}) when it has none."""
    if resp.content_type == "application/json":
        try:
            body = json.loads(await resp.text())
        except ValueError:
            return None, {}
        if not isinstance(body, dict) or not body.get("method"):
            return None, {}
        fields = {k: v for k, v in body.items() if k != "method"}
        return str(body["method"]), decode_wire_params(fields)
    if resp.content_type == "multipart/form-data":
        return await _multipart_method(resp)
    return None, {}


async def _multipart_method(resp: ClientResponse) -> tuple[str | None, dict[str, Any]]:
    fields: dict[str, Any] = {}
    uploads: dict[str, Upload] = {}
    async for part in MultipartReader(resp.headers, resp.content):
        if not isinstance(part, BodyPartReader) or part.name is None:
            continue  # nested multipart: not something aiogram produces
        data = await part.read()
        if part.filename:
            uploads[part.name] = Upload(bytes(data), part.filename)
        else:
            fields[part.name] = bytes(data).decode()
    method = fields.pop("method", None)
    return method, decode_wire_params(fields, uploads) if method else {}
