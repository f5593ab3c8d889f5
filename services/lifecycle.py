"""Membership lifecycle jobs (filled in by the lifecycle work): expiry and reminders."""

from __future__ import annotations

from services.access import GroupConfig
from services.clock import Clock
from storage.uow import UnitOfWorkFactory


class LifecycleService:
    def __init__(self, uow: UnitOfWorkFactory, clock: Clock, config: GroupConfig) -> None:
        self.uow = uow
        self.clock = clock
        self.config = config
