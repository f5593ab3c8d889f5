"""Indexes for the owner's numbers (/numbers) at 100k members: the leaders' earnings in a
period are summed from an index that holds them in leader order, and the payout rate
reads the period's payouts and adds the ledger up to the period's end from an index of
each entry's kind, day and amount, all without reading the tables' rows
(./scripts/bench numbers).

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-03
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index(
        "ix_commissions_leader_created_share",
        "commissions",
        ["leader_member_id", "created_at", "leader_share"],
    )
    op.create_index(
        "ix_ledger_entries_kind_created_amount", "ledger_entries", ["kind", "created_at", "amount"]
    )


def downgrade() -> None:
    op.drop_index("ix_ledger_entries_kind_created_amount", table_name="ledger_entries")
    op.drop_index("ix_commissions_leader_created_share", table_name="commissions")
