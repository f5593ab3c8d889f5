"""GET /health on the webhook's aiohttp app, and the admin group's health alerts: once when
the outbox backlog or its failures pass the threshold, once when back to normal, sent
straight through the sending layer (bot/health.py)."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

import pytest
from aiohttp import ClientSession, web
from aiohttp.test_utils import TestClient, TestServer
from pydantic import SecretStr

from bot.app import _serve_webhook
from bot.health import add_health_route, watch_health
from bot.jobs import build_scheduler
from kernel.notices import Notice
from tests.handlers.conftest import ADMIN_CHAT, BotUnderTest
from tests.kit.clock import FrozenClock


@pytest.fixture(autouse=True)
def admin_group(app: BotUnderTest) -> None:
    app.core.make_group(ADMIN_CHAT, "Admin")


def tighten(app: BotUnderTest, **limits: object) -> None:
    app.container.settings = app.container.settings.model_copy(update=limits)


async def queue(app: BotUnderTest, count: int) -> list[int]:
    now = app.container.clock.now()
    async with app.container.uow() as work:
        for n in range(count):
            notice = Notice(chat_id=7000 + n, text_key="x", language="id", params={})
            await work.outbox.enqueue(notice, now)
        await work.commit()
    async with app.container.uow() as work:
        return [row.id for row in await work.outbox.due(now, 1000)]


async def settle(app: BotUnderTest, ids: list[int], status: str) -> None:
    """The relay's outcome for these rows: sent, or given up as failed."""
    now = app.container.clock.now()
    async with app.container.uow() as work:
        if status == "sent":
            await work.outbox.mark_sent([(row_id, None) for row_id in ids], now)
        else:
            for row_id in ids:
                await work.outbox.give_up(row_id, status, "Bad Request: chat not found")
        await work.commit()


def admin_texts(app: BotUnderTest) -> list[str]:
    return [str(m.get("text", "")) for m in app.core.sent_log(ADMIN_CHAT)]


async def test_get_health_answers_200_with_the_report_and_503_once_the_backlog_is_past(
    app: BotUnderTest, clock: FrozenClock
) -> None:
    tighten(app, OUTBOX_ALERT_BACKLOG=3)
    server = web.Application()
    add_health_route(server, app.container)
    client: TestClient[Any, Any] = TestClient(TestServer(server))
    await client.start_server()
    try:
        ok = await client.get("/health")
        body = await ok.json()
        assert ok.status == 200
        assert body["status"] == "ok" and body["database"] == {"ok": True, "error": None}
        assert body["outbox"]["due"] == 0 and body["outbox"]["thresholds"]["backlog"] == 3
        raw = await ok.text()
        assert app.core.token not in raw and app.core.token.split(":")[1] not in raw
        assert "sqlite" not in raw  # no database URL either

        await queue(app, 3)
        clock.advance(minutes=2)
        sick = await client.get("/health")
        body = await sick.json()
        assert sick.status == 503
        assert body["status"] == "unhealthy" and body["problems"] == ["backlog"]
        assert body["outbox"]["due"] == 3 and body["outbox"]["oldest_due_seconds"] == 120
    finally:
        await client.close()


async def test_the_backlog_is_told_once_per_episode_and_once_back_to_normal(
    app: BotUnderTest, clock: FrozenClock
) -> None:
    tighten(app, OUTBOX_ALERT_BACKLOG=3)
    ids = await queue(app, 3)

    assert await watch_health(app.container) == ["health.backlog"]
    clock.advance(minutes=1)
    assert await watch_health(app.container) == []  # the same episode: told once
    clock.advance(minutes=1)
    assert await watch_health(app.container) == []
    told = admin_texts(app)
    assert len(told) == 1 and "3 pesan menunggu dikirim" in told[0]

    await settle(app, ids, "sent")
    clock.advance(minutes=1)
    assert await watch_health(app.container) == ["health.backlog_normal"]
    clock.advance(minutes=1)
    assert await watch_health(app.container) == []
    told = admin_texts(app)
    assert len(told) == 2 and "Antrean pesan kembali normal" in told[1]

    # A new crossing is a new episode, told again.
    await queue(app, 3)
    clock.advance(minutes=1)
    assert await watch_health(app.container) == ["health.backlog"]


