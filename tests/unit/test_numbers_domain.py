"""The owner's numbers: periods in Jakarta days, ratios without data, the series' bars."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from domain.numbers import (
    AccountUse,
    Conversion,
    PayoutFlow,
    PeriodKind,
    ProofDecisions,
    Ratio,
    Retention,
    TimeToVip,
    bounds,
    custom_period,
    last_days,
    last_month,
    median,
    month_buckets,
    period_of,
    this_month,
    week_buckets,
)

ZONE = ZoneInfo("Asia/Jakarta")


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)  # type: ignore[misc]


def test_a_ratio_of_nothing_has_no_value_and_meets_no_target() -> None:
    assert Ratio(0, 0).share is None
    assert Ratio(0, 0).meets(0.30) is None


def test_a_ratio_is_its_part_of_the_whole_and_meets_a_target_it_reaches() -> None:
    assert Ratio(3, 10).share == pytest.approx(0.3)
    assert Ratio(3, 10).meets(0.30) is True
    assert Ratio(2, 10).meets(0.30) is False


def test_a_ratio_refuses_negative_counts() -> None:
    with pytest.raises(ValueError):
        Ratio(-1, 3)


def test_this_month_at_23_30_on_the_last_day_in_jakarta_is_that_month() -> None:
    # 31 Jan 23:30 WIB is 16:30 UTC: still January in Jakarta.
    period = this_month(utc(2026, 1, 31, 16, 30), ZONE)
    assert (period.first_day, period.last_day) == (date(2026, 1, 1), date(2026, 1, 31))
    assert (period.start, period.end) == (utc(2025, 12, 31, 17), utc(2026, 1, 31, 17))
    assert period.contains(utc(2026, 1, 31, 16, 30))
    # 17:30 UTC the same day is 1 February 00:30 in Jakarta.
    assert this_month(utc(2026, 1, 31, 17, 30), ZONE).first_day == date(2026, 2, 1)


def test_last_month_in_january_is_december_of_the_year_before() -> None:
    period = last_month(utc(2026, 1, 10, 3), ZONE)
    assert (period.first_day, period.last_day) == (date(2025, 12, 1), date(2025, 12, 31))
    assert period.kind is PeriodKind.LAST_MONTH


def test_the_last_90_days_are_ninety_whole_days_ending_today() -> None:
    period = last_days(utc(2026, 3, 10, 5), ZONE)
    assert (period.first_day, period.last_day) == (date(2025, 12, 11), date(2026, 3, 10))
    assert period.end - period.start == timedelta(days=90)
    assert period_of(PeriodKind.LAST_90_DAYS, utc(2026, 3, 10, 5), ZONE) == period


def test_a_running_period_counts_up_to_now_and_a_past_one_to_its_end() -> None:
    now = utc(2026, 3, 10, 5)
    assert this_month(now, ZONE).until(now) == now
    assert last_month(now, ZONE).until(now) == utc(2026, 2, 28, 17)


def test_a_custom_period_holds_both_its_days_and_refuses_them_reversed() -> None:
    period = custom_period(date(2026, 2, 10), date(2026, 2, 11), ZONE)
    assert (period.start, period.end) == (utc(2026, 2, 9, 17), utc(2026, 2, 11, 17))
    with pytest.raises(ValueError):
        custom_period(date(2026, 2, 11), date(2026, 2, 10), ZONE)
    with pytest.raises(ValueError):
        period_of(PeriodKind.CUSTOM, utc(2026, 3, 10), ZONE)


def test_month_bars_run_back_over_the_new_year_in_jakarta_months() -> None:
    bars = month_buckets(date(2026, 2, 14), 3, ZONE)
    assert [b.first_day for b in bars] == [date(2025, 12, 1), date(2026, 1, 1), date(2026, 2, 1)]
    assert bounds(bars) == [
        utc(2025, 11, 30, 17),
        utc(2025, 12, 31, 17),
        utc(2026, 1, 31, 17),
        utc(2026, 2, 28, 17),
    ]


def test_week_bars_start_on_monday_and_end_with_the_week_of_the_last_day() -> None:
    bars = week_buckets(date(2026, 3, 1), 2, ZONE)  # a Sunday
    assert [b.first_day for b in bars] == [date(2026, 2, 16), date(2026, 2, 23)]
    assert bars[-1].end == utc(2026, 3, 1, 17)


def test_time_to_vip_of_nobody_is_none_and_otherwise_the_mean_in_days() -> None:
    assert TimeToVip(members=0, total_days=0.0).average_days is None
    assert TimeToVip(members=3, total_days=35 + 10.5 + 10).average_days == 18.5


def test_conversion_is_the_converted_of_the_basic_members_who_could_convert() -> None:
    assert Conversion(basic=10, converted=3, new_vips=5).ratio == Ratio(3, 10)
    assert Conversion(basic=0, converted=0, new_vips=2).ratio.share is None


def test_median_takes_the_middle_or_the_mean_of_the_two_middle_ones() -> None:
    minutes = [timedelta(minutes=m) for m in (120, 10, 50, 30)]
    assert median(minutes) == timedelta(minutes=40)
    assert median(minutes[:3]) == timedelta(minutes=50)
    assert median([]) is None


def test_retention_keeps_renewals_and_returns_against_expiries() -> None:
    assert Retention(renewed=8, came_back=1, expired=1).ratio == Ratio(9, 10)
    assert Retention(0, 0, 0).ratio.share is None


def test_payout_rate_is_paid_of_paid_plus_still_available() -> None:
    assert PayoutFlow(paid=900_000, available=100_000).ratio == Ratio(900_000, 1_000_000)
    assert PayoutFlow(paid=900_000, available=100_000).ratio.meets(0.90)
    assert PayoutFlow(0, 0).ratio.share is None


def test_utilization_leaves_retired_accounts_out() -> None:
    assert AccountUse(total=6, retired=2, held=3, suspended=1).utilization == Ratio(3, 4)
    assert AccountUse(total=2, retired=2, held=0, suspended=0).utilization.share is None


def test_rejection_rate_counts_only_decisions() -> None:
    decisions = ProofDecisions(accepted=3, rejected=1, median_wait=None)
    assert decisions.rejection == Ratio(1, 4)
