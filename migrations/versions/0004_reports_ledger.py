"""Daily reports and the ledger: report versions, screenshot kinds, payout keys,
bulk-validation batches, and append-only money tables.

Commissions, payouts and ledger entries are never updated or deleted (a correction is
a new entry): triggers make that a database fact on SQLite and PostgreSQL alike.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-21
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

APPEND_ONLY = ("commissions", "payouts", "ledger_entries")


def upgrade() -> None:
    with op.batch_alter_table("reports") as batch:
        batch.add_column(sa.Column("version", sa.Integer(), nullable=False, server_default="1"))
    with op.batch_alter_table("report_screenshots") as batch:
        batch.add_column(
            sa.Column("media_kind", sa.String(8), nullable=False, server_default="photo")
        )
    with op.batch_alter_table("payouts") as batch:
        batch.add_column(sa.Column("request_key", sa.String(64), nullable=True))
    op.create_index("uq_payouts_request_key", "payouts", ["request_key"], unique=True)
    op.create_index("ix_reports_status", "reports", ["status"])
    op.create_table(
        "report_batches",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("items", sa.JSON(), nullable=False),
        sa.Column("created_by", sa.BigInteger(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used_by", sa.BigInteger(), nullable=True),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_report_batches")),
    )
    dialect = op.get_bind().dialect.name
    if dialect == "postgresql":
        op.execute(
            "CREATE FUNCTION forbid_change() RETURNS trigger AS $$ BEGIN "
            "RAISE EXCEPTION '% is append-only', TG_TABLE_NAME; END $$ LANGUAGE plpgsql"
        )
    for table in APPEND_ONLY:
        if dialect == "postgresql":
            op.execute(
                f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
                "FOR EACH ROW EXECUTE FUNCTION forbid_change()"
            )
        else:
            for verb in ("update", "delete"):
                op.execute(
                    f"CREATE TRIGGER {table}_no_{verb} BEFORE {verb.upper()} ON {table} "
                    f"BEGIN SELECT RAISE(ABORT, '{table} is append-only'); END"
                )


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    for table in APPEND_ONLY:
        if dialect == "postgresql":
            op.execute(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}")
        else:
            for verb in ("update", "delete"):
                op.execute(f"DROP TRIGGER IF EXISTS {table}_no_{verb}")
    if dialect == "postgresql":
        op.execute("DROP FUNCTION IF EXISTS forbid_change()")
    op.drop_table("report_batches")
    op.drop_index("ix_reports_status", table_name="reports")
    op.drop_index("uq_payouts_request_key", table_name="payouts")
    with op.batch_alter_table("payouts") as batch:
        batch.drop_column("request_key")
    with op.batch_alter_table("report_screenshots") as batch:
        batch.drop_column("media_kind")
    with op.batch_alter_table("reports") as batch:
        batch.drop_column("version")
