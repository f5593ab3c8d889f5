"""Reads for the health report (database, outbox backlog and failures, the jobs' last
runs) and the two small writes behind it: a job's run, an alert episode."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, select, text
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import HealthEpisode, JobRun, OutboxMessage

_O = OutboxMessage


@dataclass(frozen=True, slots=True)
class Backlog:
    """Outbox rows due and not sent: how many, and since when the oldest is due."""

    due: int
    oldest_due_at: datetime | None


@dataclass(frozen=True, slots=True)
class Failures:
    """Outbox rows given up as failed: since a moment, and in all."""

    recent: int
    total: int


@dataclass(frozen=True, slots=True)
class JobRunRecord:
    job_id: str
    started_at: datetime
    finished_at: datetime | None
    ok: bool
    error: str | None


class HealthRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    def _insert(self, table: Any) -> Any:
        bind = self.session.bind
        if bind is not None and bind.dialect.name == "postgresql":
            return postgresql_insert(table)
        return sqlite_insert(table)

    async def ping(self) -> None:
        """A trivial query: raises when the database does not answer."""
        await self.session.execute(text("SELECT 1"))

    async def outbox_backlog(self, now: datetime) -> Backlog:
        row = (
            await self.session.execute(
                select(func.count(), func.min(_O.next_attempt_at)).where(
                    _O.status == "pending", _O.next_attempt_at <= now
                )
            )
        ).one()
        return Backlog(due=int(row[0]), oldest_due_at=row[1])

    async def outbox_failures(self, since: datetime) -> Failures:
        """A failed row is given up when its last attempt ran, at its `next_attempt_at`:
        that is when it failed."""
        recent = func.count().filter(_O.next_attempt_at >= since)
        row = (
            await self.session.execute(select(recent, func.count()).where(_O.status == "failed"))
        ).one()
        return Failures(recent=int(row[0]), total=int(row[1]))

    async def job_runs(self) -> list[JobRunRecord]:
        rows = await self.session.execute(select(JobRun).order_by(JobRun.job_id))
        return [
            JobRunRecord(r.job_id, r.started_at, r.finished_at, r.ok, r.error)
            for r in rows.scalars()
        ]

    async def record_job_run(self, run: JobRunRecord) -> None:
        """The job's last run, replacing the one before."""
        values = {
            "started_at": run.started_at,
            "finished_at": run.finished_at or run.started_at,
            "ok": run.ok,
            "error": run.error[:256] if run.error else None,
        }
        statement = self._insert(JobRun).values(job_id=run.job_id, **values)
        statement = statement.on_conflict_do_update(index_elements=[JobRun.job_id], set_=values)
        await self.session.execute(statement)

    async def open_episodes(self) -> dict[str, datetime]:
        rows = await self.session.execute(select(HealthEpisode.kind, HealthEpisode.started_at))
        return {kind: started for kind, started in rows.all()}

    async def open_episode(self, kind: str, now: datetime) -> bool:
        """True when this call opened it (False: it was open already, maybe opened by
        another process at the same moment)."""
        statement = (
            self._insert(HealthEpisode)
            .values(kind=kind, started_at=now)
            .on_conflict_do_nothing(index_elements=[HealthEpisode.kind])
        )
        result: Any = await self.session.execute(statement)
        return bool(result.rowcount)

    async def close_episode(self, kind: str) -> bool:
        """True when this call closed it."""
        result: Any = await self.session.execute(
            delete(HealthEpisode).where(HealthEpisode.kind == kind)
        )
        return bool(result.rowcount)
