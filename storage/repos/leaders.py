"""Leader links: who is whose leader, and since when.

A member's leader is the open link (`valid_to IS NULL`); a change closes it and opens a
new one at the same instant. A partial unique index keeps one open link per member.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from domain.people import Person
from domain.states import LeaderSource
from storage.models import LeaderLink, Member
from storage.repos.members import to_person

LEADER_LOCK_KEY = 4_242_001
"""PostgreSQL advisory lock taken by every leader change: the loop check reads the whole
leader graph, so two changes must not interleave (SQLite: BEGIN IMMEDIATE already
serialises every transaction)."""


@dataclass(frozen=True, slots=True)
class LeaderLinkRecord:
    id: int
    member_id: int
    leader_member_id: int
    source: LeaderSource
    valid_from: datetime
    valid_to: datetime | None
    set_by: int | None


def _record(row: LeaderLink) -> LeaderLinkRecord:
    return LeaderLinkRecord(
        id=row.id,
        member_id=row.member_id,
        leader_member_id=row.leader_member_id,
        source=LeaderSource(row.source),
        valid_from=row.valid_from,
        valid_to=row.valid_to,
        set_by=row.set_by,
    )


class LeaderRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def serialize_changes(self) -> None:
        """Wait for (and hold until the end of the transaction) the one lock every leader
        change takes first, so no two loop checks interleave."""
        bind = self.session.bind
        if bind is not None and bind.dialect.name == "postgresql":
            await self.session.execute(select(func.pg_advisory_xact_lock(LEADER_LOCK_KEY)))

    async def open_links(self) -> dict[int, int | None]:
        """Every member's current leader: the whole graph the loop check walks."""
        rows = await self.session.execute(
            select(LeaderLink.member_id, LeaderLink.leader_member_id).where(
                LeaderLink.valid_to.is_(None)
            )
        )
        return {member: leader for member, leader in rows.all()}

    async def open_link(self, member_id: int) -> LeaderLinkRecord | None:
        found = await self.session.execute(
            select(LeaderLink).where(
                LeaderLink.member_id == member_id, LeaderLink.valid_to.is_(None)
            )
        )
        row = found.scalar_one_or_none()
        return None if row is None else _record(row)

    async def leader_between(self, member_id: int, start: datetime, end: datetime) -> int | None:
        """Who led `member_id` during `[start, end)`: the last link that started before
        the end and had not ended by the start, or None."""
        found = await self.session.execute(
            select(LeaderLink.leader_member_id)
            .where(
                LeaderLink.member_id == member_id,
                LeaderLink.valid_from < end,
                (LeaderLink.valid_to.is_(None)) | (LeaderLink.valid_to > start),
            )
            .order_by(LeaderLink.valid_from.desc(), LeaderLink.id.desc())
            .limit(1)
        )
        return found.scalar_one_or_none()

    async def ever_led(self, member_id: int) -> bool:
        """Whether the member has or ever had a leader."""
        found = await self.session.execute(
            select(func.count()).select_from(LeaderLink).where(LeaderLink.member_id == member_id)
        )
        return bool(found.scalar_one())

    def open_referral_link(self, member_id: int, leader_id: int, now: datetime) -> None:
        self.session.add(
            LeaderLink(
                member_id=member_id,
                leader_member_id=leader_id,
                source=LeaderSource.REFERRAL,
                valid_from=now,
            )
        )

    async def open_admin_link(
        self, member_id: int, leader_id: int, now: datetime, set_by: int
    ) -> int:
        """Open the link an admin set; returns its id."""
        link = LeaderLink(
            member_id=member_id,
            leader_member_id=leader_id,
            source=LeaderSource.ADMIN,
            valid_from=now,
            set_by=set_by,
        )
        self.session.add(link)
        await self.session.flush()
        return link.id

    async def close(self, link_id: int, now: datetime) -> None:
        await self.session.execute(
            update(LeaderLink).where(LeaderLink.id == link_id).values(valid_to=now)
        )

    async def history(self, member_id: int) -> list[tuple[LeaderLinkRecord, Person]]:
        """Every link of the member with its leader, newest first."""
        rows = await self.session.execute(
            select(LeaderLink, Member)
            .join(Member, Member.id == LeaderLink.leader_member_id)
            .where(LeaderLink.member_id == member_id)
            .order_by(LeaderLink.valid_from.desc(), LeaderLink.id.desc())
        )
        return [(_record(link), to_person(leader)) for link, leader in rows.all()]

    async def current_subs(self, leader_id: int) -> list[tuple[LeaderLinkRecord, Person]]:
        """The members `leader_id` leads now, with their open links, longest-led first."""
        rows = await self.session.execute(
            select(LeaderLink, Member)
            .join(Member, Member.id == LeaderLink.member_id)
            .where(LeaderLink.leader_member_id == leader_id, LeaderLink.valid_to.is_(None))
            .order_by(LeaderLink.valid_from, LeaderLink.id)
        )
        return [(_record(link), to_person(sub)) for link, sub in rows.all()]
