"""The owner's numbers (SPEC "Numbers the owner tracks"), for a chosen period.

- `report.py`: `NumbersService.report(period)`: conversion Basic → VIP, time to VIP, VIP
  retention, payout rate, leader performance, affiliate account utilization, revenue,
  new members and payment proof decisions, read in one transaction.
- `trends.py`: `NumbersService.trends(period)`: revenue by month and new members by week
  up to the period's end, the series a chart draws.

The definitions live beside the code that applies them (domain/numbers.py and the
docstrings here); every ratio whose whole is 0 is "no data", never a division error.
"""

from __future__ import annotations

from domain.numbers import (
    CONVERSION_TARGET,
    PAYOUT_TARGET,
    RETENTION_TARGET,
    AccountUse,
    Bucket,
    Conversion,
    LeaderPerformance,
    PayoutFlow,
    Period,
    PeriodKind,
    ProofDecisions,
    Ratio,
    Retention,
    Tally,
    TimeToVip,
)
from services.numbers._base import MAX_CUSTOM_DAYS, NumbersError, NumbersProblem
from services.numbers.report import NumbersReport, OwnerNumbers
from services.numbers.trends import Point, Trends, TrendsReport

__all__ = [
    "CONVERSION_TARGET",
    "MAX_CUSTOM_DAYS",
    "PAYOUT_TARGET",
    "RETENTION_TARGET",
    "AccountUse",
    "Bucket",
    "Conversion",
    "LeaderPerformance",
    "NumbersError",
    "NumbersProblem",
    "NumbersService",
    "OwnerNumbers",
    "PayoutFlow",
    "Period",
    "PeriodKind",
    "Point",
    "ProofDecisions",
    "Ratio",
    "Retention",
    "Tally",
    "TimeToVip",
    "Trends",
]


class NumbersService(NumbersReport, TrendsReport):
    """The owner's numbers: `period`/`custom_period`, `report`, `trends`."""
