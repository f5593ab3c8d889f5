"""Messages and Telegram actions queued for after commit; the audit trail."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    String,
)
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Base


class OutboxMessage(Base):
    """A message to a person, written with the change it reports, sent after commit.

    `kind` other than "message" is a Telegram action done the same durable way
    (a group invite, a removal, a link revocation, a delayed deletion)."""

    __tablename__ = "outbox"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(16), default="message", server_default="message")
    chat_id: Mapped[int] = mapped_column(BigInteger)
    member_id: Mapped[int | None] = mapped_column(ForeignKey("members.id"))
    # A stable key makes "send once" a database fact (reminders, job re-runs).
    dedupe_key: Mapped[str | None] = mapped_column(String(128), unique=True)
    text_key: Mapped[str] = mapped_column(String(96))
    params: Mapped[dict[str, Any]] = mapped_column(default=dict)
    language: Mapped[str] = mapped_column(String(8))
    buttons: Mapped[dict[str, Any] | None]
    photo_file_id: Mapped[str | None] = mapped_column(String(256))
    document_file_id: Mapped[str | None] = mapped_column(String(256))
    status: Mapped[str] = mapped_column(String(16), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime]
    last_error: Mapped[str | None] = mapped_column(String(256))
    sent_message_id: Mapped[int | None] = mapped_column(BigInteger)
    created_at: Mapped[datetime]
    sent_at: Mapped[datetime | None]

    __table_args__ = (
        CheckConstraint(
            "status IN ('pending', 'sent', 'failed', 'blocked', 'skipped')", name="status"
        ),
        Index("ix_outbox_due", "status", "next_attempt_at"),
    )


class AdminAction(Base):
    """Audit trail of what admins did by hand (grants, revokes, price changes)."""

    __tablename__ = "admin_actions"

    id: Mapped[int] = mapped_column(primary_key=True)
    actor_telegram_id: Mapped[int] = mapped_column(BigInteger, index=True)
    action: Mapped[str] = mapped_column(String(48))
    target: Mapped[str | None] = mapped_column(String(64))
    details: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_at: Mapped[datetime]
