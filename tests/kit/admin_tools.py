"""The admin services (member lookup, memberships, catalog) as one object, for tests that
set up members and plans with several of them."""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

from kernel.clock import Clock
from services.access import GroupConfig
from services.catalog import CatalogService
from services.members import MemberLookupService
from services.memberships import MembershipService
from storage.uow import UnitOfWorkFactory


class AdminTools:
    def __init__(
        self,
        uow: UnitOfWorkFactory,
        clock: Clock,
        zone: ZoneInfo,
        default_language: str,
        group: GroupConfig | None = None,
    ) -> None:
        self._services: tuple[Any, ...] = (
            MemberLookupService(uow, clock, zone, default_language, group=group),
            MembershipService(uow, clock, zone, default_language, group=group),
            CatalogService(uow, clock, zone, default_language, group=group),
        )

    @classmethod
    def of(cls, container: Any) -> AdminTools:
        tools = cls.__new__(cls)
        tools._services = (container.member_lookup, container.memberships, container.catalog)
        return tools

    def __getattr__(self, name: str) -> Any:
        for service in self._services:
            if hasattr(service, name):
                return getattr(service, name)
        raise AttributeError(name)
