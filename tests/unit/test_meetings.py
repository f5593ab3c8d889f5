"""The meeting rules: occurrences of a series, the check-in window, reminder offsets and
what admins may type for a start, a duration and a link."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from domain.meetings import (
    MAX_OCCURRENCE,
    Repeat,
    TimeProblem,
    clean_link,
    due_offsets,
    ended_between,
    next_occurrence,
    occurrence,
    occurrence_start,
    parse_duration,
    parse_offsets,
    parse_start,
)

WIB = ZoneInfo("Asia/Jakarta")
# Thursday 3 December 2026, 10.00 WIB.
NOW = datetime(2026, 12, 3, 3, 0, tzinfo=UTC)


def wib(*args: int) -> datetime:
    return datetime(*args, tzinfo=WIB).astimezone(UTC)  # type: ignore[misc]


def test_a_weekly_series_meets_at_the_same_local_time_every_seven_days() -> None:
    first = wib(2026, 12, 10, 19, 0)
    assert occurrence_start(first, Repeat.WEEKLY, 3, WIB) == wib(2026, 12, 31, 19, 0)


def test_a_monthly_series_begun_on_the_31st_meets_on_the_last_day_of_shorter_months() -> None:
    first = wib(2027, 1, 31, 19, 0)
    starts = [occurrence_start(first, Repeat.MONTHLY, n, WIB) for n in range(4)]
    assert starts == [
        wib(2027, 1, 31, 19, 0),
        wib(2027, 2, 28, 19, 0),
        wib(2027, 3, 31, 19, 0),
        wib(2027, 4, 30, 19, 0),
    ]


def test_a_one_off_meeting_has_only_its_first_occurrence() -> None:
    first = wib(2026, 12, 10, 19, 0)
    assert occurrence(first, Repeat.ONCE, 60, 1, WIB) is None
    assert occurrence(first, Repeat.WEEKLY, 60, -1, WIB) is None


def test_the_next_occurrence_is_the_one_going_on_until_it_ends() -> None:
    first = wib(2026, 12, 10, 19, 0)
    during = wib(2026, 12, 17, 19, 30)
    assert next_occurrence(first, Repeat.WEEKLY, 60, during, WIB).index == 1  # type: ignore[union-attr]
    after = wib(2026, 12, 17, 20, 1)
    assert next_occurrence(first, Repeat.WEEKLY, 60, after, WIB).index == 2  # type: ignore[union-attr]
    assert next_occurrence(first, Repeat.ONCE, 60, after, WIB) is None


def test_i_am_here_counts_from_ten_minutes_before_the_start_to_the_end() -> None:
    meeting = occurrence(wib(2026, 12, 10, 19, 0), Repeat.ONCE, 60, 0, WIB)
    assert meeting is not None
    assert not meeting.window_open(wib(2026, 12, 10, 18, 49))
    assert meeting.window_open(wib(2026, 12, 10, 18, 50))
    assert meeting.window_open(wib(2026, 12, 10, 20, 0))
    assert not meeting.window_open(wib(2026, 12, 10, 20, 1))


def test_ended_occurrences_of_a_cancelled_series_stop_at_its_cancellation() -> None:
    first = wib(2026, 12, 1, 19, 0)
    ended = ended_between(
        first,
        Repeat.WEEKLY,
        60,
        wib(2026, 12, 1, 0, 0),
        wib(2027, 1, 1, 0, 0),
        WIB,
        until=wib(2026, 12, 16, 0, 0),
    )
    assert [o.index for o in ended] == [0, 1, 2]


def test_reminder_offsets_read_hours_minutes_and_days_largest_first() -> None:
    assert parse_offsets("1h, 24h,30m") == (
        timedelta(hours=24),
        timedelta(hours=1),
        timedelta(minutes=30),
    )
    assert parse_offsets("2d") == (timedelta(days=2),)
    for wrong in ("", "soon", "0m", "30d", "1h,,x"):
        with pytest.raises(ValueError):
            parse_offsets(wrong)


def test_no_reminder_is_due_once_the_occurrence_started() -> None:
    start = wib(2026, 12, 10, 19, 0)
    offsets = (timedelta(hours=24), timedelta(hours=1))
    assert due_offsets(start, offsets, start - timedelta(hours=25)) == ()
    assert due_offsets(start, offsets, start - timedelta(hours=2)) == (timedelta(hours=24),)
    assert due_offsets(start, offsets, start - timedelta(minutes=5)) == offsets
    assert due_offsets(start, offsets, start) == ()


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("10/12 19.00", wib(2026, 12, 10, 19, 0)),
        ("10-12-2026 19:00", wib(2026, 12, 10, 19, 0)),
        ("10/3/27 7.30", wib(2027, 3, 10, 7, 30)),
        ("besok 19.00", wib(2026, 12, 4, 19, 0)),
        ("Besok jam 8:15", wib(2026, 12, 4, 8, 15)),
        ("hari ini 20.00", wib(2026, 12, 3, 20, 0)),
        ("2/1 09.00", wib(2027, 1, 2, 9, 0)),  # no year: the next 2 January
    ],
)
def test_a_start_is_read_in_the_local_zone(typed: str, expected: datetime) -> None:
    assert parse_start(typed, NOW, WIB) == expected


@pytest.mark.parametrize(
    ("typed", "problem"),
    [
        ("kapan-kapan", TimeProblem.UNREADABLE),
        ("31/02 19.00", TimeProblem.UNREADABLE),
        ("10/12 25.00", TimeProblem.UNREADABLE),
        ("3-12-2026 09.00", TimeProblem.PAST),
        ("hari ini 08.00", TimeProblem.PAST),
        ("10/12/2030 19.00", TimeProblem.TOO_FAR),
    ],
)
def test_a_wrong_or_past_start_is_refused_with_its_reason(typed: str, problem: TimeProblem) -> None:
    assert parse_start(typed, NOW, WIB) is problem


def test_durations_are_read_in_minutes_or_hours_within_bounds() -> None:
    assert parse_duration("45") == 45
    assert parse_duration("90 menit") == 90
    assert parse_duration("1,5 jam") == 90
    assert parse_duration("2h") == 120
    for wrong in ("0", "4", "11 jam", "lama", "1.5"):
        assert parse_duration(wrong) is None


def test_only_http_and_https_links_with_a_host_are_join_links() -> None:
    assert (
        clean_link(" https://us02web.zoom.us/j/123?pwd=x ") == "https://us02web.zoom.us/j/123?pwd=x"
    )
    assert clean_link("http://meet.example.org/room") == "http://meet.example.org/room"
    for wrong in (
        "zoom.us/j/1",
        "javascript:alert(1)",
        "tg://join",
        "https://",
        "https://zoom us",
        "ftp://zoom.us/j/1",
        "https://nohost",
    ):
        assert clean_link(wrong) is None


def test_a_long_monthly_series_still_finds_its_next_occurrence() -> None:
    first = datetime(2026, 1, 31, 12, 0, tzinfo=UTC)
    later = datetime(2036, 2, 1, 0, 0, tzinfo=UTC)
    found = next_occurrence(first, Repeat.MONTHLY, 60, later, WIB)
    assert found is not None and found.index == 121
    assert found.starts_at == datetime(2036, 2, 29, 12, 0, tzinfo=UTC)


def test_a_forged_far_occurrence_is_none_rather_than_past_the_calendar() -> None:
    first = datetime(2026, 1, 31, 12, 0, tzinfo=UTC)
    assert occurrence(first, Repeat.MONTHLY, 60, 100_000, WIB) is None
    assert occurrence(first, Repeat.WEEKLY, 60, MAX_OCCURRENCE + 1, WIB) is None
    last = occurrence(first, Repeat.MONTHLY, 60, MAX_OCCURRENCE, WIB)
    assert last is not None and last.starts_at.year == 2109


def test_29_february_typed_in_a_year_before_a_leap_year_is_the_coming_one() -> None:
    now = datetime(2027, 3, 1, 3, 0, tzinfo=UTC)
    found = parse_start("29/2 19.00", now, WIB)
    assert found == datetime(2028, 2, 29, 19, 0, tzinfo=WIB).astimezone(UTC)
    too_far = parse_start("29/2 19.00", datetime(2027, 1, 10, 3, 0, tzinfo=UTC), WIB)
    assert too_far is TimeProblem.TOO_FAR
    assert parse_start("31/4 19.00", now, WIB) is TimeProblem.UNREADABLE
