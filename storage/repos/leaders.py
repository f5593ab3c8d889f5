"""Leader links: who is whose leader, and since when.

A member's leader is the open link (`valid_to IS NULL`); a change closes it and opens a
new one at the same instant. A partial unique index keeps one open link per member.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import bindparam, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from domain.membership import HeldMembership, MembershipStatus
from domain.people import Person
from domain.states import LeaderSource, ReportStatus
from storage import models
from storage.models import Commission, LeaderLink, Member, Report
from storage.repos._rows import PlainRows
from storage.repos.catalog import to_plan
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


@dataclass(frozen=True, slots=True)
class TeamRow:
    """One member a leader leads now, with what their team screen shows about them."""

    member_id: int
    telegram_id: int
    first_name: str
    last_name: str | None
    since: datetime
    reports_since: int
    leader_share: int
    held: list[HeldMembership] = field(default_factory=list)


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

    async def team(self, leader_id: int, since: date) -> list[TeamRow]:
        """The members `leader_id` leads now, longest-led first, each with their reports
        dated `since` or later that were not rejected, the leader share `leader_id`
        earned from their reports, and the memberships they hold (oldest first).
        Three queries whatever the team's size, built once of table columns (Core:
        no ORM step, plain rows), the subs a subquery rather than a list of ids."""
        params = {"leader": leader_id, "since": since}
        rows = await self.session.execute(_TEAM, params)
        team = [
            TeamRow(member_id, telegram_id, first, last, since, int(count), int(share))
            for member_id, telegram_id, first, last, since, count, share in rows.all()
        ]
        if not team:
            return team
        plans = await self.session.execute(_PLANS_WITH_TIERS)
        width = len(_PLANS.columns)
        plan_of = {row[0]: to_plan(_PLANS.take(row), _TIERS.take(row, width)) for row in plans}
        held = await self.session.execute(_TEAM_HELD, params)
        by_member = {row.member_id: row for row in team}
        for member_id, id_, plan_id, price, expires, activated, created in held.all():
            by_member[member_id].held.append(
                HeldMembership(id_, plan_of[plan_id], price, activated or created, expires)
            )
        return team


# /team: built once, of table columns.
_member, _link = Member.__table__.c, LeaderLink.__table__.c
_report, _commission = Report.__table__.c, Commission.__table__.c
_m = models.Membership.__table__.c
_OPEN_SUBS = (_link.leader_member_id == bindparam("leader"), _link.valid_to.is_(None))
_TEAM = (
    select(
        _member.id,
        _member.telegram_id,
        _member.first_name,
        _member.last_name,
        _link.valid_from,
        select(func.count())
        .select_from(Report.__table__)
        .where(
            _report.member_id == _member.id,
            _report.report_date >= bindparam("since"),
            _report.status != ReportStatus.REJECTED,
        )
        .correlate(Member.__table__)
        .scalar_subquery(),
        select(func.coalesce(func.sum(_commission.leader_share), 0))
        .where(
            _commission.member_id == _member.id,
            _commission.leader_member_id == bindparam("leader"),
        )
        .correlate(Member.__table__)
        .scalar_subquery(),
    )
    .select_from(LeaderLink.__table__.join(Member.__table__, _member.id == _link.member_id))
    .where(*_OPEN_SUBS)
    .order_by(_link.valid_from, _link.id)
)
_PLANS, _TIERS = PlainRows(models.Plan), PlainRows(models.Tier)
_PLANS_WITH_TIERS = select(*_PLANS.columns, *_TIERS.columns).select_from(
    _PLANS.table.join(_TIERS.table, _PLANS.c.tier_id == _TIERS.c.id)
)
_TEAM_HELD = (
    select(_m.member_id, _m.id, _m.plan_id, _m.list_price, _m.expires_at, _m.activated_at)
    .add_columns(_m.created_at)
    .where(
        _m.member_id.in_(select(_link.member_id).where(*_OPEN_SUBS)),
        _m.status == MembershipStatus.ACTIVE,
    )
    .order_by(_m.id)
)
