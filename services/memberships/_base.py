"""What the membership services share: their constructors and how they show dates."""

from __future__ import annotations

from datetime import datetime

from kernel.clock import Clock
from kernel.notices import Button
from services.access import GroupConfig
from services.base import AdminServiceBase
from storage.uow import UnitOfWorkFactory


class MembershipServiceBase(AdminServiceBase):
    """Memberships changed by hand by an admin."""

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
