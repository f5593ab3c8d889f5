"""What the bookkeeping exports read: members, payments, payouts and commissions of a
period, one chunk at a time.

Each read takes the rows whose id is above `after` (keyset paging, in id order) and
whose instant falls in the half-open period [start, end), at most `limit` of them, with
the names and codes they point to joined in: a chunk costs a fixed number of queries
however many rows it holds, and nothing holds more than one chunk in memory. Rows come
back as small frozen dataclasses, read through Core statements (no ORM objects).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import ColumnElement, Select, Table, or_, select, true
from sqlalchemy.ext.asyncio import AsyncSession

from domain.membership import MembershipStatus
from domain.people import full_name
from storage import models
from storage.repos._rows import read_plain


def _table(model: type[models.Base]) -> Table:
    table = model.__table__
    assert isinstance(table, Table)
    return table


_members = _table(models.Member)
_member = _members.c
_leader_table = _members.alias("leader")
_leader = _leader_table.c
_memberships = _table(models.Membership).c
_plans = _table(models.Plan).c
_tiers = _table(models.Tier).c
_links = _table(models.LeaderLink).c
_requests = _table(models.PaymentRequest).c
_methods = _table(models.PaymentMethod).c
_payouts = _table(models.Payout).c
_commissions = _table(models.Commission).c
_reports = _table(models.Report).c


@dataclass(frozen=True, slots=True)
class HeldPlan:
    code: str
    tier_rank: int
    tier_code: str
    expires_at: datetime | None  # None: lifetime


@dataclass(frozen=True, slots=True)
class Named:
    """A member as an export names them: Telegram id, name, username."""

    telegram_id: int
    name: str
    username: str | None


@dataclass(frozen=True, slots=True)
class MemberExportRow:
    id: int
    person: Named
    joined_at: datetime
    plans: tuple[HeldPlan, ...]  # active memberships, highest tier first
    leader: Named | None


@dataclass(frozen=True, slots=True)
class Chunk:
    """Which rows a read takes: ids above `after` whose instant is in [start, end), at
    most `limit` of them; `now` is when plans are "held now" (members export)."""

    start: datetime
    end: datetime
    after: int
    limit: int
    now: datetime | None = None


# Fields in the order the reads select them (a row is built from its tuple): the people
# named first, four columns each.
@dataclass(frozen=True, slots=True)
class PaymentExportRow:
    member: Named
    id: int
    plan_code: str
    amount: int
    method: str | None
    status: str
    created_at: datetime
    decided_at: datetime | None
    decided_by: int | None


@dataclass(frozen=True, slots=True)
class PayoutExportRow:
    member: Named
    id: int
    amount: int
    method: str
    reference: str | None
    paid_at: datetime
    paid_by: int


@dataclass(frozen=True, slots=True)
class CommissionExportRow:
    member: Named
    leader: Named | None
    id: int
    report_date: date
    total: int
    member_share: int
    leader_share: int
    owner_share: int
    validated_at: datetime


def _named(telegram_id: int, first: str, last: str | None, username: str | None) -> Named:
    return Named(telegram_id, full_name(first, last), username)


def _named_columns(c: Any) -> tuple[ColumnElement[Any], ...]:
    return (c.telegram_id, c.first_name, c.last_name, c.username)


class ExportRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def _page(
        self, statement: Select[Any], c: Any, instant: ColumnElement[datetime], chunk: Chunk
    ) -> list[Any]:
        """The chunk's rows of `statement` (whose table's columns are `c`), in id order."""
        statement = (
            statement.where(c.id > chunk.after, instant >= chunk.start, instant < chunk.end)
            .order_by(c.id)
            .limit(chunk.limit)
        )
        return list(await read_plain(self.session, statement, {}))

    async def members(self, chunk: Chunk) -> list[MemberExportRow]:
        """Members who first wrote to the bot in the period, with the plans they hold now
        and their leader now."""
        people = await self._page(
            select(_member.id, _member.created_at, *_named_columns(_member)),
            _member,
            _member.created_at,
            chunk,
        )
        if not people:
            return []
        ids = [row[0] for row in people]
        plans = await self._held_plans(ids, chunk.now)
        leaders = await self._leaders_of(ids)
        return [
            MemberExportRow(
                id=row[0],
                person=_named(*row[2:]),
                joined_at=row[1],
                plans=tuple(plans.get(row[0], ())),
                leader=leaders.get(row[0]),
            )
            for row in people
        ]

    async def _held_plans(
        self, member_ids: Sequence[int], now: datetime | None
    ) -> dict[int, list[HeldPlan]]:
        """Plans held at `now`: active, and not past their end (a membership still marked
        active after its end, until the lifecycle job runs, is not held)."""
        statement = (
            select(
                _memberships.member_id,
                _plans.code,
                _tiers.rank,
                _tiers.code,
                _memberships.expires_at,
            )
            .join_from(
                _table(models.Membership),
                _table(models.Plan),
                _plans.id == _memberships.plan_id,
            )
            .join(_table(models.Tier), _tiers.id == _plans.tier_id)
            .where(
                _memberships.member_id.in_(member_ids),
                _memberships.status == MembershipStatus.ACTIVE,
                true()
                if now is None
                else or_(_memberships.expires_at.is_(None), _memberships.expires_at > now),
            )
            .order_by(_memberships.member_id, _tiers.rank.desc(), _memberships.id)
        )
        found: dict[int, list[HeldPlan]] = defaultdict(list)
        for member_id, *plan in await read_plain(self.session, statement, {}):
            found[member_id].append(HeldPlan(*plan))
        return found

    async def _leaders_of(self, member_ids: Sequence[int]) -> dict[int, Named]:
        statement = (
            select(_links.member_id, *_named_columns(_leader))
            .join_from(
                _table(models.LeaderLink), _leader_table, _leader.id == _links.leader_member_id
            )
            .where(_links.member_id.in_(member_ids), _links.valid_to.is_(None))
        )
        rows = await read_plain(self.session, statement, {})
        return {row[0]: _named(*row[1:]) for row in rows}

    async def payments(self, chunk: Chunk) -> list[PaymentExportRow]:
        """Payment requests opened in the period, whatever became of them."""
        statement = (
            select(
                *_named_columns(_member),
                _requests.id,
                _plans.code,
                _requests.amount,
                _methods.label,
                _requests.status,
                _requests.created_at,
                _requests.decided_at,
                _requests.decided_by,
            )
            .join_from(_table(models.PaymentRequest), _members, _member.id == _requests.member_id)
            .join(_table(models.Plan), _plans.id == _requests.plan_id)
            .outerjoin(_table(models.PaymentMethod), _methods.id == _requests.method_id)
        )
        rows = await self._page(statement, _requests, _requests.created_at, chunk)
        return [PaymentExportRow(_named(*row[:4]), *row[4:]) for row in rows]

    async def payouts(self, chunk: Chunk) -> list[PayoutExportRow]:
        """Payouts made in the period."""
        statement = select(
            *_named_columns(_member),
            _payouts.id,
            _payouts.amount,
            _payouts.method,
            _payouts.reference,
            _payouts.created_at,
            _payouts.created_by,
        ).join_from(_table(models.Payout), _members, _member.id == _payouts.member_id)
        rows = await self._page(statement, _payouts, _payouts.created_at, chunk)
        return [PayoutExportRow(_named(*row[:4]), *row[4:]) for row in rows]

    async def commissions(self, chunk: Chunk) -> list[CommissionExportRow]:
        """Commissions made (their report validated) in the period."""
        statement = (
            select(
                *_named_columns(_member),
                *_named_columns(_leader),
                _commissions.id,
                _reports.report_date,
                _commissions.total,
                _commissions.member_share,
                _commissions.leader_share,
                _commissions.owner_share,
                _commissions.created_at,
            )
            .join_from(
                _table(models.Commission),
                _table(models.Report),
                _reports.id == _commissions.report_id,
            )
            .join(_members, _member.id == _commissions.member_id)
            .outerjoin(_leader_table, _leader.id == _commissions.leader_member_id)
        )
        rows = await self._page(statement, _commissions, _commissions.created_at, chunk)
        return [
            CommissionExportRow(
                _named(*row[:4]), None if row[4] is None else _named(*row[4:8]), *row[8:]
            )
            for row in rows
        ]
