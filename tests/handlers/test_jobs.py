"""Scheduled jobs: registered at start, idempotent when they run twice."""

from __future__ import annotations

from sqlalchemy import select

from bot.jobs import EXPIRE_STALE_EVERY, build_scheduler, expire_stale_payments
from domain.states import PaymentStatus
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
    closing = [m for m in app.core.sent_to(601) if "ditutup" in m.get("text", "")]
    assert len(closing) == 1 and "24 jam" in closing[0]["text"]
    async with app.container.uow() as work:
        status = await work.session.scalar(select(PaymentRequest.status))
    assert status == PaymentStatus.EXPIRED
