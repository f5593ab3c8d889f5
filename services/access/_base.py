"""What every part of AccessService holds: the unit of work, the clock, the settings."""

from __future__ import annotations

from kernel.clock import Clock
from services.access.config import GroupConfig
from storage.uow import UnitOfWorkFactory


class AccessBase:
    def __init__(self, uow: UnitOfWorkFactory, clock: Clock, config: GroupConfig) -> None:
        self.uow = uow
        self.clock = clock
        self.config = config
