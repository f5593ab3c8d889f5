"""Daily reports, their screenshots and batches."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from domain.states import (
    ReportStatus,
)
from storage.models.base import Base
from storage.types import status_enum


class Report(Base):
    __tablename__ = "reports"

    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"), index=True)
    # The member's day in Asia/Jakarta (the configured TIMEZONE).
    report_date: Mapped[date] = mapped_column(Date)
    status: Mapped[ReportStatus] = mapped_column(status_enum(ReportStatus, "status"))
    videos_posted: Mapped[int] = mapped_column(Integer, default=0)
    links: Mapped[dict[str, Any]] = mapped_column(default=dict)
    views: Mapped[int] = mapped_column(BigInteger, default=0)
    orders: Mapped[int] = mapped_column(Integer, default=0)
    sales: Mapped[int] = mapped_column(BigInteger, default=0)
    commission_claimed: Mapped[int] = mapped_column(BigInteger)
    commission_validated: Mapped[int | None] = mapped_column(BigInteger)
    reviewed_by: Mapped[int | None] = mapped_column(BigInteger)
    reviewed_at: Mapped[datetime | None]
    reject_reason: Mapped[str | None] = mapped_column(Text)
    admin_message_id: Mapped[int | None] = mapped_column(BigInteger)
    # Raised on every replacement: a card's buttons name the version they show.
    version: Mapped[int] = mapped_column(Integer, server_default="1")
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]

    __table_args__ = (
        UniqueConstraint("member_id", "report_date"),
        # /reports: those waiting for validation, oldest first (and counts by status).
        Index("ix_reports_status_updated_at", "status", "updated_at"),
        CheckConstraint(
            "commission_claimed >= 0 AND views >= 0 AND orders >= 0 AND sales >= 0 "
            "AND videos_posted >= 0",
            name="figures_not_negative",
        ),
    )


class ReportScreenshot(Base):
    __tablename__ = "report_screenshots"

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("reports.id"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    telegram_file_id: Mapped[str] = mapped_column(String(256))
    file_unique_id: Mapped[str] = mapped_column(String(64))
    # "photo" or "document" (a screenshot sent as a file).
    media_kind: Mapped[str] = mapped_column(String(8), server_default="photo")

    __table_args__ = (UniqueConstraint("report_id", "position"),)


class ReportBatch(Base):
    """The reports a /reports listing showed, so "validate all" validates exactly those
    (each at the version shown); `items` is a list of [report_id, version]."""

    __tablename__ = "report_batches"

    id: Mapped[int] = mapped_column(primary_key=True)
    items: Mapped[list[Any]] = mapped_column(JSON())
    created_by: Mapped[int] = mapped_column(BigInteger)
    created_at: Mapped[datetime]
    used_by: Mapped[int | None] = mapped_column(BigInteger)
    used_at: Mapped[datetime | None]
