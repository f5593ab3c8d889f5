"""What the membership services share: their constructors and how they show dates."""

from __future__ import annotations

from datetime import datetime

from kernel.clock import Clock
from kernel.dates import DateText, local_day_param, moment_param
from kernel.notices import Button
from services.access import GroupConfig
from services.base import AdminServiceBase
from storage.uow import UnitOfWorkFactory


class MembershipServiceBase(AdminServiceBase):
    """Memberships changed by hand by an admin."""

    def _date(self, moment: datetime | None) -> DateText:
        return local_day_param(moment, self.zone)


class LifecycleServiceBase:
    """The jobs that end memberships at their time and remind members before."""

    def __init__(self, uow: UnitOfWorkFactory, clock: Clock, config: GroupConfig) -> None:
        self.uow = uow
        self.clock = clock
        self.config = config

    def _when(self, moment: datetime) -> DateText:
        return moment_param(moment, self.config.zone, zone_name=True)

    def _buttons(self) -> tuple[tuple[Button, ...], ...]:
        if self.config.renew_callback is None:
            return ()
        return ((Button("lifecycle.renew_button", callback_data=self.config.renew_callback),),)

    def _renew_buttons(self, plan_id: int) -> tuple[tuple[Button, ...], ...]:
        """The renew button of a reminder: the renewal quote of that plan (the shop when
        the bot layer gave no way to pack it)."""
        if self.config.quote_callback is None:
            return self._buttons()
        data = self.config.quote_callback(plan_id)
        return ((Button("lifecycle.renew_button", callback_data=data),),)
