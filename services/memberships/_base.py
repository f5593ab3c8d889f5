"""What the membership services share: their constructors and their lookups."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from kernel.clock import Clock
from kernel.notices import Button
from services.access import GroupConfig
from storage.uow import UnitOfWorkFactory


class MembershipServiceBase:
    """Memberships changed by hand by an admin."""

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

    def _date(self, moment: datetime | None) -> str:
        return "-" if moment is None else f"{moment.astimezone(self.zone):%d-%m-%Y}"


class LifecycleServiceBase:
    """The jobs that end memberships at their time and remind members before."""

    def __init__(self, uow: UnitOfWorkFactory, clock: Clock, config: GroupConfig) -> None:
        self.uow = uow
        self.clock = clock
        self.config = config

    def _when(self, moment: datetime) -> str:
        local = moment.astimezone(self.config.zone)
        return f"{local:%d-%m-%Y %H:%M} {local.tzname() or ''}".rstrip()

    def _buttons(self) -> tuple[tuple[Button, ...], ...]:
        if self.config.renew_callback is None:
            return ()
        return ((Button("lifecycle.renew_button", callback_data=self.config.renew_callback),),)
