"""Dates as people read them, in their language: `2 Des 2026` and `2 Des 2026 19.00` in
Indonesian, `2 Dec 2026` and `2 Dec 2026 19:00` in English.

A date is given to a text as a translatable parameter (kernel/i18n.py resolves
`{"key": ..., "params": ...}` in the reader's language), so a service that queues a notice
for later and a handler that answers now write it the same way and the reader's language
decides the month's name and the time's separator. Typed dates are still read as
dd-mm-yyyy (kernel/admin_input.py); only what is shown changed.
"""

from __future__ import annotations

from datetime import date, datetime, tzinfo
from typing import Any

# What a text receives for a date: a translation key with its parameters (JSON-safe, so it
# can wait in the outbox), or "-" when there is no date.
DateText = dict[str, Any] | str


def _parts(day: date) -> dict[str, Any]:
    return {"day": day.day, "month": {"key": f"dates.month_{day.month}"}, "year": day.year}


def day_param(day: date) -> DateText:
    """`2 Des 2026`."""
    return {"key": "dates.day", "params": _parts(day)}


def local_day_param(moment: datetime | None, zone: tzinfo) -> DateText:
    """The day of `moment` in `zone` (`-` without a moment)."""
    return "-" if moment is None else day_param(moment.astimezone(zone).date())


def moment_param(moment: datetime | None, zone: tzinfo, *, zone_name: bool = False) -> DateText:
    """`2 Des 2026 19.00` in `zone` (`-` without a moment); with `zone_name`, `... WIB`."""
    if moment is None:
        return "-"
    local = moment.astimezone(zone)
    params = {**_parts(local.date()), "hour": local.hour, "minute": local.minute}
    if zone_name and local.tzname():
        return {"key": "dates.moment_zone", "params": {**params, "zone": local.tzname()}}
    return {"key": "dates.moment", "params": params}
