"""`trends`: revenue by month and new members by week up to a period's end, the series
a chart draws (each bar's days and its figures)."""

from __future__ import annotations

from dataclasses import dataclass

from domain.numbers import (
    RENEWAL_GRACE,
    Bucket,
    Period,
    Retention,
    Tally,
    bounds,
    month_buckets,
    week_buckets,
)
from services.numbers._base import NumbersServiceBase


@dataclass(frozen=True, slots=True)
class Point:
    """One bar: its days and what fell in them."""

    bucket: Bucket
    tally: Tally


@dataclass(frozen=True, slots=True)
class Trends:
    """Oldest first; the last month and week hold the period's last day."""

    revenue_by_month: tuple[Point, ...]  # approved payments: count, rupiah
    members_by_week: tuple[Point, ...]  # new members: count (total repeats it)
    retention_by_month: tuple[tuple[Bucket, Retention], ...]  # by the month terms ended


class TrendsReport(NumbersServiceBase):
    async def trends(self, period: Period, months: int = 12, weeks: int = 12) -> Trends:
        """Revenue (approved payments, by approval time) of the `months` calendar months
        and new members of the `weeks` weeks (Monday first) ending with the period's last
        day (today, while the period runs), in the zone; a bar with nothing in it is 0.
        VIP retention of the same months counts the temporal VIP terms that ended in each
        (see `Retention`). Bars count up to now: the part of the last one still ahead
        holds nothing yet."""
        now = self.clock.now()
        # A running period (this month) ends its weeks today, not with empty weeks ahead.
        last_week_day = min(period.last_day, now.astimezone(self.zone).date())
        by_month = month_buckets(period.last_day, months, self.zone)
        by_week = week_buckets(last_week_day, weeks, self.zone)
        month_bounds = [min(b, now) for b in bounds(by_month)]
        week_bounds = [min(b, now) for b in bounds(by_week)]
        async with self.uow() as uow:
            revenue = await uow.numbers.revenue_by(month_bounds)
            joined = await uow.numbers.joined_by(week_bounds)
            retention = await uow.numbers.retention_by(month_bounds, RENEWAL_GRACE)
        return Trends(
            revenue_by_month=tuple(map(Point, by_month, revenue)),
            members_by_week=tuple(map(Point, by_week, joined)),
            retention_by_month=tuple(zip(by_month, retention, strict=True)),
        )
