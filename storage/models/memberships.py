"""Memberships and their history."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    BigInteger,
    ForeignKey,
    Index,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column

from domain.membership import MembershipStatus
from storage.models.base import Base, _partial
from storage.types import status_enum


class Membership(Base):
    __tablename__ = "memberships"

    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"), index=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plans.id"))
    status: Mapped[MembershipStatus] = mapped_column(status_enum(MembershipStatus, "status"))
    # The plan's list price when it was bought: upgrade credit is computed from it.
    list_price: Mapped[int] = mapped_column(BigInteger)
    activated_at: Mapped[datetime | None]
    expires_at: Mapped[datetime | None] = mapped_column(index=True)
    ended_at: Mapped[datetime | None]
    end_reason: Mapped[str | None] = mapped_column(String(32))
    replaced_by_id: Mapped[int | None] = mapped_column(ForeignKey("memberships.id"))
    granted_by: Mapped[int | None] = mapped_column(BigInteger)
    grant_reason: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime]

    __table_args__ = (
        # One active holding of a plan per member: renewals extend it.
        Index(
            "uq_memberships_active_plan",
            "member_id",
            "plan_id",
            unique=True,
            **_partial("status = 'active'"),
        ),
        # /numbers: a member's memberships with plan and dates, read from the index alone.
        Index(
            "ix_memberships_member_plan_dates",
            "member_id",
            "plan_id",
            "activated_at",
            "ended_at",
            "expires_at",
        ),
    )


class MembershipEvent(Base):
    """History of a membership: activated, renewed, upgraded, expired, granted, revoked."""

    __tablename__ = "membership_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    membership_id: Mapped[int] = mapped_column(ForeignKey("memberships.id"), index=True)
    kind: Mapped[str] = mapped_column(String(24))
    actor_telegram_id: Mapped[int | None] = mapped_column(BigInteger)
    reason: Mapped[str | None] = mapped_column(Text)
    old_expires_at: Mapped[datetime | None]
    new_expires_at: Mapped[datetime | None]
    created_at: Mapped[datetime]

    # /numbers: the terms renewed or expired in a period (VIP retention).
    __table_args__ = (
        Index("ix_membership_events_kind_old_expires", "kind", "old_expires_at", "membership_id"),
    )
