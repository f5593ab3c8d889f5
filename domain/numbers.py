"""The owner's numbers (SPEC "Numbers the owner tracks"): the periods they are counted
over, the ratios against their targets and the small sums behind each.

Pure: time is passed in (``now``), days are the community's days in the configured zone
(Asia/Jakarta) and every instant handed to storage is aware UTC. A ratio whose whole is 0
has no value (``None``, "no data") rather than a division error or a made-up 0%.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from enum import StrEnum

from domain.tiers import TOP_TIER_CODE

__all__ = [
    "BASIC_TIER_CODE",
    "CONVERSION_TARGET",
    "LEDGER_SETTLED",
    "NAMED_PERIODS",
    "PAYOUT_TARGET",
    "RENEWAL_GRACE",
    "RETENTION_TARGET",
    "VIP_TIER_CODE",
    "AccountUse",
    "Bucket",
    "Conversion",
    "LeaderPerformance",
    "LedgerTotal",
    "PayoutFlow",
    "Period",
    "PeriodKind",
    "ProofDecisions",
    "Ratio",
    "Retention",
    "Tally",
    "TimeToVip",
    "bounds",
    "custom_period",
    "last_days",
    "last_month",
    "median",
    "month_buckets",
    "period_of",
    "this_month",
    "week_buckets",
]

BASIC_TIER_CODE = "basic"
VIP_TIER_CODE = TOP_TIER_CODE

# The seed's targets (SPEC "Numbers the owner tracks").
CONVERSION_TARGET = 0.30
RETENTION_TARGET = 0.80
PAYOUT_TARGET = 0.90

# A VIP whose temporal plan expired and who buys VIP again within this long after its
# end came back: their term counts as renewed (see `Retention`).
RENEWAL_GRACE = timedelta(days=7)

# Ledger entries are written with the time they are written at and never changed, so
# the entries older than this are settled: their sum is kept between reports and only
# what came after it is read again (no transaction writing an entry lasts a day).
LEDGER_SETTLED = timedelta(days=1)

_DAY = timedelta(days=1)


@dataclass(frozen=True, slots=True)
class Ratio:
    """``part`` of ``whole``; ``share`` is None when ``whole`` is 0 (no data yet).

    Example: 3 of 10 Basic members became VIP → share 0.3, which meets the 30% target.
    """

    part: int
    whole: int

    def __post_init__(self) -> None:
        if self.part < 0 or self.whole < 0:
            raise ValueError("a ratio counts things: part and whole must be >= 0")

    @property
    def share(self) -> float | None:
        return None if self.whole == 0 else self.part / self.whole

    def meets(self, target: float) -> bool | None:
        """Whether the share reaches ``target`` (None: nothing to judge)."""
        share = self.share
        return None if share is None else share >= target


class PeriodKind(StrEnum):
    THIS_MONTH = "this_month"
    LAST_MONTH = "last_month"
    LAST_90_DAYS = "last_90_days"
    CUSTOM = "custom"


# The periods offered by name (the screen's buttons); CUSTOM is typed as two days.
NAMED_PERIODS = (PeriodKind.THIS_MONTH, PeriodKind.LAST_MONTH, PeriodKind.LAST_90_DAYS)


@dataclass(frozen=True, slots=True)
class Period:
    """The half-open span [start, end) of whole days ``first_day`` … ``last_day`` in the
    zone, as aware UTC instants (what the database compares with)."""

    kind: PeriodKind
    first_day: date
    last_day: date
    start: datetime
    end: datetime

    def until(self, now: datetime) -> datetime:
        """Where the period stops counting at ``now``: its end, or now while it runs."""
        return min(self.end, max(self.start, now))

    def contains(self, instant: datetime) -> bool:
        return self.start <= instant < self.end


def _midnight(day: date, zone: tzinfo) -> datetime:
    """The instant ``day`` starts in ``zone``, in UTC."""
    return datetime.combine(day, time(), tzinfo=zone).astimezone(UTC)


def _today(now: datetime, zone: tzinfo) -> date:
    if now.tzinfo is None or now.utcoffset() is None:
        raise ValueError("now must be a timezone-aware datetime")
    return now.astimezone(zone).date()


def _days(kind: PeriodKind, first: date, last: date, zone: tzinfo) -> Period:
    return Period(kind, first, last, _midnight(first, zone), _midnight(last + _DAY, zone))


def _month_start(day: date, months_back: int = 0) -> date:
    index = day.year * 12 + day.month - 1 - months_back
    return date(index // 12, index % 12 + 1, 1)


def this_month(now: datetime, zone: tzinfo) -> Period:
    """The calendar month ``now`` falls in, in ``zone`` (whole, its end may be ahead).

    Example: 2026-01-31 23:30 WIB (16:30 UTC) is in January: 2025-12-31 17:00 UTC up to
    2026-01-31 17:00 UTC."""
    first = _month_start(_today(now, zone))
    return _days(PeriodKind.THIS_MONTH, first, _month_start(first, -1) - _DAY, zone)


def last_month(now: datetime, zone: tzinfo) -> Period:
    """The calendar month before the one ``now`` falls in, in ``zone``."""
    first = _month_start(_today(now, zone), 1)
    return _days(PeriodKind.LAST_MONTH, first, _month_start(first, -1) - _DAY, zone)


def last_days(now: datetime, zone: tzinfo, days: int = 90) -> Period:
    """The ``days`` whole days up to and including today in ``zone``."""
    if days < 1:
        raise ValueError("days must be >= 1")
    today = _today(now, zone)
    return _days(PeriodKind.LAST_90_DAYS, today - timedelta(days=days - 1), today, zone)


def custom_period(first_day: date, last_day: date, zone: tzinfo) -> Period:
    """The days ``first_day`` … ``last_day`` (both included) in ``zone``."""
    if last_day < first_day:
        raise ValueError("a period's last day cannot come before its first")
    return _days(PeriodKind.CUSTOM, first_day, last_day, zone)


def period_of(kind: PeriodKind, now: datetime, zone: tzinfo) -> Period:
    """The named period as of ``now`` (CUSTOM has no default: use `custom_period`)."""
    if kind is PeriodKind.THIS_MONTH:
        return this_month(now, zone)
    if kind is PeriodKind.LAST_MONTH:
        return last_month(now, zone)
    if kind is PeriodKind.LAST_90_DAYS:
        return last_days(now, zone, 90)
    raise ValueError("a custom period needs its days: use custom_period")


@dataclass(frozen=True, slots=True)
class Bucket:
    """One bar of a series: the days from ``first_day`` on, [start, end) in UTC."""

    first_day: date
    start: datetime
    end: datetime


def bounds(buckets: Sequence[Bucket]) -> list[datetime]:
    """The instants that cut ``buckets`` (contiguous, oldest first): starts, then the end."""
    return [b.start for b in buckets] + ([buckets[-1].end] if buckets else [])


def month_buckets(last_day: date, count: int, zone: tzinfo) -> tuple[Bucket, ...]:
    """``count`` calendar months in ``zone``, oldest first, the last one holding
    ``last_day``."""
    if count < 1:
        raise ValueError("count must be >= 1")
    firsts = [_month_start(last_day, back) for back in range(count - 1, -1, -1)]
    following = [*firsts[1:], _month_start(last_day, -1)]
    return tuple(
        Bucket(first, _midnight(first, zone), _midnight(after, zone))
        for first, after in zip(firsts, following, strict=True)
    )


def week_buckets(last_day: date, count: int, zone: tzinfo) -> tuple[Bucket, ...]:
    """``count`` weeks (Monday to Sunday) in ``zone``, oldest first, the last one holding
    ``last_day``."""
    if count < 1:
        raise ValueError("count must be >= 1")
    monday = last_day - timedelta(days=last_day.weekday())
    firsts = [monday - timedelta(weeks=back) for back in range(count - 1, -1, -1)]
    return tuple(
        Bucket(first, _midnight(first, zone), _midnight(first + timedelta(weeks=1), zone))
        for first in firsts
    )


def median(spans: Iterable[timedelta]) -> timedelta | None:
    """The middle of ``spans`` (the mean of the two middle ones for an even count;
    None when there are none)."""
    ordered = sorted(spans)
    if not ordered:
        return None
    half = len(ordered) // 2
    return ordered[half] if len(ordered) % 2 else (ordered[half - 1] + ordered[half]) / 2


@dataclass(frozen=True, slots=True)
class Conversion:
    """Basic → VIP in a period. ``basic``: members who held a Basic membership at some
    time in the period and had not been VIP before it (those who could convert);
    ``converted``: those of them whose first VIP activation is in the period;
    ``new_vips``: every first VIP activation in the period, straight to VIP without Basic
    too. Example: 10 Basic, 3 of them VIP by the period's end → 30% (target 30%)."""

    basic: int
    converted: int
    new_vips: int

    @property
    def ratio(self) -> Ratio:
        return Ratio(self.converted, self.basic)


