"""Indexes for the lists that scanned whole tables at 100k members: /pending reads the
open payment requests oldest first, /reports the reports waiting for validation oldest
first (the new index covers what `ix_reports_status` did), and /member @name looks a
username up case-insensitively. /team adds up a leader's shares per sub and in all from
an index that holds them (it replaces `ix_commissions_leader_member_id`).

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-03
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index(
        "ix_payment_requests_status_updated_at", "payment_requests", ["status", "updated_at"]
    )
    op.create_index("ix_reports_status_updated_at", "reports", ["status", "updated_at"])
    op.drop_index("ix_reports_status", table_name="reports")
    op.create_index("ix_members_username_lower", "members", [sa.text("lower(username)")])
    op.create_index(
        "ix_commissions_leader_member_share",
        "commissions",
        ["leader_member_id", "member_id", "leader_share"],
    )
    op.drop_index("ix_commissions_leader_member_id", table_name="commissions")


def downgrade() -> None:
    op.create_index("ix_commissions_leader_member_id", "commissions", ["leader_member_id"])
    op.drop_index("ix_commissions_leader_member_share", table_name="commissions")
    op.drop_index("ix_members_username_lower", table_name="members")
    op.create_index("ix_reports_status", "reports", ["status"])
    op.drop_index("ix_reports_status_updated_at", table_name="reports")
    op.drop_index("ix_payment_requests_status_updated_at", table_name="payment_requests")
