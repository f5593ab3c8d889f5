"""Scheduled jobs: registered at start, idempotent when they run twice."""

from __future__ import annotations

import asyncio

from sqlalchemy import select

from bot.jobs import (
    EXPIRE_STALE_EVERY,
    build_scheduler,
    expire_stale_payments,
    remind_reports,
    reminder_catch_up,
)
from domain.reports import ReportFigures
from domain.states import PaymentStatus
from kernel.actor import Actor
from kernel.admin_input import MemberRef
from services.reports import Screenshot
from storage.models import PaymentRequest
from tests.handlers.conftest import BotUnderTest
from tests.handlers.shopkit import add_method, deliver, open_shop, start, tap


async def test_the_scheduler_runs_the_stale_payment_job_at_start_and_every_ten_minutes(
    app: BotUnderTest,
) -> None:
    scheduler = build_scheduler(app.container)
    job = scheduler.get_job("expire-stale-payments")
    assert job is not None
    assert job.trigger.interval == EXPIRE_STALE_EVERY
    assert job.next_run_time == app.container.clock.now()  # catches up after downtime


async def test_a_request_without_proof_is_closed_once_after_24_hours(app: BotUnderTest) -> None:
    await add_method(app)
    ani = await start(app, 601, "Ani")
    await tap(app, ani, await open_shop(app, ani), "Basic")
    await tap(app, ani, app.core.last_sent(601), "Lanjut bayar")  # type: ignore[arg-type]
    app.container.clock.advance(hours=23)  # type: ignore[attr-defined]
    assert await expire_stale_payments(app.container) == 0
    app.container.clock.advance(hours=1)  # type: ignore[attr-defined]
    assert await expire_stale_payments(app.container) == 1
    assert await expire_stale_payments(app.container) == 0
    await deliver(app)
    closing = [m for m in app.core.sent_to(601) if m.get("text", "").startswith("⌛")]
    assert len(closing) == 1 and "24 jam" in closing[0]["text"]
    async with app.container.uow() as work:
        status = await work.session.scalar(select(PaymentRequest.status))
    assert status == PaymentStatus.EXPIRED


async def test_the_report_reminder_runs_daily_at_the_configured_jakarta_time(
    app: BotUnderTest,
) -> None:
    scheduler = build_scheduler(app.container)
    job = scheduler.get_job("report-reminder")
    assert job is not None
    fields = {f.name: str(f) for f in job.trigger.fields}
    assert (fields["hour"], fields["minute"]) == ("20", "0")
    assert str(job.trigger.timezone) == "Asia/Jakarta"
    # 10:00 in Jakarta: today's reminder time has not come, so no catch-up run at start.
    assert reminder_catch_up(app.container) is None
    assert scheduler.get_job("report-reminder-catch-up") is None
    app.container.clock.advance(hours=10, minutes=30)  # type: ignore[attr-defined]
    later = build_scheduler(app.container)
    catch_up = later.get_job("report-reminder-catch-up")
    assert catch_up is not None and catch_up.trigger.run_date == app.container.clock.now()


async def test_the_reminder_reaches_each_vip_without_a_report_once(app: BotUnderTest) -> None:
    admin = Actor(1, "Owner")
    for telegram_id, name, plan in (
        (611, "Ani", "vip_lifetime"),
        (612, "Budi", "vip_lifetime"),
        (613, "Citra", "basic_lifetime"),
    ):
        await start(app, telegram_id, name)
        await app.container.memberships.grant(MemberRef(telegram_id=telegram_id), plan, "t", admin)
    reports = app.container.reports
    await reports.submit(
        612, reports.today(), ReportFigures(0, (), 0, 0, 0, 0), [Screenshot("f", "u")]
    )
    await deliver(app)
    before = {t: len(app.core.sent_to(t)) for t in (611, 612, 613)}
    assert await remind_reports(app.container) == 1
    assert await remind_reports(app.container) == 0  # a second run sends nothing
    await deliver(app)
    after = {t: len(app.core.sent_to(t)) for t in (611, 612, 613)}
    assert {t: after[t] - before[t] for t in after} == {611: 1, 612: 0, 613: 0}
    today = reports.today()
    month = "Jan Feb Mar Apr Mei Jun Jul Agu Sep Okt Nov Des".split()[today.month - 1]
    shown = f"{today.day} {month}"
    assert f"{shown} {today.year}" in app.core.sent_to(611)[-1]["text"]  # "10 Jan 2026"


async def test_stopping_the_scheduler_lets_a_running_job_finish_first(app: BotUnderTest) -> None:
    """At stop the bot waits for a job mid-query before it closes the database (the
    scheduler's own shutdown would cancel it, and the log showed a traceback)."""
    scheduler = build_scheduler(app.container)
    scheduler.start()
    release, finished = asyncio.Event(), []

    async def slow_job() -> None:
        await release.wait()
        finished.append(True)

    running = asyncio.create_task(scheduler.tracked(slow_job)())
    await asyncio.sleep(0)
    stopping = asyncio.create_task(scheduler.stop())
    await asyncio.sleep(0)
    assert not stopping.done()  # waiting for the job
    release.set()
    await stopping
    assert finished == [True] and not running.cancelled()
