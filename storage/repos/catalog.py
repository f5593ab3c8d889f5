"""Plans and tiers, handed out as domain values."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.catalog import Plan, PlanPolicy, Tier, default_policy
from storage import models


def to_plan(row: models.Plan, tier: models.Tier) -> Plan:
    return Plan(row.id, row.code, Tier(tier.code, tier.rank), row.duration_days, row.price)


class CatalogRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def plan(self, plan_id: int) -> tuple[Plan, bool] | None:
        """The plan and whether it is on sale now."""
        result = await self.session.execute(
            select(models.Plan, models.Tier)
            .join(models.Tier, models.Plan.tier_id == models.Tier.id)
            .where(models.Plan.id == plan_id)
        )
        row = result.first()
        return None if row is None else (to_plan(row[0], row[1]), row[0].is_active)

    async def plans_on_sale(self) -> list[Plan]:
        result = await self.session.execute(
            select(models.Plan, models.Tier)
            .join(models.Tier, models.Plan.tier_id == models.Tier.id)
            .where(models.Plan.is_active.is_(True))
            .order_by(models.Plan.position, models.Plan.id)
        )
        return [to_plan(plan, tier) for plan, tier in result.all()]

    async def policy(self, plan: Plan) -> PlanPolicy:
        """The owner's policy for buying `plan` (SPEC rule 6)."""
        row = await self.session.get(models.Plan, plan.id)
        sources = await self.session.execute(
            select(models.PlanFullPriceSource.source_plan_id).where(
                models.PlanFullPriceSource.target_plan_id == plan.id
            )
        )
        default = default_policy(plan)
        allow = default.allow_accumulate
        if row is not None and row.allow_accumulate is not None and not plan.is_lifetime:
            allow = row.allow_accumulate
        return PlanPolicy(allow_accumulate=allow, always_full_from=frozenset(sources.scalars()))

    async def tier_rank(self, tier_code: str) -> int | None:
        found = await self.session.execute(
            select(models.Tier.rank).where(models.Tier.code == tier_code)
        )
        return found.scalar_one_or_none()
