"""Plans and tiers, handed out as domain values; price changes kept as history."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import bindparam, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from domain.catalog import Plan, PlanPolicy, Tier, default_policy
from storage import models
from storage.repos._rows import PlainRows, read_plain

# Read on almost every screen: statements built once, rows read without ORM objects.
_PLANS, _TIERS = PlainRows(models.Plan), PlainRows(models.Tier)
_PLAN = (
    select(*_PLANS.columns, *_TIERS.columns)
    .select_from(_PLANS.table.join(_TIERS.table, _PLANS.c.tier_id == _TIERS.c.id))
    .where(_PLANS.c.id == bindparam("key"))
)
_TIER_RANK = select(_TIERS.c.rank).where(_TIERS.c.code == bindparam("code"))
_ON_SALE = (
    select(*_PLANS.columns, *_TIERS.columns)
    .select_from(_PLANS.table.join(_TIERS.table, _PLANS.c.tier_id == _TIERS.c.id))
    .where(_PLANS.c.is_active.is_(True))
    .order_by(_PLANS.c.position, _PLANS.c.id)
)
_ALLOW_ACCUMULATE = select(_PLANS.c.allow_accumulate).where(_PLANS.c.id == bindparam("key"))
_SOURCES = PlainRows(models.PlanFullPriceSource)
_FULL_PRICE_SOURCES = select(_SOURCES.c.source_plan_id).where(
    _SOURCES.c.target_plan_id == bindparam("key")
)


def to_plan(row: models.Plan, tier: models.Tier) -> Plan:
    return Plan(row.id, row.code, Tier(tier.code, tier.rank), row.duration_days, row.price)


@dataclass(frozen=True, slots=True)
class PlanEntry:
    """A plan as the catalog lists it: on sale or retired, and where it stands."""

    plan: Plan
    on_sale: bool
    position: int
    retired_at: datetime | None


@dataclass(frozen=True, slots=True)
class TierEntry:
    """A tier with the id plans refer to it by."""

    id: int
    tier: Tier


def _entry(row: models.Plan, tier: models.Tier) -> PlanEntry:
    return PlanEntry(to_plan(row, tier), row.is_active, row.position, row.retired_at)


class CatalogRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def plan(self, plan_id: int) -> tuple[Plan, bool] | None:
        """The plan and whether it is on sale now."""
        row = (await read_plain(self.session, _PLAN, {"key": plan_id})).first()
        if row is None:
            return None
        plan = _PLANS.take(row)
        return to_plan(plan, _TIERS.take(row, len(_PLANS.columns))), plan.is_active

    async def plans_on_sale(self) -> list[Plan]:
        result = await read_plain(self.session, _ON_SALE, {})
        at_tier = len(_PLANS.columns)
        return [to_plan(_PLANS.take(row), _TIERS.take(row, at_tier)) for row in result.all()]

    async def policy(self, plan: Plan) -> PlanPolicy:
        """The owner's policy for buying `plan` (SPEC rule 6)."""
        found = await read_plain(self.session, _ALLOW_ACCUMULATE, {"key": plan.id})
        chosen = found.scalar_one_or_none()
        sources = await read_plain(self.session, _FULL_PRICE_SOURCES, {"key": plan.id})
        default = default_policy(plan)
        allow = default.allow_accumulate
        if chosen is not None and not plan.is_lifetime:
            allow = chosen
        return PlanPolicy(allow_accumulate=allow, always_full_from=frozenset(sources.scalars()))

    async def tier_rank(self, tier_code: str) -> int | None:
        found = await read_plain(self.session, _TIER_RANK, {"code": tier_code})
        rank: int | None = found.scalar_one_or_none()
        return rank

    async def entries(self) -> list[PlanEntry]:
        """Every plan, on sale or retired, in catalog order."""
        rows = await self.session.execute(
            select(models.Plan, models.Tier)
            .join(models.Tier, models.Plan.tier_id == models.Tier.id)
            .order_by(models.Plan.position, models.Plan.id)
        )
        return [_entry(plan, tier) for plan, tier in rows.all()]

    async def plan_by_code(self, code: str, *, lock: bool = False) -> PlanEntry | None:
        """The plan with exactly this code; `lock` holds its row (FOR UPDATE) until commit."""
        query = (
            select(models.Plan, models.Tier)
            .join(models.Tier, models.Plan.tier_id == models.Tier.id)
            .where(models.Plan.code == code)
        )
        if lock:
            query = query.with_for_update(of=models.Plan)
        row = (await self.session.execute(query)).first()
        return None if row is None else _entry(row[0], row[1])

    async def plan_codes(self) -> list[str]:
        """Every plan's code in catalog order (to tell an admin what exists)."""
        codes = await self.session.execute(
            select(models.Plan.code).order_by(models.Plan.position, models.Plan.id)
        )
        return list(codes.scalars())

    async def tier_by_code(self, code: str) -> TierEntry | None:
        found = await self.session.execute(select(models.Tier).where(models.Tier.code == code))
        tier = found.scalar_one_or_none()
        return None if tier is None else TierEntry(tier.id, Tier(tier.code, tier.rank))

    async def tier_codes(self) -> list[str]:
        """Every tier's code, lowest rank first."""
        known = await self.session.execute(select(models.Tier.code).order_by(models.Tier.rank))
        return list(known.scalars())

    async def change_price(
        self, plan_id: int, old_price: int, new_price: int, changed_by: int, now: datetime
    ) -> None:
        """The plan's list price from now on, with its history row."""
        row = await self.session.get(models.Plan, plan_id)
        if row is None:
            raise LookupError(f"plan {plan_id} does not exist")
        row.price = new_price
        self.session.add(
            models.PlanPriceChange(
                plan_id=plan_id,
                old_price=old_price,
                new_price=new_price,
                changed_by=changed_by,
                changed_at=now,
            )
        )

    async def same_plan(
        self, code: str, tier: TierEntry, duration_days: int | None
    ) -> PlanEntry | None:
        """A plan that would duplicate a new one: the same code, or the same tier and days
        (`None` days: lifetime). Named as a plan of `tier`."""
        same = await self.session.execute(
            select(models.Plan)
            .where(
                (models.Plan.code == code)
                | (
                    (models.Plan.tier_id == tier.id)
                    & (
                        models.Plan.duration_days.is_(None)
                        if duration_days is None
                        else models.Plan.duration_days == duration_days
                    )
                )
            )
            .limit(1)
        )
        row = same.scalar_one_or_none()
        if row is None:
            return None
        plan = Plan(row.id, row.code, tier.tier, row.duration_days, row.price)
        return PlanEntry(plan, row.is_active, row.position, row.retired_at)

    async def add_plan(
        self, code: str, tier: TierEntry, duration_days: int | None, price: int, now: datetime
    ) -> PlanEntry | None:
        """A new plan on sale after all the others; None when its code (or another unique
        rule) is already taken, e.g. by an admin adding the same plan at the same moment."""
        last = await self.session.execute(select(func.max(models.Plan.position)))
        row = models.Plan(
            code=code,
            tier_id=tier.id,
            duration_days=duration_days,
            price=price,
            allow_accumulate=None,
            is_active=True,
            position=(last.scalar() or 0) + 1,
            created_at=now,
        )
        self.session.add(row)
        try:
            await self.session.flush()
        except IntegrityError:
            return None
        plan = Plan(row.id, row.code, tier.tier, row.duration_days, row.price)
        return PlanEntry(plan, True, row.position, None)

    async def set_on_sale(self, plan_id: int, on_sale: bool, now: datetime) -> bool:
        """Compare-and-set: on sale again, or retired as of `now`; False when it already was."""
        changed = await self.session.execute(
            update(models.Plan)
            .where(models.Plan.id == plan_id, models.Plan.is_active.is_(not on_sale))
            .values(is_active=on_sale, retired_at=None if on_sale else now)
        )
        return bool(changed.rowcount)  # type: ignore[attr-defined]
