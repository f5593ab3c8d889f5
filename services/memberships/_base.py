"""What the membership services share: their constructors and their lookups."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from domain.catalog import Plan
from domain.people import Person
from kernel.admin_input import AdminProblem, AdminToolError, MemberRef
from kernel.clock import Clock
from kernel.notices import Button
from services.access import GroupConfig
from storage.uow import UnitOfWork, UnitOfWorkFactory


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

    async def _member(self, uow: UnitOfWork, ref: MemberRef) -> Person:
        if ref.telegram_id is not None:
            member = await uow.members.by_telegram_id(ref.telegram_id)
        else:
            member = await uow.members.by_username(ref.username or "")
        if member is None:
            raise AdminToolError(AdminProblem.MEMBER_NOT_FOUND, given=str(ref))
        return member

    async def _plan(self, uow: UnitOfWork, code: str) -> Plan:
        entry = await uow.catalog.plan_by_code(code.strip().lower())
        if entry is None:
            raise AdminToolError(
                AdminProblem.PLAN_NOT_FOUND,
                code=code.strip()[:48],
                known=", ".join(await uow.catalog.plan_codes()) or "-",
            )
        return entry.plan


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
