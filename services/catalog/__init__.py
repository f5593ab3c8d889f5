"""The catalog an owner runs: plans, prices and the payment methods members pay with.

Every change is one transaction holding the change, its history row
(plan_price_changes) and an admin_actions row naming who did it and when.
plans.py lists, adds, retires and brings back plans; prices.py sets a plan's price;
methods.py keeps the payment methods; `_base.py` finds the plan an admin names.
"""

from __future__ import annotations

from services.catalog._base import named_plan
from services.catalog.methods import MethodRow, Methods
from services.catalog.plans import PlanRow, Plans
from services.catalog.prices import PriceChange, Prices

__all__ = ["CatalogService", "MethodRow", "PlanRow", "PriceChange", "named_plan"]


class CatalogService(Plans, Prices, Methods):
    """Plans, prices and payment methods, changed by the owner and the admins."""
