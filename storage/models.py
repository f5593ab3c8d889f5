"""SQLAlchemy models: the schema of every entity SPEC.md names.

Constraints carry the rules that must hold even when two admins tap at once:
one commission per report, one open payment per member, one holder per
affiliate account, one report per member per day, one open leader link per
member. Money is BigInteger rupiah everywhere.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from domain.membership import MembershipStatus
from domain.states import (
    InviteStatus,
    LeaderSource,
    LedgerKind,
    PaymentMethodKind,
    PaymentStatus,
    ProofStatus,
    ReportStatus,
    ShopStatus,
)
from storage.types import UTCDateTime, status_enum

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

OPEN_PAYMENT_SQL = "status IN ('awaiting_proof', 'submitted')"


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map: ClassVar[dict[Any, Any]] = {
        datetime: UTCDateTime(),
        dict[str, Any]: JSON(),
    }


def _partial(sql: str) -> dict[str, Any]:
    return {"sqlite_where": text(sql), "postgresql_where": text(sql)}


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


class AffiliateAccount(Base):
    __tablename__ = "affiliate_accounts"

    id: Mapped[int] = mapped_column(primary_key=True)
    tiktok_username: Mapped[str] = mapped_column(String(64), unique=True)
    tiktok_account_id: Mapped[str | None] = mapped_column(String(64))
    shop_id: Mapped[str | None] = mapped_column(String(64))
    shop_name: Mapped[str | None] = mapped_column(String(128))
    shop_status: Mapped[ShopStatus] = mapped_column(
        status_enum(ShopStatus, "shop_status"), index=True
    )
    yellow_cart: Mapped[bool] = mapped_column(Boolean, default=False)
    yellow_cart_verified_at: Mapped[datetime | None]
    notes: Mapped[str | None] = mapped_column(Text)
    # Fernet token (MultiFernet over CREDENTIALS_KEYS); never decrypted for admins.
    credentials_encrypted: Mapped[str | None] = mapped_column(Text)
    # Unique: a member holds at most one account, an account has at most one holder.
    holder_member_id: Mapped[int | None] = mapped_column(ForeignKey("members.id"), unique=True)
    assigned_at: Mapped[datetime | None]
    assigned_by: Mapped[int | None] = mapped_column(BigInteger)
    created_at: Mapped[datetime]


class AffiliateAssignment(Base):
    __tablename__ = "affiliate_assignments"

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("affiliate_accounts.id"), index=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"), index=True)
    assigned_at: Mapped[datetime]
    assigned_by: Mapped[int | None] = mapped_column(BigInteger)
    unassigned_at: Mapped[datetime | None]
    unassign_reason: Mapped[str | None] = mapped_column(String(32))


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


class LeaderLink(Base):
    """Who leads a member, and since when; closed links are the history."""

    __tablename__ = "leader_links"

    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"), index=True)
    leader_member_id: Mapped[int] = mapped_column(ForeignKey("members.id"), index=True)
    source: Mapped[LeaderSource] = mapped_column(status_enum(LeaderSource, "source"))
    valid_from: Mapped[datetime]
    valid_to: Mapped[datetime | None]
    set_by: Mapped[int | None] = mapped_column(BigInteger)

    __table_args__ = (
        CheckConstraint("member_id <> leader_member_id", name="not_self"),
        Index("uq_leader_links_open", "member_id", unique=True, **_partial("valid_to IS NULL")),
    )


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
        Index("ix_reports_status", "status"),
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


class Commission(Base):
    """Append-only (a database trigger refuses updates and deletes)."""

    __tablename__ = "commissions"

    id: Mapped[int] = mapped_column(primary_key=True)
    # Unique: a report produces at most one commission, ever.
    report_id: Mapped[int] = mapped_column(ForeignKey("reports.id"), unique=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"), index=True)
    leader_member_id: Mapped[int | None] = mapped_column(ForeignKey("members.id"), index=True)
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

    __table_args__ = (UniqueConstraint("commission_id", "kind"),)


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
