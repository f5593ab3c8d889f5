"""The days of a custom export period as an admin types them."""

from __future__ import annotations

import re
from datetime import date
from enum import StrEnum

from kernel.refusal import Refusal

_DAY = re.compile(r"(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})|(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})")
# What may stand around and between the dates: "dari 1-11-2026 s/d 30-11-2026".
_FILLER = re.compile(
    r"^(?:[\s\-–—,;:]|\b(?:dari|from|tanggal|tgl|sampai|hingga|s/d|sd|to|until)\b)*$", re.I
)


class ExportProblem(StrEnum):
    NOT_DATES = "not_dates"
    BAD_DATE = "bad_date"


class ExportError(Refusal[ExportProblem]):
    """Why typed dates were refused."""


def _day(match: re.Match[str]) -> date:
    year, month, day = (
        (match[1], match[2], match[3]) if match[1] else (match[6], match[5], match[4])
    )
    try:
        return date(int(year), int(month), int(day))
    except ValueError:
        raise ExportError(ExportProblem.BAD_DATE, given=match[0]) from None


def parse_days(text: str) -> tuple[date, date]:
    """The first and last day typed: `1-11-2026 30-11-2026`, `01/11/2026 - 30/11/2026`,
    `dari 2026-11-01 sampai 2026-11-30`, or one date for one day. Their order is checked by
    the period itself (a reversed pair is refused there)."""
    text = text.strip()
    found = list(_DAY.finditer(text))
    if not 1 <= len(found) <= 2 or len(text) > 80:
        raise ExportError(ExportProblem.NOT_DATES)
    cuts = [0, *(p for m in found for p in m.span()), len(text)]
    between = [text[cuts[i] : cuts[i + 1]] for i in range(0, len(cuts), 2)]
    if not all(map(_FILLER.match, between)):
        raise ExportError(ExportProblem.NOT_DATES)
    days = [_day(m) for m in found]
    return days[0], days[-1]
