"""A plan's new list price, kept with its history and who set it."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from domain.catalog import Plan
from kernel.actor import Actor
from kernel.admin_input import PRICE_MAX, PRICE_MIN, AdminProblem, AdminToolError
from kernel.names import plan_name
from services.catalog._base import CatalogBase, named_plan


@dataclass(frozen=True, slots=True)
class PriceChange:
    plan: Plan
    old_price: int
    new_price: int


class Prices(CatalogBase):
    async def set_price(self, plan_code: str, price: int, actor: Actor) -> PriceChange:
        """A new list price from now on; quotes already given keep theirs (they are frozen
        in payment_requests), and so do memberships (their list_price)."""
        if not PRICE_MIN <= price <= PRICE_MAX:
            raise ValueError("price out of range; parse it with parse_price")
        now = self.clock.now()
        async with self.uow() as uow:
            plan = (await named_plan(uow, plan_code, lock=True)).plan
            old = plan.price
            if old == price:
                raise AdminToolError(
                    AdminProblem.SAME_PRICE, plan=plan_name(plan), code=plan.code, price=price
                )
            await uow.catalog.change_price(plan.id, old, price, actor.telegram_id, now)
            uow.audit.record(
                actor, "catalog.set_price", f"plan:{plan.code}", now,
                plan=plan.code, old_price=old, new_price=price,
            )  # fmt: skip
            change = PriceChange(dataclasses.replace(plan, price=price), old, price)
            await uow.commit()
            return change
