"""Moments as people read them: in the configured zone, day first."""

from __future__ import annotations

from datetime import datetime, tzinfo


def local_date(value: datetime, zone: tzinfo) -> str:
    """`31-01-2026`: the day of `value` in `zone`."""
    return f"{value.astimezone(zone):%d-%m-%Y}"


def local_time(value: datetime, zone: tzinfo) -> str:
    """`31-01-2026 18:30`: the day and time of `value` in `zone`."""
    return f"{value.astimezone(zone):%d-%m-%Y %H:%M}"
