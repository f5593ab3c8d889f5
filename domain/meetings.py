"""Meetings (SPEC "Community"): when a schedule's occurrences fall, when members may say
"I'm here", when reminders are due, and what admins may type for a time, a link or the
reminder offsets. Pure rules: time is always passed in.

A schedule is one row: its first start, a duration and a repeat (once, weekly,
monthly). Occurrence `n` is the n-th start counted from the first (0 is the first). A
weekly one keeps the local time of day; a monthly one keeps the day number, clamped to
the month's end (a series begun on the 31st meets on 30 April and 28/29 February).
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo
from enum import StrEnum
from urllib.parse import urlsplit


class Repeat(StrEnum):
    ONCE = "once"
    WEEKLY = "weekly"
    MONTHLY = "monthly"


class MeetingAudience(StrEnum):
    VIP = "vip"  # members whose effective tier is VIP now
    MEMBERS = "members"  # everyone holding an active plan now


class Rsvp(StrEnum):
    YES = "yes"
    NO = "no"
    MAYBE = "maybe"


class MeetingStatus(StrEnum):
    SCHEDULED = "scheduled"
    CANCELLED = "cancelled"


# Members may tap "I'm here" from this long before the start until the end.
CHECK_IN_EARLY = timedelta(minutes=10)
# The "🔗 Link" button shows from this long before the start until the end.
LINK_OPENS_BEFORE = timedelta(hours=24)
MIN_DURATION, MAX_DURATION = 5, 600  # minutes
MAX_TITLE, MAX_NOTES, MAX_LINK = 120, 800, 500
# How far ahead a first start may be typed.
MAX_AHEAD = timedelta(days=366)
DEFAULT_REMINDERS = "24h,1h"
# A weekly series reaches occurrence 1,000 after 19 years, a monthly one after 83: a
# larger number is a forged button (and could run past the calendar's year 9999).
MAX_OCCURRENCE = 1_000


@dataclass(frozen=True, slots=True)
class Occurrence:
    index: int
    starts_at: datetime
    ends_at: datetime

    def window_open(self, now: datetime) -> bool:
        """Whether "I'm here" counts now: from 10 minutes before the start to the end."""
        return self.starts_at - CHECK_IN_EARLY <= now <= self.ends_at

    def link_open(self, now: datetime) -> bool:
        """Whether the link is offered now: within 24 hours of the start, until the end."""
        return self.starts_at - LINK_OPENS_BEFORE <= now <= self.ends_at


def _add_months(day: date, months: int, day_number: int) -> date:
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day_number, calendar.monthrange(year, month)[1]))


def occurrence_start(first: datetime, repeat: Repeat, index: int, zone: tzinfo) -> datetime:
    """The start of occurrence `index` (UTC), counted in `zone` so the local time of day
    stays: weekly adds 7 days; monthly keeps the day number, clamped to the month's end
    (first on 31 Jan → 28 Feb, 31 Mar, 30 Apr)."""
    if index == 0 or repeat is Repeat.ONCE:
        return first
    local = first.astimezone(zone)
    if repeat is Repeat.WEEKLY:
        day = local.date() + timedelta(weeks=index)
    else:
        day = _add_months(local.date(), index, local.day)
    moment = datetime.combine(day, local.time().replace(tzinfo=None), tzinfo=zone)
    return moment.astimezone(first.tzinfo)


def occurrence(
    first: datetime, repeat: Repeat, duration_minutes: int, index: int, zone: tzinfo
) -> Occurrence | None:
    """Occurrence `index` of a schedule, or None when it has none such (a one-off meeting
    has only occurrence 0; indexes are never negative nor past MAX_OCCURRENCE)."""
    if index < 0 or index > MAX_OCCURRENCE or (repeat is Repeat.ONCE and index > 0):
        return None
    try:
        start = occurrence_start(first, repeat, index, zone)
    except (ValueError, OverflowError):  # past the calendar's end
        return None
    return Occurrence(index, start, start + timedelta(minutes=duration_minutes))


def occurrences(
    first: datetime, repeat: Repeat, duration_minutes: int, zone: tzinfo
) -> Iterator[Occurrence]:
    """Every occurrence in order (endless for a series: the caller stops)."""
    index = 0
    while True:
        found = occurrence(first, repeat, duration_minutes, index, zone)
        if found is None:
            return
        yield found
        index += 1


def next_occurrence(
    first: datetime, repeat: Repeat, duration_minutes: int, now: datetime, zone: tzinfo
) -> Occurrence | None:
    """The first occurrence that has not ended at `now` (the one going on, or the next);
    None when a one-off meeting is over."""
    if repeat is not Repeat.ONCE and first < now:
        # Skip ahead instead of walking every past week of a long series.
        step = 7 if repeat is Repeat.WEEKLY else 31  # never more steps than have passed
        skip = max(int((now - first) / timedelta(days=step)) - 2, 0)
        index = skip
    else:
        index = 0
    while True:
        found = occurrence(first, repeat, duration_minutes, index, zone)
        if found is None:
            return None
        if found.ends_at > now:
            return found
        index += 1


def ended_between(
    first: datetime,
    repeat: Repeat,
    duration_minutes: int,
    start: datetime,
    end: datetime,
    zone: tzinfo,
    until: datetime | None = None,
) -> list[Occurrence]:
    """The occurrences that ended in [start, end) and began before `until` (a cancelled
    series stops at its cancellation)."""
    found = []
    for each in occurrences(first, repeat, duration_minutes, zone):
        if each.ends_at >= end or (until is not None and each.starts_at >= until):
            break
        if each.ends_at >= start:
            found.append(each)
    return found


# ------------------------------------------------------------------ reminders


def parse_offsets(text: str) -> tuple[timedelta, ...]:
    """MEETING_REMINDERS: offsets before the start such as `24h,1h`, `90m`, `2d`, largest
    first. Raises ValueError on anything else (or on none at all)."""
    found = set()
    for piece in text.split(","):
        piece = piece.strip().lower()
        if not piece:
            continue
        match = re.fullmatch(r"(\d{1,4})\s*(m|min|h|d)", piece)
        if match is None:
            raise ValueError(f"not an offset like 24h or 30m: {piece!r}")
        amount = int(match[1])
        unit = {"m": "minutes", "min": "minutes", "h": "hours", "d": "days"}[match[2]]
        offset = timedelta(**{unit: amount})
        if not timedelta(minutes=1) <= offset <= timedelta(days=14):
            raise ValueError(f"offsets go from 1m to 14d: {piece!r}")
        found.add(offset)
    if not found:
        raise ValueError("expected at least one offset, like 24h,1h")
    return tuple(sorted(found, reverse=True))


def due_offsets(
    starts_at: datetime, offsets: tuple[timedelta, ...], now: datetime
) -> tuple[timedelta, ...]:
    """The offsets whose reminder moment has come for an occurrence that has not started
    (none once it started: a reminder is never sent late)."""
    if now >= starts_at:
        return ()
    return tuple(offset for offset in offsets if starts_at - offset <= now)


# ------------------------------------------------------------------ what admins type


class TimeProblem(StrEnum):
    UNREADABLE = "unreadable"
    PAST = "past"
    TOO_FAR = "too_far"


_WORDS = {"besok": 1, "tomorrow": 1, "lusa": 2, "hari ini": 0, "today": 0}
_TIME = r"(?:jam\s+|at\s+|pukul\s+)?([01]?\d|2[0-3])[.:]([0-5]\d)"


def _next_date(today: date, month: int, day_number: int) -> date | None:
    """The first date with this day and month from `today` on (29 February within four
    years); None when there is none (31 April)."""
    for year in range(today.year, today.year + 5):
        try:
            found = date(year, month, day_number)
        except ValueError:
            continue
        if found >= today:
            return found
    return None


def parse_start(text: str, now: datetime, zone: tzinfo) -> datetime | TimeProblem:
    """A start typed in `zone`: `10/12 19.00`, `10-12-2026 19:00`, `10/12/26 7.30`,
    `besok 19.00`, `lusa 8:00`, `hari ini 20.00` (day before month; a date without a year
    is the next such date). Returns the moment in UTC, or why it was refused: unreadable,
    in the past, or more than a year ahead."""
    cleaned = " ".join(text.strip().lower().split())
    today = now.astimezone(zone).date()
    day: date | None = None
    clock: time | None = None
    for word, days in _WORDS.items():
        match = re.fullmatch(rf"{word}\s*,?\s*{_TIME}", cleaned)
        if match:
            day = today + timedelta(days=days)
            clock = time(int(match[1]), int(match[2]))
            break
    if day is None:
        match = re.fullmatch(
            rf"(\d{{1,2}})[/.-](\d{{1,2}})(?:[/.-](\d{{2}}|\d{{4}}))?\s*,?\s*{_TIME}", cleaned
        )
        if match is None:
            return TimeProblem.UNREADABLE
        day_number, month = int(match[1]), int(match[2])
        if match[3]:
            year = int(match[3]) + (2000 if len(match[3]) == 2 else 0)
            try:
                day = date(year, month, day_number)
            except ValueError:
                return TimeProblem.UNREADABLE
        else:
            # The next such date: `29/2` typed in a year before a leap year is the coming
            # 29 February (further than a year ahead is refused below).
            day = _next_date(today, month, day_number)
            if day is None:
                return TimeProblem.UNREADABLE
        clock = time(int(match[4]), int(match[5]))
    assert clock is not None
    moment = datetime.combine(day, clock, tzinfo=zone).astimezone(now.tzinfo)
    if moment <= now:
        return TimeProblem.PAST
    if moment - now > MAX_AHEAD:
        return TimeProblem.TOO_FAR
    return moment


def parse_duration(text: str) -> int | None:
    """Minutes typed as `45`, `45m`, `1h`, `1,5 jam`, `90 menit`; None when unreadable or
    outside 5 minutes to 10 hours."""
    cleaned = text.strip().lower().replace(",", ".")
    match = re.fullmatch(
        r"(\d{1,3}(?:\.\d{1,2})?)\s*(m|min|menit|minutes?|h|j|jam|hours?)?", cleaned
    )
    if match is None:
        return None
    amount = float(match[1])
    hours = match[2] is not None and match[2][0] in "hj"
    minutes = round(amount * 60) if hours else round(amount)
    if not hours and "." in match[1]:
        return None
    return minutes if MIN_DURATION <= minutes <= MAX_DURATION else None


def clean_link(text: str) -> str | None:
    """A join link: one http:// or https:// URL with a host, no spaces; None otherwise."""
    link = text.strip()
    if not link or len(link) > MAX_LINK or any(ch.isspace() for ch in link):
        return None
    try:
        parts = urlsplit(link)
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        return None
    if "." not in parts.hostname and parts.hostname != "localhost":
        return None
    return link
