"""The constructor the admin features share (member lookup, memberships by hand, catalog)."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from kernel.clock import Clock
from services.access import GroupConfig
from storage.uow import UnitOfWorkFactory


class AdminServiceBase:
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
        # Grants and revocations open or close the discussion group like payments do.
        self.group = group or GroupConfig(None, 0, default_language, zone)
