"""Payment methods, requests with their frozen quote, and proofs."""

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
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column

from domain.states import (
    PaymentMethodKind,
    PaymentStatus,
    ProofStatus,
)
from storage.models.base import OPEN_PAYMENT_SQL, Base, _partial
from storage.types import status_enum


class PaymentMethod(Base):
    """Where members pay; the owner edits these rows, never the code."""

    __tablename__ = "payment_methods"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    kind: Mapped[PaymentMethodKind] = mapped_column(status_enum(PaymentMethodKind, "kind"))
    label: Mapped[str] = mapped_column(String(64))
    account_name: Mapped[str | None] = mapped_column(String(128))
    account_number: Mapped[str | None] = mapped_column(String(64))
    qris_file_id: Mapped[str | None] = mapped_column(String(256))
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    position: Mapped[int] = mapped_column(Integer, default=0)


class PaymentRequest(Base):
    """A purchase in progress, with the quote frozen when it was given."""

    __tablename__ = "payment_requests"

    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"), index=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plans.id"))
    status: Mapped[PaymentStatus] = mapped_column(status_enum(PaymentStatus, "status"))
    method_id: Mapped[int | None] = mapped_column(ForeignKey("payment_methods.id"))
    # The frozen quote: inputs and breakdown, so an admin sees why this amount.
    quote_kind: Mapped[str] = mapped_column(String(24))
    quote_mode: Mapped[str | None] = mapped_column(String(16))
    list_price: Mapped[int] = mapped_column(BigInteger)
    credit: Mapped[int] = mapped_column(BigInteger, default=0)
    amount: Mapped[int] = mapped_column(BigInteger)
    days_carried: Mapped[int] = mapped_column(Integer, default=0)
    base_membership_id: Mapped[int | None] = mapped_column(ForeignKey("memberships.id"))
    base_plan_id: Mapped[int | None] = mapped_column(ForeignKey("plans.id"))
    base_list_price: Mapped[int | None] = mapped_column(BigInteger)
    base_remaining_days: Mapped[int | None] = mapped_column(Integer)
    replaces_base: Mapped[bool] = mapped_column(Boolean, default=False)
    quoted_at: Mapped[datetime]
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    decided_by: Mapped[int | None] = mapped_column(BigInteger)
    decided_at: Mapped[datetime | None]
    close_reason: Mapped[str | None] = mapped_column(String(32))
    result_membership_id: Mapped[int | None] = mapped_column(ForeignKey("memberships.id"))

    __table_args__ = (
        CheckConstraint("amount >= 0 AND amount <= list_price", name="amount_in_range"),
        CheckConstraint("credit >= 0", name="credit_not_negative"),
        # /pending: the open requests, the longest unchanged first.
        Index("ix_payment_requests_status_updated_at", "status", "updated_at"),
        # /numbers: revenue, the approved payments by decision time.
        Index("ix_payment_requests_status_decided_amount", "status", "decided_at", "amount"),
        Index(
            "uq_payment_requests_one_open",
            "member_id",
            unique=True,
            **_partial(OPEN_PAYMENT_SQL),
        ),
    )


class PaymentProof(Base):
    __tablename__ = "payment_proofs"

    id: Mapped[int] = mapped_column(primary_key=True)
    payment_request_id: Mapped[int] = mapped_column(ForeignKey("payment_requests.id"), index=True)
    status: Mapped[ProofStatus] = mapped_column(status_enum(ProofStatus, "status"))
    telegram_file_id: Mapped[str] = mapped_column(String(256))
    file_unique_id: Mapped[str] = mapped_column(String(64), index=True)
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    perceptual_hash: Mapped[str] = mapped_column(String(32))
    size_bytes: Mapped[int] = mapped_column(Integer)
    width: Mapped[int] = mapped_column(Integer)
    height: Mapped[int] = mapped_column(Integer)
    image_format: Mapped[str] = mapped_column(String(8))
    # "photo" (sent as a photo) or "document" (an image sent as a file).
    media_kind: Mapped[str] = mapped_column(String(8), server_default="photo")
    duplicate_of_proof_id: Mapped[int | None] = mapped_column(ForeignKey("payment_proofs.id"))
    admin_message_id: Mapped[int | None] = mapped_column(BigInteger)
    reviewed_by: Mapped[int | None] = mapped_column(BigInteger)
    reviewed_at: Mapped[datetime | None]
    reject_reason: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime]

    # /numbers: the proofs decided in a period and how long each waited.
    __table_args__ = (
        Index("ix_payment_proofs_reviewed_status_created", "reviewed_at", "status", "created_at"),
    )