async def test_a_long_wait_alone_is_a_backlog_episode(
    app: BotUnderTest, clock: FrozenClock
) -> None:
    tighten(app, OUTBOX_ALERT_WAIT_MINUTES=10)
    await queue(app, 1)
    clock.advance(minutes=9)
    assert await watch_health(app.container) == []
    clock.advance(minutes=1)
    assert await watch_health(app.container) == ["health.backlog"]
    assert "sudah menunggu 10 menit" in admin_texts(app)[0]


async def test_failures_are_told_once_and_back_to_normal_when_the_hour_has_passed(
    app: BotUnderTest, clock: FrozenClock
) -> None:
    tighten(app, OUTBOX_ALERT_FAILURES=2)
    ids = await queue(app, 2)
    await settle(app, ids, "failed")

    assert await watch_health(app.container) == ["health.failures"]
    clock.advance(minutes=30)
    assert await watch_health(app.container) == []
    clock.advance(minutes=31)
    assert await watch_health(app.container) == ["health.failures_normal"]
    told = admin_texts(app)
    assert len(told) == 2
    assert "2 pesan gagal dalam satu jam terakhir" in told[0]
    assert "Pengiriman pesan kembali normal" in told[1]


async def test_an_episode_survives_a_restart_the_new_process_does_not_tell_again(
    app: BotUnderTest, clock: FrozenClock
) -> None:
    tighten(app, OUTBOX_ALERT_BACKLOG=2)
    await queue(app, 2)
    assert await watch_health(app.container) == ["health.backlog"]
    # A restart: the episode is in the database, not in this process's memory.
    scheduler = build_scheduler(app.container)
    clock.advance(minutes=1)
    job = scheduler.get_job("health-watch")
    assert job is not None and job.trigger.interval == timedelta(minutes=1)
    assert await job.func(app.container) == []
    assert len(admin_texts(app)) == 1


async def test_an_alert_telegram_refuses_is_logged_and_tried_again_at_the_next_check(
    app: BotUnderTest, clock: FrozenClock
) -> None:
    tighten(app, OUTBOX_ALERT_BACKLOG=2)
    await queue(app, 2)
    app.core.fail_next("sendMessage", 400, "Bad Request: not enough rights to send text")
    assert await watch_health(app.container) == []
    assert admin_texts(app) == []
    clock.advance(minutes=1)
    assert await watch_health(app.container) == ["health.backlog"]
    assert len(admin_texts(app)) == 1


async def test_the_real_webhook_server_answers_get_health_beside_the_webhook(
    app: BotUnderTest, unused_tcp_port: int
) -> None:
    tighten(app, WEBHOOK_URL="https://bot.example.com/telegram/hook",
            WEBHOOK_SECRET=SecretStr("hook-secret"), WEBHOOK_LISTEN=f"127.0.0.1:{unused_tcp_port}",
            HEALTH_PATH="/healthz")  # fmt: skip
    stop = asyncio.Event()
    scheduler = build_scheduler(app.container)
    await scheduler.tracked(watch_health, "health-watch")(app.container)  # one run in memory
    serving = asyncio.create_task(_serve_webhook(app.container, app.dp, stop, scheduler))
    try:
        async with ClientSession() as http:
            for _ in range(100):  # until the server listens
                try:
                    response = await http.get(f"http://127.0.0.1:{unused_tcp_port}/healthz")
                    break
                except OSError:
                    await asyncio.sleep(0.05)
            body = await response.json()
            assert response.status == 200 and body["status"] == "ok"
            assert body["jobs"]["health-watch"]["ok"] is True
            assert "hook-secret" not in await response.text()
    finally:
        stop.set()
        await serving
