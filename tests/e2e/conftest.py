"""End to end: the real `python -m bot` process, over HTTP, against the local Bot API server."""

from __future__ import annotations

import asyncio
import os
import sys
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.kit.botapi_server import BotApiServer
from tests.kit.faketelegram import JSON, FakeTelegram
from tests.kit.processes import stop_gently
from tests.servers import free_port

ROOT = Path(__file__).resolve().parents[2]
TOKEN = "987654:E2E-secret_token_value"
ADMIN_CHAT = -1009000


@dataclass
class RunningBot:
    core: FakeTelegram
    server: BotApiServer
    process: asyncio.subprocess.Process
    log_path: Path
    webhook_url: str | None
    secret: str | None

    def log(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")

    async def stop(self) -> int:
        return await stop_gently(self.process, self.log)


async def start_bot(
    tmp_path: Path,
    mode: str,
    extra_env: dict[str, str] | None = None,
    core: FakeTelegram | None = None,  # pre-built (e.g. rate_limits=True); token must be TOKEN
) -> RunningBot:
    core = core if core is not None else FakeTelegram(TOKEN)
    server = BotApiServer(core)
    await server.start()
    env = {
        "PATH": os.environ.get("PATH", ""),
        "HOME": str(tmp_path),
        "PYTHONPATH": str(ROOT),
        "BOT_TOKEN": TOKEN,
        "ADMIN_CHAT_ID": str(ADMIN_CHAT),
        "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}",
        "TELEGRAM_API_BASE": server.base_url,
        "OUTBOX_POLL_SECONDS": "0.5",
        "LOG_LEVEL": "DEBUG",
    } | (extra_env or {})
    webhook_url = secret = None
    if mode == "webhook":
        port = free_port()
        secret = "e2e-webhook-SECRET_42"
        webhook_url = f"http://127.0.0.1:{port}/telegram/hook"
        env |= {
            "WEBHOOK_URL": webhook_url,
            "WEBHOOK_SECRET": secret,
            "WEBHOOK_LISTEN": f"127.0.0.1:{port}",
        }
    log_path = tmp_path / "bot.log"
    log_file = log_path.open("wb")
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        cwd=tmp_path,
        env=env,
        stdout=log_file,
        stderr=asyncio.subprocess.STDOUT,
    )
    log_file.close()
    running = RunningBot(core, server, process, log_path, webhook_url, secret)
    ready = "setWebhook" if mode == "webhook" else "getUpdates"
    try:
        await core.wait_calls(ready, timeout=60)
    except AssertionError:
        await running.stop()
        await server.stop()
        raise AssertionError(f"the bot never called {ready}:\n{running.log()}") from None
    return running


async def reply(
    core: FakeTelegram,
    chat: int,
    send: Callable[[], object],
    about: str,
    timeout: float = 20.0,
) -> JSON:
    """Do something, then wait for the bot's new message in `chat` whose text (or caption)
    contains `about`, and return it.

    Never take "the next message" instead: other messages reach a chat on their own (the
    start-up rights alert, payment cards and outbox notices in the admin group, notices to
    a member), and on a busy machine one of them may come first."""
    before = {m["message_id"] for m in core.sent_to(chat)}
    send()

    def answer() -> JSON | None:
        for message in core.sent_to(chat):
            text = message.get("text") or message.get("caption") or ""
            if message["message_id"] not in before and about in text:
                return message
        return None

    return await core.wait_for(answer, timeout, what=f"a message with {about!r} in {chat}")


@pytest.fixture(params=["polling", "webhook"])
async def running_bot(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[RunningBot]:
    running = await start_bot(tmp_path, request.param)
    try:
        yield running
    finally:
        await running.stop()
        await running.server.stop()


@pytest.fixture
async def bot_process(tmp_path: Path) -> AsyncIterator[RunningBot]:
    """The bot process polling, for journeys of scripted taps: they come faster than a
    person's, so the throttle is out of the way (it has its own handler tests)."""
    running = await start_bot(tmp_path, "polling", {"THROTTLE_BURST": "1000"})
    try:
        yield running
    finally:
        await running.stop()
        await running.server.stop()
