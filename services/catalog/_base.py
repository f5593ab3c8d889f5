"""What every part of CatalogService holds, and finding a plan an admin names."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from kernel.admin_input import AdminProblem, AdminToolError
from kernel.clock import Clock
from services.access import GroupConfig
from storage.repos.catalog import PlanEntry
from storage.uow import UnitOfWork, UnitOfWorkFactory


class CatalogBase:
    def __init__(
        self,
        uow: UnitOfWorkFactory,
        clock: Clock,
        zone: ZoneInfo,
        default_language: str,
        *,
        group: GroupConfig | None = None,
    ) -> None:
        self.uow = uow
        self.clock = clock
        self.zone = zone
        self.default_language = default_language
        # Kept for the admin services built alongside (they share one constructor).
        self.group = group or GroupConfig(None, 0, default_language, zone)


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