@dataclass(frozen=True, slots=True)
class TimeToVip:
    """Days from a member's first Basic activation to their first VIP activation, over
    the ``members`` whose first VIP activation is in the period and who held Basic
    before it; ``total_days`` is their days added up.

    Example: 35 days, 10.5 days and 10 days → 18.5 on average."""

    members: int
    total_days: float

    @property
    def average_days(self) -> float | None:
        return self.total_days / self.members if self.members else None


@dataclass(frozen=True, slots=True)
class Retention:
    """VIP retention over the temporal VIP terms that reached their end in a period.

    A term's end is an expiry a temporal VIP membership held (``old_expires_at`` of its
    history rows). It was ``renewed`` when a renewal (paid or granted) extended the
    membership from that expiry; it ``came_back`` when the membership expired there but
    the member started another VIP membership within `RENEWAL_GRACE` after it; otherwise
    it ``expired``. Terms cut short by an upgrade or a revocation never reached their end
    and are not counted. Example: 8 renewed, 1 came back, 1 expired → 90% (target 80%).
    """

    renewed: int
    came_back: int
    expired: int

    @property
    def ratio(self) -> Ratio:
        kept = self.renewed + self.came_back
        return Ratio(kept, kept + self.expired)


@dataclass(frozen=True, slots=True)
class PayoutFlow:
    """Member and leader shares owed over a period and how much of it was paid.

    ``paid`` is the payouts made in the period; ``available`` is every ledger entry up
    to its end added up (earnings and corrections minus payouts: the balances still
    owed). paid + available is what was owed during the period (carried in plus earned).
    Example: 900.000 paid, 100.000 left → 90% (target 90%)."""

    paid: int
    available: int

    @property
    def ratio(self) -> Ratio:
        return Ratio(max(self.paid, 0), max(self.paid, 0) + max(self.available, 0))


