"""The button payloads of the owner's numbers (typed, as handlers/common/callbacks.py).

A named period (this month, last month, 90 days) is worked out again at every tap, so
an old screen's "this month" button shows the month it is now. A custom period carries
its days (as day numbers, bounded: a forged payload cannot name a day Python cannot
hold); the service refuses reversed, future or too long ones again at the tap.
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import Annotated

from aiogram.filters.callback_data import CallbackData
from pydantic import Field

from domain.numbers import PeriodKind

FIRST_ORDINAL = date(2000, 1, 1).toordinal()
LAST_ORDINAL = date(2200, 12, 31).toordinal()

Day = Annotated[int, Field(ge=0, le=LAST_ORDINAL)]  # 0: none (a named period)
Page = Annotated[int, Field(ge=0, le=10_000)]


class NumbersAction(StrEnum):
    PICK = "pick"  # the period picker (also what the admin home's "numbers" opens)
    SHOW = "show"  # the numbers of a period, at a page of leaders
    CUSTOM = "custom"  # ask for the days of a custom period
    CHARTS = "charts"  # the charts of a period, as photos
    REFRESH = "refresh"  # as SHOW, counted anew now (SHOW may show numbers up to 5 min old)


class NumbersCallback(CallbackData, prefix="num"):
    action: NumbersAction
    kind: PeriodKind = PeriodKind.THIS_MONTH
    first: Day = 0
    last: Day = 0
    page: Page = 0


def days_of(data: NumbersCallback) -> tuple[date, date] | None:
    """The custom period's days, or None when the payload holds none it could mean."""
    if data.first < FIRST_ORDINAL or data.last < FIRST_ORDINAL:
        return None
    return date.fromordinal(data.first), date.fromordinal(data.last)
