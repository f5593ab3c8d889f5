"""Indexes for the owner's numbers (/numbers) at 100k members, each read without the
table's rows (./scripts/bench numbers):

- memberships by member with plan and dates: the Basic → VIP funnel groups every
  member's memberships, the leaders' "VIP then" and retention's "came back" look one
  member up;
- history rows by kind and the expiry they ended: the period's renewed and expired terms;
- approved payments by decision time with their amount: revenue;
- payment proofs by decision time with status and arrival: decisions and their wait;
- members by when they joined: new members;
- leader links by leader with their dates and sub: the teams at a period's end.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-03
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

INDEXES = (
    (
        "ix_memberships_member_plan_dates",
        "memberships",
        ["member_id", "plan_id", "activated_at", "ended_at", "expires_at"],
    ),
    (
        "ix_membership_events_kind_old_expires",
        "membership_events",
        ["kind", "old_expires_at", "membership_id"],
    ),
    (
        "ix_payment_requests_status_decided_amount",
        "payment_requests",
        ["status", "decided_at", "amount"],
    ),
    (
        "ix_payment_proofs_reviewed_status_created",
        "payment_proofs",
        ["reviewed_at", "status", "created_at"],
    ),
    ("ix_members_created_at", "members", ["created_at"]),
    (
        "ix_leader_links_leader_dates",
        "leader_links",
        ["leader_member_id", "valid_from", "valid_to", "member_id"],
    ),
)


def upgrade() -> None:
    for name, table, columns in INDEXES:
        op.create_index(name, table, columns)


def downgrade() -> None:
    for name, table, _ in reversed(INDEXES):
        op.drop_index(name, table_name=table)
