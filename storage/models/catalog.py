"""Tiers, plans and their price history."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    ForeignKey,
    Integer,
    String,
)
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Base


class Tier(Base):
    __tablename__ = "tiers"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(24), unique=True)
    rank: Mapped[int] = mapped_column(Integer, unique=True)

    __table_args__ = (CheckConstraint("rank >= 1", name="rank_positive"),)


class Plan(Base):
    __tablename__ = "plans"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(48), unique=True)
    tier_id: Mapped[int] = mapped_column(ForeignKey("tiers.id"))
    duration_days: Mapped[int | None] = mapped_column(Integer)
    price: Mapped[int] = mapped_column(BigInteger)
    # None: the default policy (accumulate for temporal targets, never lifetime).
    allow_accumulate: Mapped[bool | None] = mapped_column(Boolean)
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime]
    retired_at: Mapped[datetime | None]

    __table_args__ = (
        CheckConstraint("price >= 0", name="price_not_negative"),
        CheckConstraint("duration_days IS NULL OR duration_days >= 1", name="duration_positive"),
    )


class PlanFullPriceSource(Base):
    """Owner policy: buying `target_plan_id` from `source_plan_id` is always full price."""

    __tablename__ = "plan_full_price_sources"

    target_plan_id: Mapped[int] = mapped_column(ForeignKey("plans.id"), primary_key=True)
    source_plan_id: Mapped[int] = mapped_column(ForeignKey("plans.id"), primary_key=True)


class PlanPriceChange(Base):
    __tablename__ = "plan_price_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plans.id"), index=True)
    old_price: Mapped[int | None] = mapped_column(BigInteger)
    new_price: Mapped[int] = mapped_column(BigInteger)
    changed_by: Mapped[int | None] = mapped_column(BigInteger)
    changed_at: Mapped[datetime]
