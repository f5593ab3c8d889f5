"""Commission structures and the append-only money rows."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
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
    LedgerKind,
)
from storage.models.base import Base
from storage.types import status_enum


class CommissionStructure(Base):
    __tablename__ = "commission_structures"

    id: Mapped[int] = mapped_column(primary_key=True)
    tier_id: Mapped[int] = mapped_column(ForeignKey("tiers.id"), index=True)
    # Basis points (10000 = 100%) so 52.5% is exact.
    member_bp: Mapped[int] = mapped_column(Integer)
    leader_bp: Mapped[int] = mapped_column(Integer)
    owner_bp: Mapped[int] = mapped_column(Integer)
    effective_from: Mapped[date] = mapped_column(Date)
    effective_to: Mapped[date | None] = mapped_column(Date)
    created_by: Mapped[int | None] = mapped_column(BigInteger)
    created_at: Mapped[datetime]

    __table_args__ = (
        CheckConstraint("member_bp + leader_bp + owner_bp = 10000", name="sums_to_100"),
        CheckConstraint("member_bp >= 0 AND leader_bp >= 0 AND owner_bp >= 0", name="not_negative"),
        CheckConstraint(
            "effective_to IS NULL OR effective_to > effective_from", name="period_order"
        ),
        UniqueConstraint("tier_id", "effective_from"),
    )


class Commission(Base):
    """Append-only (a database trigger refuses updates and deletes)."""

    __tablename__ = "commissions"

    id: Mapped[int] = mapped_column(primary_key=True)
    # Unique: a report produces at most one commission, ever.
    report_id: Mapped[int] = mapped_column(ForeignKey("reports.id"), unique=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"), index=True)
    leader_member_id: Mapped[int | None] = mapped_column(ForeignKey("members.id"))
    structure_id: Mapped[int | None] = mapped_column(ForeignKey("commission_structures.id"))
    tier_code: Mapped[str | None] = mapped_column(String(24))
    total: Mapped[int] = mapped_column(BigInteger)
    member_share: Mapped[int] = mapped_column(BigInteger)
    leader_share: Mapped[int] = mapped_column(BigInteger)
    owner_share: Mapped[int] = mapped_column(BigInteger)
    created_by: Mapped[int | None] = mapped_column(BigInteger)
    created_at: Mapped[datetime]

    __table_args__ = (
        CheckConstraint("member_share + leader_share + owner_share = total", name="shares_sum"),
        # A leader's shares, per sub and in all, read from the index alone (/team).
        Index(
            "ix_commissions_leader_member_share", "leader_member_id", "member_id", "leader_share"
        ),
        # A leader's earnings in a period, summed from the index alone (/numbers).
        Index(
            "ix_commissions_leader_created_share", "leader_member_id", "created_at", "leader_share"
        ),
        CheckConstraint(
            "member_share >= 0 AND leader_share >= 0 AND owner_share >= 0", name="not_negative"
        ),
    )


class Payout(Base):
    """Append-only (a database trigger refuses updates and deletes)."""

    __tablename__ = "payouts"

    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"), index=True)
    amount: Mapped[int] = mapped_column(BigInteger)
    method: Mapped[str] = mapped_column(String(64))
    reference: Mapped[str | None] = mapped_column(String(128))
    created_by: Mapped[int] = mapped_column(BigInteger)
    created_at: Mapped[datetime]
    # The admin's command message: a replayed or double-sent command pays once.
    request_key: Mapped[str | None] = mapped_column(String(64))

    __table_args__ = (
        CheckConstraint("amount > 0", name="amount_positive"),
        Index("uq_payouts_request_key", "request_key", unique=True),
    )


class LedgerEntry(Base):
    """Append-only: earnings are positive, payouts negative; corrections are new rows.

    A database trigger refuses updates and deletes."""

    __tablename__ = "ledger_entries"

    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"), index=True)
    kind: Mapped[LedgerKind] = mapped_column(status_enum(LedgerKind, "kind"))
    amount: Mapped[int] = mapped_column(BigInteger)
    commission_id: Mapped[int | None] = mapped_column(ForeignKey("commissions.id"))
    payout_id: Mapped[int | None] = mapped_column(ForeignKey("payouts.id"), unique=True)
    note: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime]

    __table_args__ = (
        UniqueConstraint("commission_id", "kind"),
        # Payouts of a period and the ledger added up to a day (the payout rate of
        # /numbers), each from the index alone.
        Index("ix_ledger_entries_kind_created_amount", "kind", "created_at", "amount"),
    )
