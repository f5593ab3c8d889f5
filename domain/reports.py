"""Daily reports: what a report holds, its limits, and reading what members type
(SPEC "Daily reports").

Counts (videos, views, orders) are read like money without the currency, so the
numbers members copy from the TikTok dashboard ("12,5rb", "1.250") are understood.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from domain.money import MAX_AMOUNT, MoneyError, MoneyParseError, parse_rupiah

__all__ = [
    "MAX_COMMISSION",
    "MAX_LINKS",
    "MAX_NOTE",
    "MAX_ORDERS",
    "MAX_SALES",
    "MAX_SCREENSHOTS",
    "MAX_VIDEOS",
    "MAX_VIEWS",
    "LinkError",
    "LinkParseError",
    "ReportFigures",
    "ReportRejectReason",
    "Screenshot",
    "day_bounds",
    "jakarta_day",
    "may_submit_for",
    "parse_count",
    "parse_links",
    "reject_reason",
    "still_open",
]

MAX_VIDEOS = 100
MAX_LINKS = 20
MAX_LINK_LENGTH = 300
MAX_VIEWS = 10_000_000_000
MAX_ORDERS = 1_000_000
MAX_SALES = MAX_AMOUNT
MAX_COMMISSION = 100_000_000
"""Rp 100 juta in one day is far beyond any member's commission: bigger is a typo."""
MAX_SCREENSHOTS = 5
MAX_NOTE = 500
"""An admin's own words for a rejection are kept up to this many characters."""


class ReportRejectReason(StrEnum):
    """The listed reasons an admin rejects a report with (or they type one)."""

    MISMATCH = "mismatch"
    UNREADABLE = "unreadable"
    WRONG_DATE = "wrong_date"
    DUPLICATE = "duplicate"


@dataclass(frozen=True, slots=True)
class Screenshot:
    """A screenshot sent with a report, as Telegram knows it (a photo or a document)."""

    file_id: str
    file_unique_id: str
    media_kind: str = "photo"


@dataclass(frozen=True, slots=True)
class ReportFigures:
    """What a member reports for one day; every figure is a whole, non-negative number."""

    videos_posted: int
    links: tuple[str, ...]
    views: int
    orders: int
    sales: int
    commission: int

    def __post_init__(self) -> None:
        bounds = {
            "videos_posted": MAX_VIDEOS,
            "views": MAX_VIEWS,
            "orders": MAX_ORDERS,
            "sales": MAX_SALES,
            "commission": MAX_COMMISSION,
        }
        for name, maximum in bounds.items():
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int):
                raise TypeError(f"{name} must be an int")
            if not 0 <= value <= maximum:
                raise ValueError(f"{name} must be within 0..{maximum}")
        if len(self.links) > MAX_LINKS:
            raise ValueError(f"at most {MAX_LINKS} links")


def jakarta_day(moment: datetime, zone: ZoneInfo) -> date:
    """The member's calendar day of an aware moment (days are counted in ``zone``)."""
    if moment.tzinfo is None:
        raise ValueError("moment must be timezone-aware")
    return moment.astimezone(zone).date()


def day_bounds(day: date, zone: ZoneInfo) -> tuple[datetime, datetime]:
    """``[start, end)`` of ``day`` in ``zone``, as aware datetimes."""
    start = datetime.combine(day, time.min, tzinfo=zone)
    return start, datetime.combine(day + timedelta(days=1), time.min, tzinfo=zone)


def may_submit_for(day: date, today: date) -> bool:
    """A report is sent for today, or for yesterday when it was begun before midnight."""
    return day in (today, today - timedelta(days=1))


def still_open(report_date: date, today: date) -> bool:
    """Whether a rejected report's day may still be reported again (today or yesterday)."""
    return report_date >= today - timedelta(days=1)


def reject_reason(code: ReportRejectReason | None, note: str | None) -> str:
    """The reason a rejection is stored with: a listed code, or the admin's own words
    (trimmed, at most ``MAX_NOTE`` characters). A rejection without either is a bug."""
    if code is None and not (note or "").strip():
        raise ValueError("a rejection needs a reason")
    return code.value if code is not None else (note or "").strip()[:MAX_NOTE]


_CURRENCY = re.compile(r"\b(rp|idr)\b|rp\.?\s*[0-9]", re.IGNORECASE)


def parse_count(text: str, *, maximum: int) -> int:
    """A count typed by a member: ``"1250"``, ``"1.250"``, ``"12,5rb"``, ``"1,2jt"``.

    Raises :class:`MoneyParseError` (the same codes as money, so one message set explains
    both) for blank text, negatives, fractions, currency marks, or more than ``maximum``.
    """
    if _CURRENCY.search(text):
        raise MoneyParseError(MoneyError.NOT_A_NUMBER, minimum=0, maximum=maximum)
    return parse_rupiah(text, minimum=0, maximum=maximum)


class LinkError(StrEnum):
    EMPTY = "empty"
    NOT_A_LINK = "not_a_link"
    TOO_MANY = "too_many"
    TOO_LONG = "too_long"


class LinkParseError(ValueError):
    def __init__(self, code: LinkError, given: str = "") -> None:
        super().__init__(code.value)
        self.code = code
        self.given = given


_URL = re.compile(r"^https?://[^\s/$.?#][^\s]*$", re.IGNORECASE)


def parse_links(text: str) -> tuple[str, ...]:
    """Video links, one per line or separated by spaces; each must be an http(s) URL.

    Duplicates are dropped (first kept). ``NOT_A_LINK`` names the first offending piece.
    """
    pieces = [p.strip().strip(",;") for p in re.split(r"[\s]+", text) if p.strip().strip(",;")]
    if not pieces:
        raise LinkParseError(LinkError.EMPTY)
    links: list[str] = []
    for piece in pieces:
        if len(piece) > MAX_LINK_LENGTH:
            raise LinkParseError(LinkError.TOO_LONG, piece[:40])
        if not _URL.match(piece):
            raise LinkParseError(LinkError.NOT_A_LINK, piece[:40])
        if piece not in links:
            links.append(piece)
    if len(links) > MAX_LINKS:
        raise LinkParseError(LinkError.TOO_MANY)
    return tuple(links)
