"""Scheduled jobs (APScheduler, in the bot process).

Each job is idempotent: it runs once at start (catching up after downtime)
and then on its interval; running it twice changes nothing the second time.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from apscheduler.schedulers.asyncio import AsyncIOScheduler

from bot.container import Container

log = logging.getLogger(__name__)

EXPIRE_STALE_EVERY = timedelta(minutes=10)


async def expire_stale_payments(container: Container) -> int:
    """Close payment requests still without a proof after 24 hours (members are told)."""
    try:
        closed = await container.payments.expire_stale()
    except Exception:  # the next run tries again; a job must never kill the scheduler
        log.exception("Closing stale payment requests failed")
        return 0
    if closed:
        log.info("Closed %s payment request(s) without a proof for 24 hours", closed)
    return closed


def build_scheduler(container: Container) -> AsyncIOScheduler:
    scheduler = AsyncIOScheduler(timezone=container.settings.zone)
    scheduler.add_job(
        expire_stale_payments,
        "interval",
        seconds=EXPIRE_STALE_EVERY.total_seconds(),
        args=(container,),
        id="expire-stale-payments",
        next_run_time=container.clock.now(),
        coalesce=True,
        max_instances=1,
        replace_existing=True,
    )
    return scheduler
