"""Announcements: the post, its audience, status and counts, and one row per recipient
claimed in batches by the sender.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-03
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

STATUSES = "status IN ('draft', 'scheduled', 'sending', 'paused', 'cancelled', 'done')"
AUDIENCES = (
    "audience IN ('everyone', 'basic', 'vip', 'expiring', 'expired', 'never_paid', 'leaders')"
)
RECIPIENT_STATUSES = "status IN ('pending', 'claimed', 'sent', 'failed', 'blocked')"


def upgrade() -> None:
    op.create_table(
        "announcements",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("created_by", sa.BigInteger(), nullable=False),
        sa.Column("source_chat_id", sa.BigInteger(), nullable=False),
        sa.Column("source_message_ids", sa.JSON(), nullable=False),
        sa.Column("is_album", sa.Boolean(), nullable=False),
        sa.Column("buttons", sa.JSON(), nullable=True),
        sa.Column("audience", sa.String(length=16), nullable=False),
        sa.Column("audience_days", sa.Integer(), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("scheduled_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("recipients_ready", sa.Boolean(), nullable=False),
        sa.Column("status_chat_id", sa.BigInteger(), nullable=True),
        sa.Column("status_message_id", sa.BigInteger(), nullable=True),
        sa.Column("sent_count", sa.Integer(), nullable=False),
        sa.Column("failed_count", sa.Integer(), nullable=False),
        sa.Column("blocked_count", sa.Integer(), nullable=False),
        sa.Column("total_count", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(STATUSES, name=op.f("ck_announcements_status")),
        sa.CheckConstraint(AUDIENCES, name=op.f("ck_announcements_audience")),
        sa.CheckConstraint(
            "audience_days IS NULL OR (audience_days >= 1 AND audience_days <= 90)",
            name=op.f("ck_announcements_audience_days"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_announcements")),
    )
    op.create_index(
        "ix_announcements_status_scheduled_at", "announcements", ["status", "scheduled_at"]
    )
    op.create_table(
        "announcement_recipients",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("announcement_id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("chat_id", sa.BigInteger(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("claimed_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("error", sa.String(length=256), nullable=True),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(RECIPIENT_STATUSES, name=op.f("ck_announcement_recipients_status")),
        sa.ForeignKeyConstraint(
            ["announcement_id"],
            ["announcements.id"],
            name=op.f("fk_announcement_recipients_announcement_id_announcements"),
        ),
        sa.ForeignKeyConstraint(
            ["member_id"],
            ["members.id"],
            name=op.f("fk_announcement_recipients_member_id_members"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_announcement_recipients")),
        sa.UniqueConstraint(
            "announcement_id",
            "member_id",
            name=op.f("uq_announcement_recipients_announcement_id_member_id"),
        ),
    )
    op.create_index(
        "ix_announcement_recipients_claim",
        "announcement_recipients",
        ["announcement_id", "status", "id"],
    )


def downgrade() -> None:
    op.drop_index("ix_announcement_recipients_claim", table_name="announcement_recipients")
    op.drop_table("announcement_recipients")
    op.drop_index("ix_announcements_status_scheduled_at", table_name="announcements")
    op.drop_table("announcements")
