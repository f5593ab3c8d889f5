"""Scheduled jobs (APScheduler, in the bot process).

Each job is idempotent: running it twice changes nothing the second time. The
interval jobs (stale payments, membership lifecycle) and the rights check run once at
start too, catching up after downtime; the daily ones run at their time in the
configured zone (the report reminder also at start when its time has passed; a
nightly reconcile missed by more than an hour waits for the next night, while the
lifecycle job has already removed whoever expired meanwhile).

Each run's start, end and outcome (an error raised or logged) is kept in memory and
written to the table job_runs at its end, for the health report (bot/health.py), whose
alerts run here every minute too.
"""

from __future__ import annotations

import asyncio
import functools
import logging
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, time, timedelta
from typing import Any

from apscheduler.schedulers.asyncio import AsyncIOScheduler

from bot.backup import nightly_backup
from bot.container import Container
from bot.health import RUN_ERRORS, WATCH_EVERY, remember_runs, watch_health, watch_job_errors
from storage.repos.health import JobRunRecord

log = logging.getLogger(__name__)

EXPIRE_STALE_EVERY = timedelta(minutes=10)
QUESTIONS_CHECK_EVERY = timedelta(minutes=1)
MEETING_SWEEP_EVERY = timedelta(minutes=1)
# Sooner than services/numbers FRESH_FOR (5 min): the named periods are always fresh.
NUMBERS_REFRESH_EVERY = timedelta(minutes=4)
STOP_GRACE_SECONDS = 10.0


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


async def run_lifecycle(container: Container) -> tuple[int, int]:
    """Expire the memberships whose time has come, then queue the expiry reminders that
    are due; each step on its own, so one failing does not stop the other. Returns
    (expired, reminders queued)."""
    expired = reminded = 0
    try:
        expired = await container.lifecycle.expire_due()
    except Exception:
        log.exception("Expiring memberships failed")
    try:
        reminded = await container.lifecycle.remind_expiring()
    except Exception:
        log.exception("Queueing expiry reminders failed")
    return expired, reminded


async def check_rights(container: Container) -> list[str]:
    """Whether the bot may still invite and remove in the discussion group (the admins
    are alerted, once a day, when it may not)."""
    try:
        missing = await container.group_actions.check_rights()
    except Exception:
        log.exception("Checking the bot's rights in the discussion group failed")
        return []
    return missing


async def reconcile_group(container: Container) -> int:
    """Nightly: anyone the bot saw inside the group without VIP is removed (or, with
    GROUP_RECONCILE_DRY_RUN, only reported to the admins); then the bot's rights are
    checked. Returns how many were found without access."""
    found = 0
    try:
        result = await container.access.reconcile(container.settings.GROUP_RECONCILE_DRY_RUN)
    except Exception:
        log.exception("Reconciling the discussion group failed")
    else:
        found = len(result.outsiders)
        log.info(
            "Group reconcile%s: %s checked, %s without VIP, %s removal(s) queued",
            " (dry run)" if result.dry_run else "",
            result.checked,
            found,
            result.queued,
        )
    await check_rights(container)
    return found


async def raise_overdue_questions(container: Container) -> int:
    """Raise, once per wait, the members' questions unanswered for QA_SLA_MINUTES."""
    try:
        raised = await container.questions.raise_overdue()
    except Exception:
        log.exception("Raising overdue questions failed")
        return 0
    if raised:
        log.info("Raised %s overdue question(s) in the admin group", raised)
    return raised


async def refresh_numbers(container: Container) -> None:
    """Count the owner's named periods anew, off the admin's wait (/numbers then shows
    numbers at most NUMBERS_REFRESH_EVERY old, or counts them when an admin asks)."""
    try:
        await container.numbers.refresh()
    except Exception:
        log.exception("Counting the owner's numbers failed")


async def remind_meetings(container: Container) -> int:
    """Queue the meeting reminders whose moment has come (claimed in the database, so each
    goes once however often and wherever the sweep runs)."""
    try:
        queued = await container.meetings.send_reminders()
    except Exception:
        log.exception("Queueing meeting reminders failed")
        return 0
    if queued:
        log.info("Queued %s meeting reminder(s)", queued)
    return queued


def reminder_catch_up(container: Container) -> datetime | None:
    """Run the reminder at start too when today's reminder time has already passed
    (the bot was down then); the job's dedupe keys keep it to one per member per day."""
    now = container.clock.now()
    local = now.astimezone(container.settings.zone)
    return now if local.time() >= container.settings.reminder_time else None


