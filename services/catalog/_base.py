"""What every part of CatalogService holds, and finding a plan an admin names."""

from __future__ import annotations

from kernel.admin_input import AdminProblem, AdminToolError
from services.base import AdminServiceBase
from storage.repos.catalog import PlanEntry
from storage.uow import UnitOfWork


class CatalogBase(AdminServiceBase):
    """What every part of CatalogService holds."""


async def named_plan(uow: UnitOfWork, code: str, *, lock: bool = False) -> PlanEntry:
    """The plan an admin typed the code of (any case, spaces around); PLAN_NOT_FOUND
    lists the codes there are. `lock` holds the plan's row until commit."""
    entry = await uow.catalog.plan_by_code(code.strip().lower(), lock=lock)
    if entry is None:
        raise AdminToolError(
            AdminProblem.PLAN_NOT_FOUND,
            code=code.strip()[:48],
            known=", ".join(await uow.catalog.plan_codes()) or "-",
        )
    return entry
