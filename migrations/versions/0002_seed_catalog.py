"""Seed the catalog from SPEC.md: Basic and VIP tiers, both Lifetime plans, VIP split.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-21
"""

from collections.abc import Sequence
from datetime import UTC, date, datetime

import sqlalchemy as sa
from alembic import op

from storage.types import UTCDateTime

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SEEDED_AT = datetime(2025, 12, 20, tzinfo=UTC)

tiers = sa.table(
    "tiers",
    sa.column("id", sa.Integer),
    sa.column("code", sa.String),
    sa.column("rank", sa.Integer),
)
plans = sa.table(
    "plans",
    sa.column("id", sa.Integer),
    sa.column("code", sa.String),
    sa.column("tier_id", sa.Integer),
    sa.column("duration_days", sa.Integer),
    sa.column("price", sa.BigInteger),
    sa.column("allow_accumulate", sa.Boolean),
    sa.column("is_active", sa.Boolean),
    sa.column("position", sa.Integer),
    sa.column("created_at", UTCDateTime()),
)
structures = sa.table(
    "commission_structures",
    sa.column("tier_id", sa.Integer),
    sa.column("member_bp", sa.Integer),
    sa.column("leader_bp", sa.Integer),
    sa.column("owner_bp", sa.Integer),
    sa.column("effective_from", sa.Date),
    sa.column("created_at", UTCDateTime()),
)


def _tier_id(code: str) -> sa.ScalarSelect[int]:
    return sa.select(tiers.c.id).where(tiers.c.code == code).scalar_subquery()


def upgrade() -> None:
    # Ids come from the database (no explicit values) so PostgreSQL sequences stay right.
    op.bulk_insert(tiers, [{"code": "basic", "rank": 1}, {"code": "vip", "rank": 2}])
    for code, tier, price, position in (
        ("basic_lifetime", "basic", 97_000, 10),
        ("vip_lifetime", "vip", 299_000, 20),
    ):
        op.execute(
            plans.insert().values(
                code=code,
                tier_id=_tier_id(tier),
                duration_days=None,
                price=price,
                allow_accumulate=None,
                is_active=True,
                position=position,
                created_at=SEEDED_AT,
            )
        )
    op.execute(
        structures.insert().values(
            tier_id=_tier_id("vip"),
            member_bp=5500,
            leader_bp=500,
            owner_bp=4000,
            effective_from=date(2025, 12, 20),
            created_at=SEEDED_AT,
        )
    )


def downgrade() -> None:
    seeded = sa.select(tiers.c.id).where(tiers.c.code.in_(["basic", "vip"]))
    op.execute(
        structures.delete().where(
            structures.c.tier_id.in_(seeded), structures.c.effective_from == date(2025, 12, 20)
        )
    )
    op.execute(plans.delete().where(plans.c.code.in_(["basic_lifetime", "vip_lifetime"])))
    op.execute(tiers.delete().where(tiers.c.code.in_(["basic", "vip"])))
