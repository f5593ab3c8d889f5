"""Meetings: one row per schedule (a series is one row; its occurrences are computed by
domain/meetings.py), answers per member per occurrence, the reminder claims the sweep
writes before queueing a reminder, and attendance."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Base


class Meeting(Base):
    __tablename__ = "meetings"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(120))
    # The first start (UTC); a series' later starts follow from `repeat`.
    starts_at: Mapped[datetime]
    duration_minutes: Mapped[int] = mapped_column(Integer)
    audience: Mapped[str] = mapped_column(String(16))
    repeat: Mapped[str] = mapped_column(String(16))
    join_link: Mapped[str] = mapped_column(String(500))
    notes: Mapped[str | None] = mapped_column(String(800))
    status: Mapped[str] = mapped_column(String(16))
    # Raised by every edit: the dedupe keys of "the meeting changed" notices carry it.
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_by: Mapped[int] = mapped_column(BigInteger)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    cancelled_at: Mapped[datetime | None]
    # The scheduling screen's token: a second "Schedule" tap on the same screen (another
    # process, a double tap) inserts nothing.
    draft_token: Mapped[str | None] = mapped_column(String(40), unique=True)
    # A series whose start or repeat was changed after it began ends (its past stays with
    # it) and goes on as this row, from the occurrence that was coming.
    continued_as: Mapped[int | None] = mapped_column(Integer)

    __table_args__ = (
        CheckConstraint("audience IN ('vip', 'members')", name="audience"),
        CheckConstraint("repeat IN ('once', 'weekly', 'monthly')", name="repeat"),
        CheckConstraint("status IN ('scheduled', 'cancelled')", name="status"),
        CheckConstraint("duration_minutes >= 5 AND duration_minutes <= 600", name="duration"),
        Index("ix_meetings_status_starts_at", "status", "starts_at"),
    )


class MeetingRsvp(Base):
    """A member's answer for one occurrence; the last answer wins."""

    __tablename__ = "meeting_rsvps"

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id"))
    occurrence: Mapped[int] = mapped_column(Integer)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"))
    answer: Mapped[str] = mapped_column(String(8))
    answered_at: Mapped[datetime]

    __table_args__ = (
        CheckConstraint("answer IN ('yes', 'no', 'maybe')", name="answer"),
        UniqueConstraint("meeting_id", "occurrence", "member_id"),
        Index("ix_meeting_rsvps_member_id", "member_id"),
    )


class MeetingReminder(Base):
    """Claimed by the sweep in the transaction that queues the reminder: the unique key
    makes a second sweep (or a second process) insert nothing and so send nothing."""

    __tablename__ = "meeting_reminders"

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id"))
    occurrence: Mapped[int] = mapped_column(Integer)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"))
    offset_minutes: Mapped[int] = mapped_column(Integer)
    # Whether a message went out for this claim (a claim of a reminder whose moment passed
    # before the member answered, or one overtaken by a nearer one, sends nothing).
    sent: Mapped[bool] = mapped_column(Boolean, default=True)
    with_link: Mapped[bool] = mapped_column(Boolean, default=False)
    claimed_at: Mapped[datetime]

    __table_args__ = (
        UniqueConstraint(
            "meeting_id",
            "occurrence",
            "member_id",
            "offset_minutes",
            name="uq_meeting_reminders_claim",
        ),
    )


class MeetingAttendance(Base):
    """Whether a member was at one occurrence: their own "I'm here", or an admin's mark."""

    __tablename__ = "meeting_attendance"

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id"))
    occurrence: Mapped[int] = mapped_column(Integer)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"))
    present: Mapped[bool] = mapped_column(Boolean)
    source: Mapped[str] = mapped_column(String(8))
    marked_by: Mapped[int | None] = mapped_column(BigInteger)
    marked_at: Mapped[datetime]

    __table_args__ = (
        CheckConstraint("source IN ('member', 'admin')", name="source"),
        UniqueConstraint("meeting_id", "occurrence", "member_id"),
        Index("ix_meeting_attendance_member_id", "member_id"),
    )
