"""Moments as people read them: in the configured zone, day first, in the reader's
language (`2 Des 2026`, `2 Dec 2026 19:00`): a translatable parameter (kernel/dates.py)."""

from __future__ import annotations

from datetime import datetime, tzinfo

from kernel.dates import DateText, local_day_param, moment_param


def local_date(value: datetime, zone: tzinfo) -> DateText:
    """`31 Jan 2026`: the day of `value` in `zone`."""
    return local_day_param(value, zone)


def local_time(value: datetime, zone: tzinfo) -> DateText:
    """`31 Jan 2026 18.30` (Indonesian) / `18:30` (English): the day and time in `zone`."""
    return moment_param(value, zone)
