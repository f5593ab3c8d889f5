"""GET /health on the webhook's aiohttp app, and the admin group's health alerts: once when
the outbox backlog or its failures pass the threshold, once when back to normal, sent
straight through the sending layer (bot/health.py)."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import timedelta
from typing import Any

import pytest
from aiohttp import ClientSession, web
from aiohttp.test_utils import TestClient, TestServer
from pydantic import SecretStr

from bot.app import _serve_webhook
from bot.health import CachedReport, add_health_route, report_of, watch_health
from bot.jobs import build_scheduler
from kernel.notices import Notice
from storage.database import create_engine, create_session_factory
from storage.uow import UnitOfWorkFactory
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


async def test_get_health_answers_200_degraded_past_the_backlog_and_503_only_without_a_database(
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
        # The same backlog for every worker: a load balancer must not drop them all.
        assert sick.status == 200
        assert body["status"] == "degraded" and body["problems"] == ["backlog"]
        assert body["outbox"]["due"] == 3 and body["outbox"]["oldest_due_seconds"] == 120
    finally:
        await client.close()

    # This process's database does not answer: 503, the one thing a balancer acts on.
    nowhere = create_engine("postgresql+asyncpg://bot:pw@127.0.0.1:9/bot")
    broken = replace(app.container, read_engine=None,
                     uow=UnitOfWorkFactory(create_session_factory(nowhere)))  # fmt: skip
    gone = web.Application()
    add_health_route(gone, broken)
    down: TestClient[Any, Any] = TestClient(TestServer(gone))
    await down.start_server()
    try:
        dead = await down.get("/health")
        assert dead.status == 503 and (await dead.json())["status"] == "unhealthy"
    finally:
        await down.close()
        await nowhere.dispose()


async def test_the_backlog_is_told_once_per_episode_and_once_back_to_normal(
    app: BotUnderTest, clock: FrozenClock
) -> None:
    tighten(app, OUTBOX_ALERT_BACKLOG=3)
    ids = await queue(app, 3)
    clock.advance(minutes=1)

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
    clock.advance(minutes=1)
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
    clock.advance(minutes=1)
    app.core.fail_next("sendMessage", 400, "Bad Request: not enough rights to send text")
    assert await watch_health(app.container) == []
    assert admin_texts(app) == []
    clock.advance(minutes=1)
    assert await watch_health(app.container) == ["health.backlog"]
    assert len(admin_texts(app)) == 1


async def test_a_batch_draining_within_a_minute_is_no_episode_but_one_stuck_a_minute_is(
    app: BotUnderTest, clock: FrozenClock
) -> None:
    tighten(app, OUTBOX_ALERT_BACKLOG=3)
    ids = await queue(app, 3)  # a routine batch, past the count, just queued
    assert await watch_health(app.container) == []
    clock.advance(seconds=50)
    assert await watch_health(app.container) == []
    await settle(app, ids, "sent")  # drained in time
    clock.advance(seconds=20)
    assert await watch_health(app.container) == []
    assert admin_texts(app) == []  # no "held up" / "back to normal" pair

    await queue(app, 3)
    clock.advance(seconds=59)
    assert await watch_health(app.container) == []
    clock.advance(seconds=1)
    assert await watch_health(app.container) == ["health.backlog"]


async def test_back_to_normal_refused_by_telegram_is_tried_again_at_the_next_check(
    app: BotUnderTest, clock: FrozenClock
) -> None:
    tighten(app, OUTBOX_ALERT_BACKLOG=2)
    ids = await queue(app, 2)
    clock.advance(minutes=1)
    assert await watch_health(app.container) == ["health.backlog"]
    await settle(app, ids, "sent")
    app.core.fail_next("sendMessage", 400, "Bad Request: not enough rights to send text")
    clock.advance(minutes=1)
    assert await watch_health(app.container) == []
    assert len(admin_texts(app)) == 1
    clock.advance(minutes=1)
    assert await watch_health(app.container) == ["health.backlog_normal"]
    assert "Antrean pesan kembali normal" in admin_texts(app)[-1]
    clock.advance(minutes=1)
    assert await watch_health(app.container) == []  # told once


async def test_the_report_still_reaches_the_database_while_a_write_transaction_is_held(
    app: BotUnderTest, clock: FrozenClock
) -> None:
    async with app.container.uow() as held:  # the bot's one write connection, busy
        notice = Notice(chat_id=7000, text_key="x", language="id", params={})
        await held.outbox.enqueue(notice, clock.now())
        await held.health.ping()  # the statements run: the connection is in a transaction
        report = await report_of(app.container)
    assert report.database_error is None and report.to_json()["database"]["ok"] is True


async def test_concurrent_health_checks_share_one_report_for_a_few_seconds(
    app: BotUnderTest, clock: FrozenClock
) -> None:
    cached = CachedReport(app.container, None)
    first = await asyncio.gather(*(cached.get() for _ in range(20)))
    assert all(report is first[0] for report in first) and first[0].due == 0
    await queue(app, 2)
    clock.advance(seconds=4)
    assert (await cached.get()).due == 0  # the same report, not checked again
    clock.advance(seconds=2)
    assert (await cached.get()).due == 2


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
