"""How plans and quotes are named to people: nested translations, never literal text."""

from __future__ import annotations

from typing import Any

from domain.catalog import Plan
from domain.pricing import Quote, QuoteKind


def breakdown(
    kind: QuoteKind,
    list_price: int,
    credit: int,
    amount: int,
    days_carried: int,
    base_remaining_days: int | None,
    base_plan: Plan | None,
) -> dict[str, Any]:
    """How a quote's amount came about, as a nested translation (member and admins)."""
    return {
        "key": f"quote.{kind.value}",
        "params": {
            "list_price": list_price,
            "credit": credit,
            "amount": amount,
            "days_carried": days_carried,
            "remaining": base_remaining_days or 0,
            "base": plan_name(base_plan) if base_plan is not None else "",
        },
    }


def quote_breakdown(q: Quote, base_plan: Plan | None) -> dict[str, Any]:
    return breakdown(
        q.kind, q.list_price, q.credit, q.amount, q.days_carried, q.base_remaining_days, base_plan
    )


def plan_name(plan: Plan) -> dict[str, Any]:
    """A plan's display name as a nested translation (tier name + duration)."""
    tier = {"key": f"tier.{plan.tier.code}"}
    if plan.is_lifetime:
        return {"key": "plan.lifetime", "params": {"tier": tier}}
    return {"key": "plan.days", "params": {"tier": tier, "days": plan.duration_days}}