@dataclass(frozen=True, slots=True)
class LedgerTotal:
    """Every ledger entry written before ``before`` added up (a running total the
    numbers carry forward instead of adding up the whole ledger each time)."""

    before: datetime
    total: int


@dataclass(frozen=True, slots=True)
class AccountUse:
    """The affiliate account pool now: ``retired`` accounts are the inactive ones;
    ``held`` counts held accounts that are not retired; ``suspended`` those suspended."""

    total: int
    retired: int
    held: int
    suspended: int

    @property
    def utilization(self) -> Ratio:
        """Accounts held ÷ accounts not retired."""
        return Ratio(self.held, self.total - self.retired)


@dataclass(frozen=True, slots=True)
class ProofDecisions:
    """Payment proofs accepted or rejected in a period and how long a decision took
    (from the proof's arrival to the admin's tap; the median, so one proof left over a
    weekend does not hide the usual wait)."""

    accepted: int
    rejected: int
    median_wait: timedelta | None

    @property
    def rejection(self) -> Ratio:
        return Ratio(self.rejected, self.accepted + self.rejected)


@dataclass(frozen=True, slots=True)
class LeaderPerformance:
    """A leader's team as of the end of a period (subs, those of them VIP then) and the
    leader shares of their subs' commissions made in the period."""

    member_id: int
    telegram_id: int
    name: str
    username: str | None
    subs: int
    vip_subs: int
    earnings: int

    @property
    def vip_rate(self) -> Ratio:
        return Ratio(self.vip_subs, self.subs)


@dataclass(frozen=True, slots=True)
class Tally:
    """How many of something and their amounts added up (rupiah, or the count again)."""

    count: int
    total: int
