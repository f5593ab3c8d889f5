"""Leaders and their subs (SPEC "Leaders"): referral links, admin changes, history, teams.

A member's leader is the open `leader_links` row (`valid_to IS NULL`); a change closes
it and opens a new one at the same instant, so the history answers "who led this member
on that day" for commissions. No one leads themselves and no chain loops
(`domain.leaders.check_leader`); the partial unique index keeps one open link per member
even when two admins change it at once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from zoneinfo import ZoneInfo

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError

from domain.catalog import Tier
from domain.leaders import LeaderError, check_leader
from domain.membership import effective_tier
from domain.reports import day_bounds, jakarta_day
from domain.states import LeaderSource, ReportStatus
from kernel.actor import Actor
from kernel.clock import Clock
from kernel.refusal import Refusal
from services.people import full_name
from storage.models import AdminAction, Commission, LeaderLink, Member, Report
from storage.repos.memberships import MembershipRepository
from storage.uow import UnitOfWork, UnitOfWorkFactory

__all__ = [
    "LeaderChange",
    "LeaderLinkView",
    "LeaderProblem",
    "LeaderService",
    "LeaderServiceError",
    "SubLine",
    "Team",
    "attach_by_referral",
    "full_name",
    "leader_on",
]


class LeaderProblem(StrEnum):
    SELF = "self"
    LOOP = "loop"
    SAME = "same"
    NO_LEADER = "no_leader"


class LeaderServiceError(Refusal[LeaderProblem]):
    """Why a leader change was refused."""


@dataclass(frozen=True, slots=True)
class LeaderLinkView:
    leader_telegram_id: int
    leader_name: str
    source: LeaderSource
    valid_from: datetime
    valid_to: datetime | None
    set_by: int | None


@dataclass(frozen=True, slots=True)
class LeaderChange:
    member_name: str
    member_telegram_id: int
    old_leader: str | None
    new_leader: str | None
    at: datetime


@dataclass(frozen=True, slots=True)
class SubLine:
    name: str
    telegram_id: int
    tier: Tier | None
    reports_this_month: int
    leader_share: int
    since: datetime


@dataclass(frozen=True, slots=True)
class Team:
    referral_code: str
    subs: list[SubLine]
    leader_share_total: int
    leader: str | None


LEADER_LOCK_KEY = 4_242_001
"""PostgreSQL advisory lock taken by every leader change: the loop check reads the whole
leader graph, so two changes must not interleave (SQLite: BEGIN IMMEDIATE already
serialises every transaction)."""


async def serialize_leader_changes(uow: UnitOfWork) -> None:
    if uow.session.bind.dialect.name == "postgresql":
        await uow.session.execute(select(func.pg_advisory_xact_lock(LEADER_LOCK_KEY)))


async def _open_links(uow: UnitOfWork) -> dict[int, int | None]:
    rows = await uow.session.execute(
        select(LeaderLink.member_id, LeaderLink.leader_member_id).where(
            LeaderLink.valid_to.is_(None)
        )
    )
    return {member: leader for member, leader in rows.all()}


async def _open_link(uow: UnitOfWork, member_id: int) -> LeaderLink | None:
    found = await uow.session.execute(
        select(LeaderLink).where(LeaderLink.member_id == member_id, LeaderLink.valid_to.is_(None))
    )
    return found.scalar_one_or_none()


async def leader_on(uow: UnitOfWork, member_id: int, day: date, zone: ZoneInfo) -> int | None:
    """The member id of whoever led `member_id` on `day` (the last link that started
    before the day ended and had not ended before it began), or None."""
    start, end = day_bounds(day, zone)
    found = await uow.session.execute(
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


async def attach_by_referral(
    uow: UnitOfWork, member: Member, code: str, now: datetime
) -> Member | None:
    """Make `member` the sub of the owner of `code`, when they have never had a leader.

    Returns the leader, or None when nothing changed (unknown code, their own code,
    a loop, or a member who already has or had a leader)."""
    leader = await uow.members.by_referral_code(code)
    if leader is None or leader.id == member.id:
        return None
    await serialize_leader_changes(uow)
    ever = await uow.session.execute(
        select(func.count()).select_from(LeaderLink).where(LeaderLink.member_id == member.id)
    )
    if ever.scalar_one():
        return None
    if check_leader(member.id, leader.id, await _open_links(uow)) is not None:
        return None
    uow.session.add(
        LeaderLink(
            member_id=member.id,
            leader_member_id=leader.id,
            source=LeaderSource.REFERRAL,
            valid_from=now,
        )
    )
    return leader


class LeaderService:
    def __init__(
        self, uow: UnitOfWorkFactory, clock: Clock, zone: ZoneInfo, default_language: str
    ) -> None:
        self.uow = uow
        self.clock = clock
        self.zone = zone
        self.default_language = default_language

    async def set_leader(self, member_id: int, leader_id: int | None, admin: Actor) -> LeaderChange:
        """An admin assigns, changes (or with None removes) a member's leader, from now on.

        Both members are told; the old link is closed at the same instant the new one
        opens, so the history has no gap and no overlap."""
        now = self.clock.now()
        async with self.uow() as uow:
            await serialize_leader_changes(uow)
            member = await uow.session.get(Member, member_id)
            assert member is not None
            current = await _open_link(uow, member_id)
            if leader_id is None and current is None:
                raise LeaderServiceError(LeaderProblem.NO_LEADER, name=full_name(member))
            if current is not None and current.leader_member_id == leader_id:
                raise LeaderServiceError(LeaderProblem.SAME, name=full_name(member))
            new_leader = await uow.session.get(Member, leader_id) if leader_id else None
            if leader_id is not None:
                problem = check_leader(member_id, leader_id, await _open_links(uow))
                if problem is LeaderError.SELF:
                    raise LeaderServiceError(LeaderProblem.SELF, name=full_name(member))
                if problem is LeaderError.LOOP:
                    assert new_leader is not None
                    raise LeaderServiceError(
                        LeaderProblem.LOOP, name=full_name(member), leader=full_name(new_leader)
                    )
            old_leader = None
            if current is not None:
                old_leader = await uow.session.get(Member, current.leader_member_id)
                await uow.session.execute(
                    update(LeaderLink).where(LeaderLink.id == current.id).values(valid_to=now)
                )
            link = None
            if new_leader is not None:
                link = LeaderLink(
                    member_id=member_id,
                    leader_member_id=new_leader.id,
                    source=LeaderSource.ADMIN,
                    valid_from=now,
                    set_by=admin.telegram_id,
                )
                uow.session.add(link)
                await uow.session.flush()
            uow.session.add(
                AdminAction(
                    actor_telegram_id=admin.telegram_id,
                    action="set_leader",
                    target=f"member:{member.telegram_id}",
                    details={
                        "name": admin.name,
                        "old": old_leader.telegram_id if old_leader else None,
                        "new": new_leader.telegram_id if new_leader else None,
                    },
                    created_at=now,
                )
            )
            # Keyed by the link opened (or closed): every change is announced once.
            stamp = (
                f"link{link.id}" if link is not None else f"closed{current.id if current else 0}"
            )
            if new_leader is not None:
                await uow.outbox.tell_member(
                    member,
                    self.default_language,
                    "leaders.you_have_leader",
                    {"leader": full_name(new_leader)},
                    f"leader:{member.id}:{stamp}:member",
                    now,
                )
                await uow.outbox.tell_member(
                    new_leader,
                    self.default_language,
                    "leaders.new_sub",
                    {"name": full_name(member)},
                    f"leader:{member.id}:{stamp}:leader",
                    now,
                )
            else:
                await uow.outbox.tell_member(
                    member,
                    self.default_language,
                    "leaders.leader_removed",
                    {},
                    f"leader:{member.id}:{stamp}:removed",
                    now,
                )
            change = LeaderChange(
                member_name=full_name(member),
                member_telegram_id=member.telegram_id,
                old_leader=full_name(old_leader) if old_leader else None,
                new_leader=full_name(new_leader) if new_leader else None,
                at=now,
            )
            try:
                await uow.commit()
            except IntegrityError:
                # Another admin changed the same member at the same moment: theirs stands.
                raise LeaderServiceError(LeaderProblem.SAME, name=change.member_name) from None
            return change

    async def history(self, member_id: int) -> list[LeaderLinkView]:
        """Every leader the member has had, newest first."""
        async with self.uow() as uow:
            rows = await uow.session.execute(
                select(LeaderLink, Member)
                .join(Member, Member.id == LeaderLink.leader_member_id)
                .where(LeaderLink.member_id == member_id)
                .order_by(LeaderLink.valid_from.desc(), LeaderLink.id.desc())
            )
            return [
                LeaderLinkView(
                    leader.telegram_id,
                    full_name(leader),
                    LeaderSource(link.source),
                    link.valid_from,
                    link.valid_to,
                    link.set_by,
                )
                for link, leader in rows.all()
            ]

    async def team(self, telegram_id: int) -> Team | None:
        """What a leader sees: their code, their current subs (tier now, reports this
        Jakarta month, the leader share earned from each) and their own leader."""
        now = self.clock.now()
        today = jakarta_day(now, self.zone)
        month_start = today.replace(day=1)
        async with self.uow() as uow:
            me = await uow.members.by_telegram_id(telegram_id)
            if me is None:
                return None
            rows = await uow.session.execute(
                select(LeaderLink, Member)
                .join(Member, Member.id == LeaderLink.member_id)
                .where(LeaderLink.leader_member_id == me.id, LeaderLink.valid_to.is_(None))
                .order_by(LeaderLink.valid_from, LeaderLink.id)
            )
            memberships = MembershipRepository(uow.session)
            subs = []
            for link, sub in rows.all():
                reports = await uow.session.execute(
                    select(func.count())
                    .select_from(Report)
                    .where(
                        Report.member_id == sub.id,
                        Report.report_date >= month_start,
                        Report.status != ReportStatus.REJECTED,
                    )
                )
                share = await uow.session.execute(
                    select(func.coalesce(func.sum(Commission.leader_share), 0)).where(
                        Commission.member_id == sub.id, Commission.leader_member_id == me.id
                    )
                )
                subs.append(
                    SubLine(
                        name=full_name(sub),
                        telegram_id=sub.telegram_id,
                        tier=effective_tier(await memberships.held(sub.id), now),
                        reports_this_month=int(reports.scalar_one()),
                        leader_share=int(share.scalar_one()),
                        since=link.valid_from,
                    )
                )
            total = await uow.session.execute(
                select(func.coalesce(func.sum(Commission.leader_share), 0)).where(
                    Commission.leader_member_id == me.id
                )
            )
            my_link = await _open_link(uow, me.id)
            leader = await uow.session.get(Member, my_link.leader_member_id) if my_link else None
            return Team(
                referral_code=me.referral_code,
                subs=subs,
                leader_share_total=int(total.scalar_one()),
                leader=full_name(leader) if leader else None,
            )