class Scheduler(AsyncIOScheduler):  # type: ignore[misc]
    """APScheduler's, knowing which of its jobs are running: at stop the bot waits for
    them before it closes the database (a job cut off mid-query logged a traceback)."""

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        self.running_jobs: set[asyncio.Task[Any]] = set()
        # Each job's last run in this process (bot/health.py), and where it is written.
        self.runs: dict[str, JobRunRecord] = {}
        self.now: Callable[[], datetime] = lambda: datetime.now(UTC)
        self.remember: Callable[[JobRunRecord], Awaitable[None]] | None = None
        watch_job_errors()

    def tracked(
        self, job: Callable[..., Awaitable[Any]], job_id: str | None = None
    ) -> Callable[..., Awaitable[Any]]:
        name = job_id or job.__name__

        @functools.wraps(job)
        async def run(*args: Any) -> Any:
            task = asyncio.current_task()
            if task is not None:
                self.running_jobs.add(task)
            started = self.now()
            self.runs[name] = JobRunRecord(name, started, None, True, None)
            errors: list[str] = []  # ERROR lines logged while it runs (bot/health.py)
            token = RUN_ERRORS.set(errors)
            failure: str | None = None
            try:
                return await job(*args)
            except asyncio.CancelledError:
                failure = "cancelled"
                raise
            except Exception as error:
                failure = f"{type(error).__name__} raised"
                raise
            finally:
                RUN_ERRORS.reset(token)
                try:  # still "running" while its record is written: stop() waits for it
                    await self._finished(name, started, failure or (errors[0] if errors else None),
                                         write=failure != "cancelled")  # fmt: skip
                finally:
                    if task is not None:
                        self.running_jobs.discard(task)

        return run

    async def _finished(self, name: str, started: datetime, error: str | None, write: bool) -> None:
        done = JobRunRecord(name, started, self.now(), error is None, error)
        self.runs[name] = done
        if write and self.remember is not None:
            try:
                await self.remember(done)
            except Exception as problem:  # the run happened; only its record is missing
                log.warning("Could not record the run of job %s: %r", name, problem)

    async def stop(self, grace: float = STOP_GRACE_SECONDS) -> None:
        """No new runs; the running ones finish (cancelled after `grace` seconds), and
        only then the scheduler shuts down (its shutdown cancels whatever still runs)."""
        self.pause()
        running = set(self.running_jobs)
        if running:
            _done, late = await asyncio.wait(running, timeout=grace)
            for task in late:
                task.cancel()
            await asyncio.gather(*late, return_exceptions=True)
        self.shutdown(wait=False)


def build_scheduler(container: Container) -> Scheduler:
    scheduler = Scheduler(timezone=container.settings.zone)
    scheduler.now, scheduler.remember = container.clock.now, remember_runs(container)
    once = {"args": (container,), "replace_existing": True}
    repeated = once | {"coalesce": True, "max_instances": 1}

    def every(job: Any, seconds: float, job_id: str) -> None:
        """Every `seconds`, first at start (which catches up after downtime)."""
        scheduler.add_job(
            scheduler.tracked(job, job_id),
            "interval",
            seconds=seconds,
            id=job_id,
            next_run_time=container.clock.now(),
            **repeated,
        )

    def daily(job: Any, at: time, job_id: str) -> None:
        """Every day at `at` in the settings' zone (an hour late at most after downtime)."""
        scheduler.add_job(
            scheduler.tracked(job, job_id),
            "cron",
            hour=at.hour,
            minute=at.minute,
            id=job_id,
            misfire_grace_time=3600,
            **repeated,
        )

    every(expire_stale_payments, EXPIRE_STALE_EVERY.total_seconds(), "expire-stale-payments")
    every(run_lifecycle, container.settings.LIFECYCLE_INTERVAL_SECONDS, "membership-lifecycle")
    every(raise_overdue_questions, QUESTIONS_CHECK_EVERY.total_seconds(), "overdue-questions")
    every(remind_meetings, MEETING_SWEEP_EVERY.total_seconds(), "meeting-reminders")
    every(refresh_numbers, NUMBERS_REFRESH_EVERY.total_seconds(), "numbers-refresh")
    daily(remind_reports, container.settings.reminder_time, "report-reminder")
    daily(reconcile_group, container.settings.reconcile_time, "group-reconcile")
    daily(nightly_backup, container.settings.backup_time, "nightly-backup")
    every(watch_health, WATCH_EVERY.total_seconds(), "health-watch")
    scheduler.add_job(
        scheduler.tracked(check_rights, "group-rights-at-start"), "date",
        run_date=container.clock.now(), id="group-rights-at-start", **once,
    )  # fmt: skip
    catch_up = reminder_catch_up(container)
    if catch_up is not None:
        scheduler.add_job(
            scheduler.tracked(remind_reports, "report-reminder-catch-up"), "date",
            run_date=catch_up, id="report-reminder-catch-up", **once,
        )  # fmt: skip
    return scheduler
