"""The real bot process: /start, the language switch, secrets, webhook auth, clean stop."""

from __future__ import annotations

import aiohttp
import pytest

from tests.e2e.conftest import ADMIN_CHAT, TOKEN, RunningBot

pytestmark = pytest.mark.e2e
WAIT = 20.0


async def test_a_member_starts_and_switches_to_english(running_bot: RunningBot) -> None:
    core = running_bot.core
    ani = core.user(501, "Ani", language_code="id")
    core.command(ani, "/start")
    welcome, menu = await core.wait_sent(501, count=2, timeout=WAIT)
    assert welcome["text"].startswith("Halo, Ani!")

    core.press(ani, menu, "menu:language")
    choice = (await core.wait_sent(501, count=3, timeout=WAIT))[-1]
    assert choice["text"] == "Pilih bahasa:"

    core.press(ani, choice, "lang:en")
    changed = (await core.wait_sent(501, count=4, timeout=WAIT))[-1]
    assert changed["text"] == "Language changed to English. 🇬🇧"

    core.command(ani, "/help")
    help_text = (await core.wait_sent(501, count=5, timeout=WAIT))[-1]
    assert help_text["text"].startswith("Help")
    # Every tap was answered, so no phone is left with a spinner.
    await core.wait_for(lambda: len(core.callback_answers) == 2, WAIT, what="2 answers")


async def test_commands_are_registered_in_both_languages(running_bot: RunningBot) -> None:
    calls = [
        c
        for c in running_bot.core.calls_of("setMyCommands")
        if c.params.get("scope", {}).get("type") == "all_private_chats"
    ]
    by_language = {c.params.get("language_code"): c.params["commands"] for c in calls}
    assert [c["description"] for c in by_language[None]] == [
        "Menu utama",
        "Beli / upgrade paket",
        "Keanggotaan saya",
        "Kirim laporan harian",
        "Komisi dan saldo",
        "Tim dan tautan undangan",
        "Batalkan pembayaran",
        "Bantuan",
        "Ganti bahasa",
    ]
    assert [c["description"] for c in by_language["en"]] == [
        "Main menu",
        "Buy / upgrade a plan",
        "My membership",
        "Send the daily report",
        "Commission and balance",
        "Team and invite link",
        "Cancel payment",
        "Help",
        "Change language",
    ]


async def test_sigterm_stops_the_bot_cleanly_and_the_token_never_shows(
    running_bot: RunningBot,
) -> None:
    core = running_bot.core
    ani = core.user(502, "Budi")
    core.command(ani, "/start")
    await core.wait_sent(502, count=2, timeout=WAIT)
    assert await running_bot.stop() == 0
    log = running_bot.log()
    assert "Stopped cleanly" in log
    assert "Traceback" not in log
    # Nobody made the admin group here: the start-up check says so in the log, and the
    # bot served Budi all the same.
    assert f"ERROR bot.startup_checks: ADMIN_CHAT_ID {ADMIN_CHAT}: " in log
    assert TOKEN not in log and TOKEN.split(":")[1] not in log
    if running_bot.secret:
        assert running_bot.secret not in log


async def test_webhook_requests_without_the_right_secret_get_401(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from tests.e2e.conftest import start_bot

    running = await start_bot(tmp_path, "webhook")
    try:
        core, server = running.core, running.server
        assert core.webhook is not None and core.webhook.get("secret_token") == running.secret
        forged = {
            "update_id": 990001,
            "message": {
                "message_id": 1, "date": 1767000000, "text": "/start",
                "chat": {"id": 666, "type": "private", "first_name": "Mallory"},
                "from": {"id": 666, "is_bot": False, "first_name": "Mallory"},
                "entities": [{"type": "bot_command", "offset": 0, "length": 6}],
            },
        }  # fmt: skip
        assert await server.post_raw_webhook(forged, secret=None) == 401
        assert await server.post_raw_webhook(forged, secret="guess") == 401
        # With the secret but not an update: dropped with 200 (a non-2xx would be retried
        # forever); malformed JSON gets 400. One log line each, nothing processed.
        assert await server.post_raw_webhook({"hello": "world"}, secret=running.secret) == 200
        assert running.webhook_url and running.secret
        async with (
            aiohttp.ClientSession() as http,
            http.post(
                running.webhook_url,
                data=b'{"update_id": 1, "mess',
                headers={"X-Telegram-Bot-Api-Secret-Token": running.secret},
            ) as response,
        ):
            assert response.status == 400
        log = running.log()
        assert log.count("Webhook: ignored a request that is not a Telegram update") == 1
        assert log.count("Webhook: answered 400 to a request whose body is not valid JSON") == 1
        # A real update with the secret still goes through afterwards.
        eve = core.user(503, "Eve")
        core.command(eve, "/start")
        await core.wait_sent(503, count=2, timeout=WAIT)
        assert core.sent_to(666) == []
        assert all(d.status == 200 and d.secret_sent for d in server.webhook_deliveries)
        assert "Task exception was never retrieved" not in running.log()
    finally:
        assert await running.stop() == 0
        await running.server.stop()


async def test_the_bot_waits_for_an_unreachable_api_and_still_stops_cleanly(tmp_path) -> None:  # type: ignore[no-untyped-def]
    import asyncio
    import os
    import signal
    import sys

    from tests.e2e.conftest import ROOT
    from tests.servers import free_port

    env = {
        "PATH": os.environ.get("PATH", ""), "PYTHONPATH": str(ROOT), "BOT_TOKEN": TOKEN,
        "ADMIN_CHAT_ID": "-1", "TELEGRAM_API_BASE": f"http://127.0.0.1:{free_port()}",
        "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'b.db'}",
    }  # fmt: skip
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", cwd=tmp_path, env=env,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT,
    )  # fmt: skip
    assert process.stdout is not None
    seen = b""
    while b"Cannot reach the Bot API" not in seen:
        line = await asyncio.wait_for(process.stdout.readline(), timeout=60)
        assert line, seen.decode()
        seen += line
    process.send_signal(signal.SIGINT)
    rest = await asyncio.wait_for(process.stdout.read(), timeout=30)
    log = (seen + rest).decode()
    assert await process.wait() == 0
    assert "Stopped cleanly" in log
    assert TOKEN.split(":")[1] not in log
