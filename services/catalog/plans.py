"""Plans on sale: the list, adding one, retiring and bringing one back."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from domain.catalog import Plan
from kernel.actor import Actor
from kernel.admin_input import (
    MAX_DURATION_DAYS,
    PRICE_MAX,
    PRICE_MIN,
    AdminProblem,
    AdminToolError,
)
from kernel.names import plan_name
from services.catalog._base import CatalogBase, named_plan
from storage.repos.catalog import PlanEntry


@dataclass(frozen=True, slots=True)
class PlanRow:
    plan: Plan
    on_sale: bool
    position: int
    retired_at: datetime | None


def _row(entry: PlanEntry) -> PlanRow:
    return PlanRow(entry.plan, entry.on_sale, entry.position, entry.retired_at)


def _exists(existing: PlanEntry) -> AdminToolError:
    params = {"code": existing.plan.code, "plan": plan_name(existing.plan)}
    if existing.on_sale:
        return AdminToolError(AdminProblem.PLAN_EXISTS, **params)
    return AdminToolError(AdminProblem.PLAN_EXISTS_RETIRED, **params)


class Plans(CatalogBase):
    async def plans(self) -> list[PlanRow]:
        """Every plan, on sale or retired, in catalog order."""
        async with self.uow() as uow:
            return [_row(entry) for entry in await uow.catalog.entries()]

    async def add_plan(
        self, tier_code: str, duration_days: int | None, price: int, actor: Actor
    ) -> PlanRow:
        """A new plan on sale, after the existing ones; its code says what it is
        (`vip_30d`, `vip_lifetime`)."""
        if duration_days is not None and not 1 <= duration_days <= MAX_DURATION_DAYS:
            raise AdminToolError(AdminProblem.BAD_DURATION, given=str(duration_days))
        if not PRICE_MIN <= price <= PRICE_MAX:
            raise ValueError("price out of range; parse it with parse_price")
        now = self.clock.now()
        async with self.uow() as uow:
            tier = await uow.catalog.tier_by_code(tier_code.strip().lower())
            if tier is None:
                raise AdminToolError(
                    AdminProblem.TIER_NOT_FOUND,
                    tier=tier_code.strip()[:24],
                    known=", ".join(await uow.catalog.tier_codes()),
                )
            code = (
                f"{tier.tier.code}_lifetime"
                if duration_days is None
                else f"{tier.tier.code}_{duration_days}d"
            )
            existing = await uow.catalog.same_plan(code, tier, duration_days)
            if existing is not None:
                raise _exists(existing)
            added = await uow.catalog.add_plan(code, tier, duration_days, price, now)
            if added is None:  # the same plan added at the same moment
                wanted = Plan(0, code, tier.tier, duration_days, price)
                raise AdminToolError(AdminProblem.PLAN_EXISTS, code=code, plan=plan_name(wanted))
            uow.audit.record(
                actor, "catalog.add_plan", f"plan:{code}", now,
                plan=code, tier=tier.tier.code, duration_days=duration_days, price=price,
            )  # fmt: skip
            await uow.commit()
            return _row(added)

    async def retire_plan(self, plan_code: str, actor: Actor) -> PlanRow:
        """Off sale from now; memberships already held keep working."""
        return await self._set_on_sale(plan_code, False, actor)

    async def unretire_plan(self, plan_code: str, actor: Actor) -> PlanRow:
        return await self._set_on_sale(plan_code, True, actor)

    async def _set_on_sale(self, plan_code: str, on_sale: bool, actor: Actor) -> PlanRow:
        now = self.clock.now()
        async with self.uow() as uow:
            entry = await named_plan(uow, plan_code)
            plan = entry.plan
            if not await uow.catalog.set_on_sale(plan.id, on_sale, now):
                problem = AdminProblem.ALREADY_ON_SALE if on_sale else AdminProblem.ALREADY_RETIRED
                raise AdminToolError(problem, code=plan.code, plan=plan_name(plan))
            action = "catalog.unretire_plan" if on_sale else "catalog.retire_plan"
            uow.audit.record(actor, action, f"plan:{plan.code}", now, plan=plan.code)
            view = PlanRow(plan, on_sale, entry.position, None if on_sale else now)
            await uow.commit()
            return view
