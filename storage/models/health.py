"""What the health report reads besides the outbox: each scheduled job's last run, and
the alert episodes open now (so a restart does not alert again for the same episode)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Base


class JobRun(Base):
    """The last finished run of one scheduled job (upserted at each run's end)."""

    __tablename__ = "job_runs"

    job_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    started_at: Mapped[datetime]
    finished_at: Mapped[datetime]
    ok: Mapped[bool]
    error: Mapped[str | None] = mapped_column(String(256))


class HealthEpisode(Base):
    """An alert episode open now ("backlog", "failures"): from the alert until back to
    normal, when the row is deleted."""

    __tablename__ = "health_episodes"

    kind: Mapped[str] = mapped_column(String(32), primary_key=True)
    started_at: Mapped[datetime]
