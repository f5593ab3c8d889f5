"""Every leader a member has had, and who led a member on a given day."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from domain.reports import day_bounds
from domain.states import LeaderSource
from kernel.admin_input import MemberRef
from services.leaders._base import LeaderServiceBase
from services.member_ref import find_member
from storage.uow import UnitOfWork


@dataclass(frozen=True, slots=True)
class LeaderLinkView:
    leader_telegram_id: int
    leader_name: str
    source: LeaderSource
    valid_from: datetime
    valid_to: datetime | None
    set_by: int | None


async def leader_on(uow: UnitOfWork, member_id: int, day: date, zone: ZoneInfo) -> int | None:
    """The member id of whoever led `member_id` on `day` (the last link that started
    before the day ended and had not ended before it began), or None."""
    start, end = day_bounds(day, zone)
    return await uow.leaders.leader_between(member_id, start, end)


@dataclass(frozen=True, slots=True)
class MemberLeaders:
    """/leaderhistory: who the member is and every leader they have had, newest first."""

    name: str
    telegram_id: int
    links: list[LeaderLinkView]


async def _history(uow: UnitOfWork, member_id: int) -> list[LeaderLinkView]:
    return [
        LeaderLinkView(
            leader.telegram_id,
            leader.full_name,
            link.source,
            link.valid_from,
            link.valid_to,
            link.set_by,
        )
        for link, leader in await uow.leaders.history(member_id)
    ]


class History(LeaderServiceBase):
    async def history(self, member_id: int) -> list[LeaderLinkView]:
        """Every leader the member has had, newest first."""
        async with self.uow() as uow:
            return await _history(uow, member_id)

    async def history_of(self, ref: MemberRef) -> MemberLeaders:
        """`history` of the member an admin means, looked up in the same transaction
        (raises MEMBER_NOT_FOUND)."""
        async with self.uow() as uow:
            member = await find_member(uow, ref)
            links = await _history(uow, member.id)
            return MemberLeaders(member.full_name, member.telegram_id, links)
