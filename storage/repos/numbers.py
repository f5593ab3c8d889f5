"""The owner's numbers as aggregate queries (SPEC "Numbers the owner tracks").

Every count and sum is grouped in the database, on SQLite and PostgreSQL alike, so the
cost follows the rows of one table scanned once, never a query per member. Periods are
half-open [start, until) of aware UTC instants; the rules behind each number (what
"renewed" or "converted" means) are in domain/numbers.py and services/numbers/.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Float,
    FunctionElement,
    Integer,
    Select,
    and_,
    case,
    cast,
    exists,
    func,
    literal,
    literal_column,
    or_,
    select,
    union_all,
)
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler

from domain.numbers import (
    BASIC_TIER_CODE,
    VIP_TIER_CODE,
    AccountUse,
    Conversion,
    LeaderPerformance,
    LedgerTotal,
    PayoutFlow,
    ProofDecisions,
    Retention,
    Tally,
    TimeToVip,
    median,
)
from domain.people import full_name
from domain.states import LedgerKind, PaymentStatus, ProofStatus, ShopStatus
from storage import models
from storage.types import UTCDateTime

_members = models.Member.__table__.c
_memberships = models.Membership.__table__.c
_events = models.MembershipEvent.__table__.c
_plans = models.Plan.__table__.c
_tiers = models.Tier.__table__.c
_links = models.LeaderLink.__table__.c
_commissions = models.Commission.__table__.c
_entries = models.LedgerEntry.__table__.c
_accounts = models.AffiliateAccount.__table__.c
_payments = models.PaymentRequest.__table__.c
_proofs = models.PaymentProof.__table__.c


class _PlusSeconds(FunctionElement[datetime]):
    """`instant` + a fixed number of seconds, in each dialect's own date arithmetic."""

    type = UTCDateTime()
    inherit_cache = True
    name = "plus_seconds"


@compiles(_PlusSeconds, "sqlite")
def _plus_seconds_sqlite(element: _PlusSeconds, compiler: SQLCompiler, **kw: Any) -> str:
    instant, seconds = list(element.clauses)
    # The same text form SQLAlchemy stores SQLite datetimes in (milliseconds).
    return (
        f"strftime('%Y-%m-%d %H:%M:%f', {compiler.process(instant, **kw)}, "
        f"'+' || {compiler.process(seconds, **kw)} || ' seconds')"
    )


@compiles(_PlusSeconds, "postgresql")
def _plus_seconds_postgresql(element: _PlusSeconds, compiler: SQLCompiler, **kw: Any) -> str:
    instant, seconds = list(element.clauses)
    return (
        f"({compiler.process(instant, **kw)} + "
        f"make_interval(secs => {compiler.process(seconds, **kw)}))"
    )


class _DaysBetween(FunctionElement[float]):
    """The days from `earlier` to `later`, with their fraction."""

    type = Float()
    inherit_cache = True
    name = "days_between"


@compiles(_DaysBetween, "sqlite")
def _days_between_sqlite(element: _DaysBetween, compiler: SQLCompiler, **kw: Any) -> str:
    earlier, later = (compiler.process(c, **kw) for c in element.clauses)
    return f"(julianday({later}) - julianday({earlier}))"


@compiles(_DaysBetween, "postgresql")
def _days_between_postgresql(element: _DaysBetween, compiler: SQLCompiler, **kw: Any) -> str:
    earlier, later = (compiler.process(c, **kw) for c in element.clauses)
    return f"(EXTRACT(EPOCH FROM ({later} - {earlier})) / 86400.0)"


def _plus(instant: ColumnElement[datetime], span: timedelta) -> _PlusSeconds:
    # A literal (not a parameter): both dialects need the number inside the expression.
    return _PlusSeconds(instant, literal_column(str(int(span.total_seconds()))))


