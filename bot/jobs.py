"""Scheduled jobs (APScheduler, in the bot process).

Each job is idempotent: it runs once at start (catching up after downtime)
and then on its interval; running it twice changes nothing the second time.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

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


async def remind_reports(container: Container) -> int:
    """Remind VIP members who have not reported today (once per member per day)."""
    try:
        sent = await container.reports.remind_missing()
    except Exception:
        log.exception("Queueing report reminders failed")
        return 0
    log.info("Queued %s report reminder(s)", sent)
    return sent


def reminder_catch_up(container: Container) -> datetime | None:
    """Run the reminder at start too when today's reminder time has already passed
    (the bot was down then); the job's dedupe keys keep it to one per member per day."""
    now = container.clock.now()
    local = now.astimezone(container.settings.zone)
    return now if local.time() >= container.settings.reminder_time else None


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
    at = container.settings.reminder_time
    scheduler.add_job(
        remind_reports,
        "cron",
        hour=at.hour,
        minute=at.minute,
        args=(container,),
        id="report-reminder",
        coalesce=True,
        max_instances=1,
        misfire_grace_time=3600,
        replace_existing=True,
    )
    catch_up = reminder_catch_up(container)
    if catch_up is not None:
        scheduler.add_job(
            remind_reports,
            "date",
            run_date=catch_up,
            args=(container,),
            id="report-reminder-catch-up",
            replace_existing=True,
        )
    return scheduler
