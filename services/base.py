"""What most services hold: the unit-of-work factory, the clock, the zone dates are shown
in and the language of texts for people whose own is unknown (the admin group's)."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from kernel.clock import Clock
from services.access import GroupConfig
from storage.uow import UnitOfWorkFactory


class ServiceBase:
    def __init__(
        self, uow: UnitOfWorkFactory, clock: Clock, zone: ZoneInfo, default_language: str
    ) -> None:
        self.uow = uow
        self.clock = clock
        self.zone = zone
        self.default_language = default_language


class AdminServiceBase(ServiceBase):
    """The admin features (member lookup, memberships by hand, catalog) share one
    constructor; grants and revocations open or close the discussion group like payments."""

    def __init__(
        self,
        uow: UnitOfWorkFactory,
        clock: Clock,
        zone: ZoneInfo,
        default_language: str,
        *,
        group: GroupConfig | None = None,
    ) -> None:
        super().__init__(uow, clock, zone, default_language)
        self.group = group or GroupConfig(None, 0, default_language, zone)
