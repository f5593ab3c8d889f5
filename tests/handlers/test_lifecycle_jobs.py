"""Lifecycle jobs in the bot process: registered at start, acting once when run twice."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta

import pytest
from sqlalchemy import select

from bot.container import build_container
from bot.dispatcher import build_dispatcher
from bot.health import watch_health
from bot.jobs import (
    build_scheduler,
    check_rights,
    reconcile_group,
    refresh_numbers,
    run_lifecycle,
)
from bot.settings import load_settings
from domain.membership import MembershipStatus
from kernel.actor import Actor
from kernel.admin_input import MemberRef
from storage.models import Membership, OutboxMessage
from tests.handlers.conftest import ADMIN_CHAT, BotUnderTest
from tests.handlers.shopkit import deliver, start
from tests.kit.admin_tools import AdminTools
from tests.kit.clock import FrozenClock
from tests.kit.fake_session import make_bot
from tests.kit.faketelegram import FakeTelegram

GROUP = -100600
OWNER = Actor(1, "Owner")
ANI, BUDI = 621, 622


@pytest.fixture
async def app(db_url: str, clock: FrozenClock) -> AsyncIterator[BotUnderTest]:
    """As tests/handlers/conftest.py's, with a discussion group configured."""
    core = FakeTelegram()
    settings = load_settings(
        _env_file=None,
        BOT_TOKEN=core.token,
        ADMIN_CHAT_ID=str(ADMIN_CHAT),
        DISCUSSION_CHAT_ID=str(GROUP),
        DATABASE_URL=db_url,
        LIFECYCLE_INTERVAL_SECONDS="120",
        GROUP_RECONCILE_TIME="02:30",
    )
    bot = make_bot(core)
    container = build_container(settings, bot=bot, clock=clock)
    dp = build_dispatcher(container)
    try:
        yield BotUnderTest(core, bot, dp, container)
    finally:
        await container.close()


async def outbox(app: BotUnderTest, **where: object) -> list[OutboxMessage]:
    async with app.container.uow() as work:
        query = select(OutboxMessage).order_by(OutboxMessage.id)
        for name, value in where.items():
            query = query.where(getattr(OutboxMessage, name) == value)
        return list((await work.session.execute(query)).scalars())


async def vip_for_30_days_inside(app: BotUnderTest, telegram_id: int, name: str) -> None:
    await start(app, telegram_id, name)
    tools = AdminTools.of(app.container)
    await tools.grant(MemberRef(telegram_id=telegram_id), "vip_30d", "test", OWNER)
    await app.container.access.record_presence(GROUP, telegram_id, "member")


async def test_the_scheduler_holds_the_lifecycle_reconcile_and_rights_jobs(
    app: BotUnderTest,
) -> None:
    scheduler = build_scheduler(app.container)
    now = app.container.clock.now()
    lifecycle = scheduler.get_job("membership-lifecycle")
    # Jobs are wrapped so the scheduler knows which run (bot/jobs.py Scheduler).
    assert lifecycle is not None and lifecycle.func.__wrapped__ is run_lifecycle
    assert lifecycle.trigger.interval == timedelta(seconds=120)
    assert lifecycle.next_run_time == now  # catches up after downtime
    nightly = scheduler.get_job("group-reconcile")
    assert nightly is not None and nightly.func.__wrapped__ is reconcile_group
    fields = {f.name: str(f) for f in nightly.trigger.fields}
    assert (fields["hour"], fields["minute"]) == ("2", "30")
    assert str(nightly.trigger.timezone) == "Asia/Jakarta"
    rights = scheduler.get_job("group-rights-at-start")
    assert rights is not None and rights.func.__wrapped__ is check_rights
    assert rights.trigger.run_date == now
    numbers = scheduler.get_job("numbers-refresh")
    assert numbers is not None and numbers.func.__wrapped__ is refresh_numbers
    assert numbers.next_run_time == now  # counted at start, then every 4 minutes
    # The jobs that were there before are still there.
    assert scheduler.get_job("expire-stale-payments") is not None
    assert scheduler.get_job("report-reminder") is not None
    health = scheduler.get_job("health-watch")  # the health alerts (bot/health.py)
    assert health is not None and health.func.__wrapped__ is watch_health
    assert health.trigger.interval == timedelta(minutes=1) and health.next_run_time == now


async def test_run_twice_the_lifecycle_job_removes_and_tells_once(app: BotUnderTest) -> None:
    await app.container.catalog.add_plan("vip", 30, 150_000, OWNER)
    app.core.make_group(GROUP, "VIP diskusi")
    await vip_for_30_days_inside(app, ANI, "Ani")
    await deliver(app)
    app.container.clock.advance(days=27, minutes=1)  # type: ignore[attr-defined]
    assert await run_lifecycle(app.container) == (0, 1)
    assert await run_lifecycle(app.container) == (0, 0)
    await deliver(app)
    app.container.clock.advance(days=3)  # type: ignore[attr-defined]
    before = len(app.core.sent_to(ANI))
    assert await run_lifecycle(app.container) == (1, 0)
    assert await run_lifecycle(app.container) == (0, 0)

    assert len(await outbox(app, kind="group_remove", chat_id=ANI)) == 1
    async with app.container.uow() as work:
        status = await work.session.scalar(select(Membership.status))
    assert status == MembershipStatus.EXPIRED
    await deliver(app)
    told = app.core.sent_to(ANI)[before:]
    assert len(told) == 1 and "dikeluarkan dari grup diskusi" in told[0]["text"]
    assert any("Perpanjang" in text for text, _ in app.core.buttons(told[0]))
    assert len(app.core.calls_of("banChatMember")) == 1
    assert app.core.member_status(GROUP, ANI) != "member"


async def test_the_reminder_reaches_the_member_with_the_end_time_and_a_renew_button(
    app: BotUnderTest,
) -> None:
    await app.container.catalog.add_plan("vip", 30, 150_000, OWNER)
    await start(app, BUDI, "Budi")
    await app.container.memberships.grant(MemberRef(telegram_id=BUDI), "vip_30d", "t", OWNER)
    await deliver(app)
    app.container.clock.advance(days=29, hours=1)  # type: ignore[attr-defined]
    assert await run_lifecycle(app.container) == (0, 1)
    await deliver(app)
    reminder = app.core.sent_to(BUDI)[-1]
    assert "24 jam" in reminder["text"] and "9 Feb 2026 10.00 WIB" in reminder["text"]
    assert [text for text, _ in app.core.buttons(reminder)] == ["🔄 Perpanjang paket"]


async def test_the_nightly_job_removes_outsiders_once_and_alerts_missing_rights(
    app: BotUnderTest,
) -> None:
    app.core.make_group(GROUP, "VIP diskusi", can_restrict_members=False)
    await start(app, BUDI, "Budi")  # no plan, but the bot saw them inside
    await app.container.access.record_presence(GROUP, BUDI, "member")
    assert await reconcile_group(app.container) == 1
    assert await reconcile_group(app.container) == 1  # still inside: found, not queued again
    assert len(await outbox(app, kind="group_remove", chat_id=BUDI)) == 1
    assert len(await outbox(app, chat_id=BUDI, kind="message")) == 1
    alerts = [m.text_key for m in await outbox(app, chat_id=ADMIN_CHAT)]
    assert alerts.count("access.reconcile_removed") == 1
    assert alerts.count("access.rights_missing") == 1  # once a day, however often checked
    assert await check_rights(app.container) == ["access.right_restrict"]
