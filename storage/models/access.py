"""The VIP group: invite links and who the bot saw inside."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    BigInteger,
    ForeignKey,
    String,
)
from sqlalchemy.orm import Mapped, mapped_column

from domain.states import (
    InviteStatus,
)
from storage.models.base import Base
from storage.types import status_enum


class GroupInvite(Base):
    __tablename__ = "group_invites"

    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"), index=True)
    invite_link: Mapped[str] = mapped_column(String(128), unique=True)
    status: Mapped[InviteStatus] = mapped_column(status_enum(InviteStatus, "status"), index=True)
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]


class ChatPresence(Base):
    """What the bot last saw of a person in a group (from chat_member updates)."""

    __tablename__ = "chat_presence"

    chat_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    telegram_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    status: Mapped[str] = mapped_column(String(16))
    updated_at: Mapped[datetime]
