"""Announcements to members: the post (a message in the admin group, copied to each
recipient), its audience and status, and one row per recipient, claimed in batches by
the sender so a restart resumes where it stopped."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    JSON,
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


class AnnouncementStatus(StrEnum):
    """draft → scheduled → sending ⇄ paused → done; cancelled from any but done."""

    DRAFT = "draft"
    SCHEDULED = "scheduled"
    SENDING = "sending"
    PAUSED = "paused"
    CANCELLED = "cancelled"
    DONE = "done"


class Audience(StrEnum):
    EVERYONE = "everyone"
    BASIC = "basic"  # the highest tier held now is Basic
    VIP = "vip"
    EXPIRING = "expiring"  # a temporal plan ends within `audience_days`
    EXPIRED = "expired"  # held a plan once, holds none now
    NEVER_PAID = "never_paid"
    LEADERS = "leaders"  # lead at least one member now


class RecipientStatus(StrEnum):
    PENDING = "pending"
    CLAIMED = "claimed"
    SENT = "sent"
    FAILED = "failed"
    BLOCKED = "blocked"


def _one_of(column: str, values: type[StrEnum]) -> str:
    return f"{column} IN ({', '.join(repr(v.value) for v in values)})"


class Announcement(Base):
    __tablename__ = "announcements"

    id: Mapped[int] = mapped_column(primary_key=True)
    created_by: Mapped[int] = mapped_column(BigInteger)
    # The post as the admin sent it in the admin group: one message, or an album's ids.
    source_chat_id: Mapped[int] = mapped_column(BigInteger)
    source_message_ids: Mapped[list[int]] = mapped_column(JSON)
    is_album: Mapped[bool] = mapped_column(Boolean, default=False)
    # Link buttons, rows of {"text", "url"}: copying drops the original's keyboard.
    buttons: Mapped[list[list[dict[str, Any]]] | None] = mapped_column(JSON)
    audience: Mapped[str] = mapped_column(String(16))
    audience_days: Mapped[int | None] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(16))
    scheduled_at: Mapped[datetime | None]
    # The recipients are rows once sending starts; until then the audience is a query.
    recipients_ready: Mapped[bool] = mapped_column(Boolean, default=False)
    # The progress message in the admin group, edited while sending.
    status_chat_id: Mapped[int | None] = mapped_column(BigInteger)
    status_message_id: Mapped[int | None] = mapped_column(BigInteger)
    sent_count: Mapped[int] = mapped_column(Integer, default=0)
    failed_count: Mapped[int] = mapped_column(Integer, default=0)
    blocked_count: Mapped[int] = mapped_column(Integer, default=0)
    total_count: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime]
    started_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]

    __table_args__ = (
        CheckConstraint(_one_of("status", AnnouncementStatus), name="status"),
        CheckConstraint(_one_of("audience", Audience), name="audience"),
        CheckConstraint(
            "audience_days IS NULL OR (audience_days >= 1 AND audience_days <= 90)",
            name="audience_days",
        ),
        Index("ix_announcements_status_scheduled_at", "status", "scheduled_at"),
    )


class AnnouncementRecipient(Base):
    """One member an announcement goes to; `claimed_until` is the lease of the sender
    that took it, so rows of a sender that died go back to pending."""

    __tablename__ = "announcement_recipients"

    id: Mapped[int] = mapped_column(primary_key=True)
    announcement_id: Mapped[int] = mapped_column(ForeignKey("announcements.id"))
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"))
    chat_id: Mapped[int] = mapped_column(BigInteger)
    status: Mapped[str] = mapped_column(String(16))
    claimed_until: Mapped[datetime | None]
    error: Mapped[str | None] = mapped_column(String(256))
    sent_at: Mapped[datetime | None]

    __table_args__ = (
        CheckConstraint(_one_of("status", RecipientStatus), name="status"),
        UniqueConstraint("announcement_id", "member_id"),
        # Claiming takes the oldest pending rows of one announcement.
        Index("ix_announcement_recipients_claim", "announcement_id", "status", "id"),
    )
