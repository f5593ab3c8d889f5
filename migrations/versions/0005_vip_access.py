"""VIP access: the outbox also carries Telegram actions (group invites, removals,
invite revocations, delayed deletions), and an action that is no longer needed when
its turn comes is recorded as `skipped`.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-21
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OLD_STATUSES = "status IN ('pending', 'sent', 'failed', 'blocked')"
NEW_STATUSES = "status IN ('pending', 'sent', 'failed', 'blocked', 'skipped')"


def upgrade() -> None:
    with op.batch_alter_table("outbox") as batch:
        batch.add_column(sa.Column("kind", sa.String(16), nullable=False, server_default="message"))
        batch.drop_constraint(op.f("ck_outbox_status"), type_="check")
        batch.create_check_constraint("status", NEW_STATUSES)
    op.create_index("ix_group_invites_status", "group_invites", ["status"])
    op.create_index("ix_affiliate_accounts_shop_status", "affiliate_accounts", ["shop_status"])


def downgrade() -> None:
    op.drop_index("ix_affiliate_accounts_shop_status", table_name="affiliate_accounts")
    op.drop_index("ix_group_invites_status", table_name="group_invites")
    with op.batch_alter_table("outbox") as batch:
        batch.drop_constraint(op.f("ck_outbox_status"), type_="check")
        batch.create_check_constraint("status", OLD_STATUSES)
        batch.drop_column("kind")
