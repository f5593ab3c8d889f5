"""The health report (bot/health.py) on SQLite and PostgreSQL, the scheduler's record of
each job's last run, and `python -m bot status` with its exit codes."""

from __future__ import annotations

import logging
import os
import shutil
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bot.health import HealthReport, Thresholds, build_report
from bot.jobs import Scheduler
from kernel.notices import Notice
from storage.database import create_engine, create_session_factory
from storage.repos.health import JobRunRecord
from storage.uow import UnitOfWorkFactory
from tests.kit.clock import FrozenClock

ROOT = Path(__file__).resolve().parent.parent
TOKEN = "123456:TEST-token"
LIMITS = Thresholds(backlog=500, wait=timedelta(minutes=10), failures=2)


async def queue(uow: UnitOfWorkFactory, now: datetime, count: int, later: int = 0) -> list[int]:
    """`count` messages due now (and `later` due in an hour); the ids of those due now."""
    async with uow() as work:
        for n in range(count + later):
            due = now + timedelta(hours=1) if n >= count else None
            notice = Notice(
                chat_id=1000 + n, text_key="x", language="id", params={}, not_before=due
            )
            await work.outbox.enqueue(notice, now)
        await work.commit()
    async with uow() as work:
        return [row.id for row in await work.outbox.due(now, 1000)]


async def fail(uow: UnitOfWorkFactory, ids: list[int]) -> None:
    async with uow() as work:
        for row_id in ids:
            await work.outbox.give_up(row_id, "failed", "Bad Request: chat not found")
        await work.commit()


async def test_the_report_counts_the_backlog_its_oldest_wait_and_the_failures(
    uow: UnitOfWorkFactory, clock: FrozenClock
) -> None:
    start = clock.now()
    ids = await queue(uow, start, 4, later=1)
    await fail(uow, ids[:2])

    calm = await build_report(uow, clock.advance(minutes=3), LIMITS)
    assert calm.database_error is None
    assert (calm.due, calm.oldest_due_seconds) == (2, 180)  # the one due later is not due
    assert (calm.failed_last_hour, calm.failed_total) == (2, 2)
    assert calm.problems == ("failures",)  # 2 failed in the hour: at the threshold

    later = await build_report(uow, clock.advance(minutes=62), LIMITS)
    # The two still waiting have waited 65 minutes (and the later one is due now too);
    # the failures are older than an hour and count only in the total.
    assert (later.due, later.oldest_due_seconds) == (3, 65 * 60)
    assert (later.failed_last_hour, later.failed_total) == (0, 2)
    assert later.problems == ("backlog",)
    assert not later.healthy


async def test_an_empty_outbox_and_answering_database_is_healthy(
    uow: UnitOfWorkFactory, clock: FrozenClock
) -> None:
    report = await build_report(uow, clock.now(), LIMITS)
    assert report.healthy and report.database_error is None
    assert (report.due, report.failed_total) == (0, 0)
    assert report.to_json()["status"] == "ok"
    assert report.lines()[0].endswith("OK")


async def report_on(url: str, clock: FrozenClock) -> HealthReport:
    engine = create_engine(url)
    try:
        return await build_report(UnitOfWorkFactory(create_session_factory(engine)), clock.now(),
                                  LIMITS, wait_seconds=3)  # fmt: skip
    finally:
        await engine.dispose()


async def test_a_database_that_does_not_answer_is_unhealthy_and_named_without_its_url(
    clock: FrozenClock,
) -> None:
    report = await report_on("postgresql+asyncpg://bot:s3cret-pw@127.0.0.1:9/bot", clock)
    assert report.problems == ("database",) and not report.healthy
    assert report.to_json()["status"] == "unhealthy"
    assert report.to_json()["database"]["ok"] is False
    shown = str(report.to_json()) + "\n".join(report.lines())
    assert "s3cret-pw" not in shown and "127.0.0.1" not in shown
    assert "database: NOT OK (" in report.lines()[1]


async def test_a_database_without_the_schema_answers_but_is_unhealthy(
    tmp_path: Path, clock: FrozenClock
) -> None:
    report = await report_on(f"sqlite+aiosqlite:///{tmp_path}/empty.db", clock)
    assert report.problems == ("database",)
    assert report.database_error is not None and "schema migrated" in report.database_error


