"""The bot's health: one report, three uses.

`build_report` reads the database (a trivial query with a short timeout), the outbox
backlog (rows due and not sent, and how long the oldest has been due), the outbox
failures (rows given up in the last hour, and in all) and each scheduled job's last
run, on the read-only connection (never the bot's one write connection: a held write
transaction must not make the report fail, nor a flood of checks starve updates). The
webhook server answers GET HEALTH_PATH with it as JSON (200 unless this process's
database check fails: a backlog or failures are the same for every worker, so they make
it "degraded", not 503), built at most once per CACHE_SECONDS and one check at a time;
`python -m bot status` prints it (exit 0 healthy, 1 not); and `watch_health`,
every minute in the scheduler, tells the admin group once when the backlog or the
failures pass their threshold and once when they are back under ("an episode"). The
open episodes live in the database (table health_episodes), so a restart or a second
process does not alert again for the same one. The alert is sent straight through the
sending layer, never through the outbox: a queue that is stuck would hold it back too.

The jobs' runs are kept in memory by the scheduler (bot/jobs.py) and written to the
table job_runs at the end of each run, one row per job, so `status` in another process
sees them. A job counts as failed when it raised or logged an error while it ran (the
jobs catch their own exceptions and log them).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Mapping
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from aiohttp import web

from storage.database import create_session_factory
from storage.repos.health import JobRunRecord
from storage.uow import UnitOfWorkFactory

if TYPE_CHECKING:
    from bot.container import Container
    from bot.settings import Settings

log = logging.getLogger(__name__)

DATABASE_TIMEOUT_SECONDS = 5.0
CACHE_SECONDS = 5.0  # GET /health answers the same report for this long
COUNT_WAIT = timedelta(minutes=1)  # a count past the threshold alerts once the oldest waited this
FAILURES_WINDOW = timedelta(hours=1)
WATCH_EVERY = timedelta(minutes=1)
EPISODES = ("backlog", "failures")


@dataclass(frozen=True, slots=True)
class Thresholds:
    backlog: int
    wait: timedelta
    failures: int

    @classmethod
    def of(cls, settings: Settings) -> Thresholds:
        return cls(
            backlog=settings.OUTBOX_ALERT_BACKLOG,
            wait=timedelta(minutes=settings.OUTBOX_ALERT_WAIT_MINUTES),
            failures=settings.OUTBOX_ALERT_FAILURES,
        )


@dataclass(frozen=True, slots=True)
class JobStatus:
    job_id: str
    started_at: datetime
    finished_at: datetime | None  # None: running now
    ok: bool
    error: str | None

    def to_json(self) -> dict[str, Any]:
        return {
            "running": self.finished_at is None,
            "started_at": self.started_at.isoformat(),
            "finished_at": self.finished_at.isoformat() if self.finished_at else None,
            "ok": self.ok,
        }  # not the error: it may hold a path or a tool's stderr (see `status`, the log)


@dataclass(frozen=True, slots=True)
class HealthReport:
    checked_at: datetime
    thresholds: Thresholds
    database_error: str | None = None  # None: the database answered
    due: int = 0
    oldest_due_seconds: float = 0.0
    failed_last_hour: int = 0
    failed_total: int = 0
    jobs: tuple[JobStatus, ...] = ()
    problems: tuple[str, ...] = field(default=())  # "database", "backlog", "failures"

    @property
    def healthy(self) -> bool:
        return not self.problems

    @property
    def reachable(self) -> bool:
        """This process reached its database (what GET /health answers 503 for)."""
        return self.database_error is None

    @property
    def status(self) -> str:
        if not self.reachable:
            return "unhealthy"
        return "ok" if self.healthy else "degraded"

    def to_json(self) -> dict[str, Any]:
        """What GET /health answers: counts, times and job names; never a URL or token."""
        reached = self.database_error is None
        return {
            "status": self.status,
            "checked_at": self.checked_at.isoformat(),
            "problems": list(self.problems),
            "database": {"ok": reached, "error": self.database_error},
            "outbox": {
                "due": self.due if reached else None,
                "oldest_due_seconds": round(self.oldest_due_seconds) if reached else None,
                "failed_last_hour": self.failed_last_hour if reached else None,
                "failed_total": self.failed_total if reached else None,
                "thresholds": {
                    "backlog": self.thresholds.backlog,
                    "wait_seconds": int(self.thresholds.wait.total_seconds()),
                    "failures_per_hour": self.thresholds.failures,
                },
            },
            "jobs": {job.job_id: job.to_json() for job in self.jobs},
        }

    def lines(self) -> list[str]:
        """What `python -m bot status` prints."""
        t = self.thresholds
        verdict = "OK" if self.healthy else f"UNHEALTHY ({', '.join(self.problems)})"
        out = [f"Health at {self.checked_at:%Y-%m-%d %H:%M:%S} UTC: {verdict}"]
        if self.database_error is not None:
            out.append(f"  database: NOT OK ({self.database_error})")
            return out
        out.append("  database: answers")
        wait_min = int(t.wait.total_seconds() // 60)
        mark = " <- past the threshold" if "backlog" in self.problems else ""
        out.append(
            f"  outbox backlog: {self.due} due, the oldest due for {_ago(self.oldest_due_seconds)} "
            f"(threshold {t.backlog} rows or {wait_min} min){mark}"
        )
        mark = " <- past the threshold" if "failures" in self.problems else ""
        out.append(
            f"  outbox failures: {self.failed_last_hour} in the last hour (threshold "
            f"{t.failures}), {self.failed_total} in all{mark}"
        )
        if not self.jobs:
            out.append("  jobs: no run recorded yet")
        for job in self.jobs:
            if job.finished_at is None:
                state = f"running since {job.started_at:%Y-%m-%d %H:%M:%S}"
            else:
                outcome = "ok" if job.ok else f"FAILED: {job.error}"
                took = (job.finished_at - job.started_at).total_seconds()
                state = f"last run {job.finished_at:%Y-%m-%d %H:%M:%S} ({took:.1f} s), {outcome}"
            out.append(f"  job {job.job_id}: {state}")
        return out


def _ago(seconds: float) -> str:
    if seconds < 120:
        return f"{int(seconds)} s"
    return f"{int(seconds // 60)} min"


async def build_report(
    uow: UnitOfWorkFactory,
    now: datetime,
    thresholds: Thresholds,
    live: Mapping[str, JobRunRecord] | None = None,
    wait_seconds: float = DATABASE_TIMEOUT_SECONDS,
) -> HealthReport:
    """The report at `now`. `live` are this process's runs (the scheduler's memory): a
    job running now, or a run the database did not get, shows from there."""
    answered = False
    try:
        async with asyncio.timeout(wait_seconds):
            async with uow() as work:
                await work.health.ping()
                answered = True
                backlog = await work.health.outbox_backlog(now)
                failures = await work.health.outbox_failures(now - FAILURES_WINDOW)
                stored = await work.health.job_runs()
    except TimeoutError:
        return HealthReport(
            now, thresholds, f"no answer in {wait_seconds:g} s", problems=("database",)
        )
    except Exception as error:  # the class only: a message may name a host or a user
        problem = type(error).__name__
        if answered:
            problem = f"it answers, but reading failed ({problem}): is the schema migrated?"
        log.warning("Health: the database did not answer right (%s)", problem)
        return HealthReport(now, thresholds, problem, problems=("database",))
    runs = {run.job_id: run for run in stored}
    for job_id, run in (live or {}).items():
        if job_id not in runs or run.started_at >= runs[job_id].started_at:
            runs[job_id] = run
    oldest = (now - backlog.oldest_due_at).total_seconds() if backlog.oldest_due_at else 0.0
    problems = []
    # The count alone is a routine batch draining (1,500 reminders in a minute): it
    # counts once the oldest of them has also waited COUNT_WAIT.
    crowded = backlog.due >= thresholds.backlog and oldest >= COUNT_WAIT.total_seconds()
    if crowded or oldest >= thresholds.wait.total_seconds():
        problems.append("backlog")
    if failures.recent >= thresholds.failures:
        problems.append("failures")
    return HealthReport(
        checked_at=now,
        thresholds=thresholds,
        due=backlog.due,
        oldest_due_seconds=max(oldest, 0.0),
        failed_last_hour=failures.recent,
        failed_total=failures.total,
        jobs=tuple(
            JobStatus(r.job_id, r.started_at, r.finished_at, r.ok, r.error)
            for r in sorted(runs.values(), key=lambda r: r.job_id)
        ),
        problems=tuple(problems),
    )


def reads_of(container: Container) -> UnitOfWorkFactory:
    """The read-only connection (the relay's, short reads) when there is one; the bot's
    own connection only for an in-memory SQLite database, which no other connection sees."""
    if container.read_engine is None:
        return container.uow
    return UnitOfWorkFactory(create_session_factory(container.read_engine))


async def report_of(
    container: Container, live: Mapping[str, JobRunRecord] | None = None
) -> HealthReport:
    return await build_report(
        reads_of(container), container.clock.now(), Thresholds.of(container.settings), live
    )


class CachedReport:
    """One report shared for CACHE_SECONDS; callers arriving while it is built wait for
    that one check instead of starting their own."""

    def __init__(
        self, container: Container, live: Callable[[], Mapping[str, JobRunRecord]] | None
    ) -> None:
        self.container = container
        self.live = live
        self.lock = asyncio.Lock()
        self.report: HealthReport | None = None
        self.built_at = 0.0

    def _fresh(self) -> HealthReport | None:
        age = self.container.clock.monotonic() - self.built_at
        return self.report if self.report is not None and 0 <= age < CACHE_SECONDS else None

    async def get(self) -> HealthReport:
        if (report := self._fresh()) is not None:
            return report
        async with self.lock:
            if (report := self._fresh()) is not None:
                return report
            report = await report_of(self.container, self.live() if self.live else None)
            self.report, self.built_at = report, self.container.clock.monotonic()
            return report


# ---------------------------------------------------------------- webhook endpoint


def add_health_route(
    app: web.Application,
    container: Container,
    live: Callable[[], Mapping[str, JobRunRecord]] | None = None,
) -> None:
    """GET HEALTH_PATH on the webhook's aiohttp app: the report as JSON, 503 only when
    this process's database check fails (a backlog or failures: 200, "degraded"). No
    secret is needed to read it, and none is in it."""
    cached = CachedReport(container, live)

    async def health(_request: web.Request) -> web.Response:
        report = await cached.get()
        return web.json_response(report.to_json(), status=200 if report.reachable else 503)

    app.router.add_get(container.settings.HEALTH_PATH, health)


# ---------------------------------------------------------------- job runs


# The errors logged by the job running in this task (set by the scheduler's wrapper).
RUN_ERRORS: ContextVar[list[str] | None] = ContextVar("run_errors", default=None)


class RunErrors(logging.Handler):
    """On the root logger: an ERROR logged while a job runs marks the run failed."""

    def __init__(self) -> None:
        super().__init__(level=logging.ERROR)

    def emit(self, record: logging.LogRecord) -> None:
        errors = RUN_ERRORS.get()
        if errors is not None:
            errors.append(_scrubbed(record.getMessage()))


def _scrubbed(text: str) -> str:
    from bot.logs import RedactingFormatter

    for handler in logging.getLogger().handlers:
        if isinstance(handler.formatter, RedactingFormatter):
            text = handler.formatter.scrub(text)
    return text[:200]


def watch_job_errors() -> None:
    """Install the RunErrors handler once per process."""
    root = logging.getLogger()
    if not any(isinstance(h, RunErrors) for h in root.handlers):
        root.addHandler(RunErrors())


def remember_runs(container: Container) -> Callable[[JobRunRecord], Awaitable[None]]:
    """Writes a finished run to job_runs (one row per job, replaced)."""

    async def remember(run: JobRunRecord) -> None:
        async with container.uow() as uow:
            await uow.health.record_job_run(run)
            await uow.commit()

    return remember


# ---------------------------------------------------------------- alerts


async def watch_health(container: Container) -> list[str]:
    """The minute's check: opens an episode (and tells the admin group) when the backlog
    or the failures pass their threshold, closes it (and tells them) when back under.
    Returns the alert keys sent (or tried)."""
    report = await report_of(container)
    if report.database_error is not None:
        log.error("Health check: the database did not answer (%s)", report.database_error)
        return []
    now = report.checked_at
    changed: list[tuple[str, bool, datetime]] = []
    async with container.uow() as uow:
        open_now = await uow.health.open_episodes()
        for kind in EPISODES:
            bad = kind in report.problems
            if bad and kind not in open_now and await uow.health.open_episode(kind, now):
                changed.append((kind, True, now))
            elif not bad and kind in open_now and await uow.health.close_episode(kind):
                changed.append((kind, False, open_now[kind]))
        await uow.commit()
    said = []
    for kind, opened, since in changed:
        key = f"health.{kind}" if opened else f"health.{kind}_normal"
        if await _tell_admins(container, key, report, since):
            said.append(key)
            continue
        async with container.uow() as uow:  # not told: undone, the next check tries again
            if opened:
                await uow.health.close_episode(kind)
            else:  # the episode back as it was, still to be told "back to normal"
                await uow.health.open_episode(kind, since)
            await uow.commit()
    for kind in EPISODES:
        if kind in report.problems:
            log.warning("Health: %s past its threshold (%s)", kind, report.lines()[0])
    return said


async def _tell_admins(
    container: Container, key: str, report: HealthReport, since: datetime
) -> bool:
    settings = container.settings
    local = since.astimezone(settings.zone)
    text = container.i18n.t(
        key,
        container.i18n.default,
        due=report.due,
        minutes=int(report.oldest_due_seconds // 60),
        limit=report.thresholds.failures if key.startswith("health.failures")
        else report.thresholds.backlog,
        limit_minutes=int(report.thresholds.wait.total_seconds() // 60),
        recent=report.failed_last_hour,
        total=report.failed_total,
        since=f"{local:%d.%m %H:%M}",
    )  # fmt: skip
    try:  # the sending layer paces and retries this call
        await container.bot.send_message(settings.ADMIN_CHAT_ID, text)
    except Exception as error:
        log.error("Health alert %s could not be sent to the admin group: %s", key, error)
        return False
    log.info("Health alert %s sent to the admin group", key)
    return True