def _plans_of(code: str, *, temporal: bool = False) -> Select[Any]:
    """The ids of the plans of the tier `code` (only those with a duration when
    `temporal`): a few rows, read once per statement (cheaper than joining plans and
    tiers to each of 100k memberships)."""
    found = (
        select(_plans.id)
        .join(models.Tier.__table__, _tiers.id == _plans.tier_id)
        .where(_tiers.code == code)
    )
    return found.where(_plans.duration_days.is_not(None)) if temporal else found


# Every kind of ledger entry: with it the index on (kind, created_at, amount) reads a
# span of days as one short range per kind instead of a pass over the whole index.
_LEDGER_KINDS = tuple(LedgerKind)


def _bucket_of(column: ColumnElement[datetime], bounds: Sequence[datetime]) -> ColumnElement[Any]:
    """Which bucket between consecutive `bounds` `column` falls in: 0, 1, ... (for rows
    already known to lie between the first and the last bound)."""
    return case(*((column < bound, literal_column(str(i))) for i, bound in enumerate(bounds[1:])))


def _bucketed(
    column: ColumnElement[datetime],
    bounds: Sequence[datetime],
    value: ColumnElement[int],
    *where: ColumnElement[bool],
) -> Select[Any]:
    """(bucket index, count, sum of `value`) of the rows whose `column` falls between
    consecutive `bounds`, grouped in the database (buckets without rows are absent)."""
    rows = (
        select(_bucket_of(column, bounds).label("bucket"), value.label("value"))
        .where(column >= bounds[0], column < bounds[-1], *where)
        .subquery()
    )
    return _per_bucket(
        rows.c.bucket, len(bounds) - 1, func.count(), func.coalesce(func.sum(rows.c.value), 0)
    )


def _per_bucket(bucket: ColumnElement[Any], buckets: int, *sums: ColumnElement[Any]) -> Select[Any]:
    """`sums` per `bucket`; for a single bucket (a period's figure) one plain aggregate,
    without the sort a GROUP BY of every row would make."""
    if buckets == 1:
        return select(literal_column("0"), *sums)
    return select(bucket, *sums).group_by(bucket)


class NumbersRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def vip_funnel(self, start: datetime, until: datetime) -> tuple[Conversion, TimeToVip]:
        """Basic → VIP in [start, until), from each member's memberships ever activated
        (one GROUP BY over memberships, then sums over the members):

        - could convert: held a Basic membership at some time in the period (activated
          before `until`, not ended or expired by `start`) and first VIP activation not
          before `start`; converted: of those, first VIP activation in the period;
        - new VIPs: every member whose first VIP activation is in the period;
        - time to VIP: of the new VIPs, those whose first Basic activation came before
          their first VIP activation, with the days between the two added up."""
        held_until = func.coalesce(_memberships.ended_at, _memberships.expires_at)
        is_basic = _memberships.plan_id.in_(_plans_of(BASIC_TIER_CODE))
        is_vip = _memberships.plan_id.in_(_plans_of(VIP_TIER_CODE))
        basic_then = and_(
            is_basic,
            _memberships.activated_at < until,
            or_(held_until.is_(None), held_until > start),
        )
        per_member = (
            select(
                func.max(case((basic_then, 1), else_=0)).label("basic"),
                func.min(case((is_basic, _memberships.activated_at))).label("first_basic"),
                func.min(case((is_vip, _memberships.activated_at))).label("first_vip"),
            )
            .where(_memberships.activated_at.is_not(None))
            .group_by(_memberships.member_id)
            .subquery()
        )
        basic, first_basic, first_vip = (
            per_member.c.basic,
            per_member.c.first_basic,
            per_member.c.first_vip,
        )
        new_vip = and_(first_vip >= start, first_vip < until)
        could_convert = and_(basic == 1, or_(first_vip.is_(None), first_vip >= start))
        waited = and_(new_vip, first_basic < first_vip)
        found = await self.session.execute(
            select(
                func.count(case((could_convert, 1))),
                func.count(case((and_(basic == 1, new_vip), 1))),
                func.count(case((new_vip, 1))),
                func.count(case((waited, 1))),
                func.coalesce(func.sum(case((waited, _DaysBetween(first_basic, first_vip)))), 0),
            )
        )
        candidates, converted, new_vips, members, days = found.one()
        return (
            Conversion(int(candidates), int(converted), int(new_vips)),
            TimeToVip(int(members), float(days)),
        )

    async def retention(self, start: datetime, until: datetime, grace: timedelta) -> Retention:
        """`retention_by` of the one period [start, until)."""
        (found,) = await self.retention_by([start, until], grace)
        return found

    async def retention_by(self, bounds: Sequence[datetime], grace: timedelta) -> list[Retention]:
        """The ends of temporal VIP terms between consecutive `bounds`, one `Retention`
        per bucket, by how each ended (see `domain.numbers.Retention`): a "renewed"
        history row from that expiry, or an "expired" one, which came back when the
        member's next VIP membership was activated within `grace` after it."""
        events = models.MembershipEvent.__table__
        ended = _events.old_expires_at
        again = models.Membership.__table__.alias("again")
        came_back = exists(
            select(again.c.id).where(
                again.c.member_id == _memberships.member_id,
                again.c.plan_id.in_(_plans_of(VIP_TIER_CODE)),
                again.c.activated_at >= ended,
                again.c.activated_at < _plus(ended, grace),
            )
        )
        series = [Retention(0, 0, 0) for _ in bounds[1:]]
        if not series:
            return series
        is_expired = _events.kind == "expired"
        ends = (
            select(
                _bucket_of(ended, bounds).label("bucket"),
                case((_events.kind == "renewed", 1), else_=0).label("renewed"),
                case((and_(is_expired, came_back), 1), else_=0).label("back"),
                case((is_expired, 1), else_=0).label("expired"),
            )
            .select_from(
                events.join(models.Membership.__table__, _memberships.id == _events.membership_id)
            )
            .where(
                # The period's ends first (a short range of the index on kind and
                # expiry), then each one's membership: a temporal VIP plan's?
                _events.kind.in_(("renewed", "expired")),
                _memberships.plan_id.in_(_plans_of(VIP_TIER_CODE, temporal=True)),
                ended >= bounds[0],
                ended < bounds[-1],
            )
            .subquery()
        )
        found = await self.session.execute(
            _per_bucket(
                ends.c.bucket,
                len(series),
                *(
                    func.coalesce(func.sum(c), 0)
                    for c in (ends.c.renewed, ends.c.back, ends.c.expired)
                ),
            )
        )
        for index, renewed, back, expired in found.all():
            series[int(index)] = Retention(int(renewed), int(back), int(expired) - int(back))
        return series

    async def ledger_total(self, carried: LedgerTotal | None, before: datetime) -> LedgerTotal:
        """Every ledger entry written before `before` added up. From `carried` (the same
        for an earlier instant: entries are never changed or deleted) only the entries
        between the two instants are read; without it, one pass over the index on (kind,
        created_at, amount)."""
        if carried is None:
            total = await self.session.scalar(
                select(func.coalesce(func.sum(_entries.amount), 0)).where(
                    _entries.created_at < before
                )
            )
            return LedgerTotal(before, int(total or 0))
        return LedgerTotal(
            before, carried.total + await self._ledger_between(carried.before, before)
        )

    async def _ledger_between(self, since: datetime, until: datetime) -> int:
        """The entries written in [since, until) added up; when `until` comes first, the
        entries of [until, since) with their sign turned (a short range per kind)."""
        low, high, sign = (since, until, 1) if since <= until else (until, since, -1)
        if low == high:
            return 0
        total = await self.session.scalar(
            select(func.coalesce(func.sum(_entries.amount), 0)).where(
                _entries.kind.in_(_LEDGER_KINDS),
                _entries.created_at >= low,
                _entries.created_at < high,
            )
        )
        return sign * int(total or 0)

    async def payout_flow(
        self, start: datetime, until: datetime, settled: LedgerTotal
    ) -> PayoutFlow:
        """Payouts made in [start, until), and every ledger entry before `until` added
        up (the balances owed then): `settled` (the ledger up to an instant, see
        `ledger_total`) and the entries between that instant and `until`. Each sum is a
        short range of the index on (kind, created_at, amount)."""
        paid = await self.session.scalar(
            select(func.coalesce(func.sum(-_entries.amount), 0)).where(
                _entries.kind == LedgerKind.PAYOUT,
                _entries.created_at >= start,
                _entries.created_at < until,
            )
        )
        available = settled.total + await self._ledger_between(settled.before, until)
        return PayoutFlow(paid=int(paid or 0), available=available)

    async def leaders(
        self, at: datetime, start: datetime, until: datetime
    ) -> list[LeaderPerformance]:
        """Every leader with subs at `at` or leader earnings in [start, until): their subs
        then, how many of those held an active VIP membership then, and the leader
        shares of the commissions made in the period; most earnings first."""
        links = models.LeaderLink.__table__
        # The members holding VIP at `at`, found once (one pass over the index of
        # memberships by member, plan and dates) and then looked up for each link, rather
        # than a search of the memberships for each of 100,000 links. A missing end is
        # read as a later one (`coalesce`), which also keeps the planner from the index on
        # the expiry alone.
        later = literal(at + timedelta(days=1), UTCDateTime())
        vip_then = _links.member_id.in_(
            select(_memberships.member_id).where(
                _memberships.plan_id.in_(_plans_of(VIP_TIER_CODE)),
                _memberships.activated_at <= at,
                func.coalesce(_memberships.ended_at, later) > at,
                func.coalesce(_memberships.expires_at, later) > at,
            )
        )
        teams = (
            select(
                _links.leader_member_id.label("leader_id"),
                func.count().label("subs"),
                func.count(case((vip_then, 1))).label("vip_subs"),
                literal_column("0").label("earnings"),
            )
            .select_from(links)
            .where(_links.valid_from <= at, or_(_links.valid_to.is_(None), _links.valid_to > at))
            .group_by(_links.leader_member_id)
        )
        earned = (
            select(
                _commissions.leader_member_id.label("leader_id"),
                literal_column("0").label("subs"),
                literal_column("0").label("vip_subs"),
                func.coalesce(func.sum(_commissions.leader_share), 0).label("earnings"),
            )
            .where(
                _commissions.leader_member_id.is_not(None),
                _commissions.created_at >= start,
                _commissions.created_at < until,
            )
            .group_by(_commissions.leader_member_id)
        )
        # Both sets in one statement (one join for the names): a leader with subs and no
        # earnings, or earnings and no subs left, is one row either way.
        both = union_all(teams, earned).subquery()
        per_leader = select(
            both.c.leader_id,
            func.sum(both.c.subs),
            func.sum(both.c.vip_subs),
            func.sum(both.c.earnings),
        ).group_by(both.c.leader_id)
        leaders = [
            LeaderPerformance(
                member_id, telegram_id, name, username, int(subs), int(vip_subs), int(total)
            )
            for member_id, (telegram_id, name, username), subs, vip_subs, total in (
                await self._with_names(per_leader)
            )
        ]
        leaders.sort(key=lambda f: (-f.earnings, -f.subs, f.name, f.member_id))
        return leaders

    async def _with_names(self, grouped: Select[Any]) -> list[tuple[Any, ...]]:
        """Rows of `grouped` (a leader id, then figures) as (id, (telegram id, name,
        username), *figures), the names read by a join."""
        rows = grouped.subquery()
        found = await self.session.execute(
            select(
                _members.id,
                _members.telegram_id,
                _members.first_name,
                _members.last_name,
                _members.username,
                *list(rows.c)[1:],
            ).join(rows, rows.c.leader_id == _members.id)
        )
        return [
            (member_id, (telegram_id, full_name(first, last), username), *figures)
            for member_id, telegram_id, first, last, username, *figures in found.all()
        ]

    async def account_use(self) -> AccountUse:
        """The affiliate account pool now, counted in one pass."""
        retired = _accounts.shop_status == ShopStatus.INACTIVE
        found = await self.session.execute(
            select(
                func.count(),
                func.count(case((retired, 1))),
                func.count(case((and_(_accounts.holder_member_id.is_not(None), ~retired), 1))),
                func.count(case((_accounts.shop_status == ShopStatus.SUSPENDED, 1))),
            ).select_from(models.AffiliateAccount.__table__)
        )
        total, retired_count, held, suspended = (int(n) for n in found.one())
        return AccountUse(total=total, retired=retired_count, held=held, suspended=suspended)

    async def revenue_by(self, bounds: Sequence[datetime]) -> list[Tally]:
        """Approved payments (by when they were approved) between consecutive `bounds`:
        how many and their amounts added up, one per bucket."""
        return await self._series(
            _bucketed(
                _payments.decided_at,
                bounds,
                _payments.amount,
                _payments.status == PaymentStatus.APPROVED,
            ),
            len(bounds) - 1,
        )

    async def joined_by(self, bounds: Sequence[datetime]) -> list[Tally]:
        """Members who first wrote to the bot between consecutive `bounds`, one count per
        bucket (the total repeats the count)."""
        return await self._series(
            _bucketed(_members.created_at, bounds, literal_column("1")), len(bounds) - 1
        )

    async def _series(self, query: Select[Any], buckets: int) -> list[Tally]:
        series = [Tally(0, 0) for _ in range(max(buckets, 0))]
        if buckets < 1:
            return series
        for index, count, total in (await self.session.execute(query)).all():
            series[int(index)] = Tally(int(count), int(total))
        return series

    async def proof_decisions(self, start: datetime, until: datetime) -> ProofDecisions:
        """Payment proofs accepted or rejected in [start, until) (withdrawn and undecided
        proofs are not decisions) and the median of their waits from arrival to decision.

        Without sorting every wait: the decisions are counted by the minute of their wait
        (one pass over the index on reviewed_at, status, created_at), which tells the one
        or two minutes the middle decisions fall in; only the decisions of those minutes
        are read back, each wait taken exactly from its two instants."""
        decided = (
            _proofs.status.in_((ProofStatus.ACCEPTED, ProofStatus.REJECTED)),
            _proofs.reviewed_at >= start,
            _proofs.reviewed_at < until,
        )
        minute = cast(_DaysBetween(_proofs.created_at, _proofs.reviewed_at) * 1440, Integer)
        found = await self.session.execute(
            select(
                minute,
                func.count(case((_proofs.status == ProofStatus.ACCEPTED, 1))),
                func.count(case((_proofs.status == ProofStatus.REJECTED, 1))),
            )
            .where(*decided)
            .group_by(minute)
        )
        by_minute = sorted((int(m), int(a), int(r)) for m, a, r in found.all())
        accepted = sum(a for _, a, _ in by_minute)
        rejected = sum(r for _, _, r in by_minute)
        decisions = accepted + rejected
        if not decisions:
            return ProofDecisions(0, 0, None)
        # The middle decision(s) by rank (0-based), and the minutes holding them.
        middle = sorted({(decisions - 1) // 2, decisions // 2})
        minutes, below, seen = [], None, 0
        for wait_minute, a, r in by_minute:
            if seen + a + r > middle[0] and seen <= middle[-1]:
                minutes.append(wait_minute)
                below = seen if below is None else below
            seen += a + r
        rows = await self.session.execute(
            select(_proofs.created_at, _proofs.reviewed_at).where(*decided, minute.in_(minutes))
        )
        waits = sorted(reviewed - created for created, reviewed in rows.all())
        return ProofDecisions(
            accepted, rejected, median(waits[rank - (below or 0)] for rank in middle)
        )