async def test_each_job_s_last_run_is_recorded_with_a_logged_error_as_a_failure(
    uow: UnitOfWorkFactory, clock: FrozenClock
) -> None:
    async def record(run: JobRunRecord) -> None:
        async with uow() as work:
            await work.health.record_job_run(run)
            await work.commit()

    scheduler = Scheduler(timezone="UTC")
    scheduler.now, scheduler.remember = clock.now, record

    async def tidy() -> None:
        clock.advance(seconds=2)

    async def broken() -> None:
        logging.getLogger("bot.jobs").error("Expiring memberships failed")

    await scheduler.tracked(tidy, "tidy")()
    await scheduler.tracked(broken, "broken")()
    await scheduler.tracked(broken, "broken")()  # the second run replaces the first

    report = await build_report(uow, clock.now(), LIMITS)
    jobs = {job.job_id: job for job in report.jobs}
    assert set(jobs) == {"broken", "tidy"}
    assert jobs["tidy"].ok and jobs["tidy"].finished_at == jobs["tidy"].started_at + timedelta(
        seconds=2
    )
    assert not jobs["broken"].ok and jobs["broken"].error == "Expiring memberships failed"
    assert report.healthy  # a failed job is shown, not a reason for a 503
    assert "job broken: last run" in "\n".join(report.lines())
    assert "FAILED: Expiring memberships failed" in "\n".join(report.lines())

    # A job running now shows from the scheduler's memory, over the database's last run.
    live = {"tidy": JobRunRecord("tidy", clock.advance(minutes=1), None, True, None)}
    running = await build_report(uow, clock.now(), LIMITS, live)
    tidy_now = next(job for job in running.jobs if job.job_id == "tidy")
    assert tidy_now.finished_at is None
    assert running.to_json()["jobs"]["tidy"]["running"] is True


# ---------------------------------------------------------------- python -m bot status


def status_cli(cwd: Path, url: str, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.isupper() or k in ("PATH", "HOME")}
    return subprocess.run(
        [sys.executable, "-m", "bot", "status"],
        env={
            **clean,
            "PYTHONPATH": str(ROOT),
            "BOT_TOKEN": TOKEN,
            "ADMIN_CHAT_ID": "-100",
            "DATABASE_URL": url,
            **env,
        },
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=60,
    )


async def test_status_prints_the_report_and_exits_0_healthy_then_1_when_failures_pile_up(
    sqlite_template: Path, tmp_path: Path
) -> None:
    database = tmp_path / "bot.db"
    shutil.copy(sqlite_template, database)
    url = f"sqlite+aiosqlite:///{database}"

    healthy = status_cli(tmp_path, url)
    assert healthy.returncode == 0, healthy.stderr
    assert "OK" in healthy.stdout.splitlines()[1]
    assert "database: answers" in healthy.stdout
    assert "outbox backlog: 0 due" in healthy.stdout
    assert TOKEN.split(":")[1] not in healthy.stdout + healthy.stderr

    engine = create_engine(url)
    try:
        uow = UnitOfWorkFactory(create_session_factory(engine))
        await fail(uow, await queue(uow, datetime.now(UTC), 3))
    finally:
        await engine.dispose()
    sick = status_cli(tmp_path, url, OUTBOX_ALERT_FAILURES="3")
    assert sick.returncode == 1, sick.stderr
    assert "UNHEALTHY (failures)" in sick.stdout
    assert "outbox failures: 3 in the last hour (threshold 3), 3 in all" in sick.stdout


def test_status_exits_2_on_a_bad_setting_or_a_database_that_does_not_exist(
    tmp_path: Path,
) -> None:
    missing = status_cli(tmp_path, f"sqlite+aiosqlite:///{tmp_path}/absent.db")
    assert missing.returncode == 2
    assert "does not exist" in missing.stderr
    assert not (tmp_path / "absent.db").exists()  # nothing was created

    bad = status_cli(tmp_path, "sqlite+aiosqlite:///x.db", OUTBOX_ALERT_BACKLOG="0")
    assert bad.returncode == 2
    assert "OUTBOX_ALERT_BACKLOG" in bad.stderr


def test_status_is_in_the_usage_and_the_help() -> None:
    from bot.__main__ import USAGE
    from bot.__main__ import __doc__ as doc

    assert "status" in USAGE and "python -m bot status" in (doc or "")


def test_the_json_shows_a_failed_job_s_times_and_ok_but_not_its_error_text() -> None:
    from bot.health import JobStatus

    at = datetime(2026, 3, 1, 2, 0, tzinfo=UTC)
    error = "pg_dump: error: could not open /srv/secret/backups/db.dump: Permission denied"
    end = at + timedelta(seconds=3)
    job = JobStatus("nightly-backup", at, end, False, error)
    report = HealthReport(at, LIMITS, jobs=(job,))
    shown = report.to_json()["jobs"]["nightly-backup"]
    assert shown == {"running": False, "started_at": at.isoformat(),
                     "finished_at": end.isoformat(), "ok": False}  # fmt: skip
    assert "/srv/secret" not in str(report.to_json())
    assert any(error in line for line in report.lines())  # `status` still tells it
