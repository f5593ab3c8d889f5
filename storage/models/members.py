"""People who wrote to the bot."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    BigInteger,
    Index,
    String,
    func,
)
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Base


class Member(Base):
    __tablename__ = "members"

    id: Mapped[int] = mapped_column(primary_key=True)
    telegram_id: Mapped[int] = mapped_column(BigInteger, unique=True)
    first_name: Mapped[str] = mapped_column(String(128))
    last_name: Mapped[str | None] = mapped_column(String(128))
    username: Mapped[str | None] = mapped_column(String(64), index=True)
    telegram_language: Mapped[str | None] = mapped_column(String(16))
    # None until the member picks one with /language; then it wins over Telegram's.
    chosen_language: Mapped[str | None] = mapped_column(String(8))
    referral_code: Mapped[str] = mapped_column(String(24), unique=True)
    # The ref_<code> a member first arrived with, kept for the leader system.
    arrived_with_code: Mapped[str | None] = mapped_column(String(64))
    blocked_bot_at: Mapped[datetime | None]
    created_at: Mapped[datetime]
    last_seen_at: Mapped[datetime]

    # /member @name: usernames are looked up case-insensitively.
    __table_args__ = (
        Index("ix_members_username_lower", func.lower(username)),
        Index("ix_members_created_at", "created_at"),  # /numbers: new members
    )
