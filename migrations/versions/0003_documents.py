"""Proofs may arrive as image files: remember which, and let the outbox send documents.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-21
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("outbox") as batch:
        batch.add_column(sa.Column("document_file_id", sa.String(256), nullable=True))
    with op.batch_alter_table("payment_proofs") as batch:
        batch.add_column(
            sa.Column("media_kind", sa.String(8), nullable=False, server_default="photo")
        )


def downgrade() -> None:
    with op.batch_alter_table("payment_proofs") as batch:
        batch.drop_column("media_kind")
    with op.batch_alter_table("outbox") as batch:
        batch.drop_column("document_file_id")
