"""What every numbers use case shares: the service's fields, the periods it is asked
about, and its refusals."""

from __future__ import annotations

from datetime import date
from enum import StrEnum

from domain.numbers import Period, PeriodKind, custom_period, period_of
from kernel.refusal import Refusal
from services.base import ServiceBase

# A custom period longer than this is refused: the numbers of years are not one screen.
MAX_CUSTOM_DAYS = 366


class NumbersProblem(StrEnum):
    LAST_BEFORE_FIRST = "last_before_first"
    STARTS_IN_FUTURE = "starts_in_future"
    TOO_LONG = "too_long"


class NumbersError(Refusal[NumbersProblem]):
    """Why a custom period was refused."""


class NumbersServiceBase(ServiceBase):
    """The numbers service's fields (see services/base.py); dates are days in `zone`."""

    def period(self, kind: PeriodKind) -> Period:
        """This month, last month or the last 90 days, as of the clock's now."""
        return period_of(kind, self.clock.now(), self.zone)

    def custom_period(self, first_day: date, last_day: date) -> Period:
        """The days `first_day` … `last_day` (both included, in the zone). Refused when
        the last comes before the first, the first is after today, or it spans more than
        `MAX_CUSTOM_DAYS` days."""
        if last_day < first_day:
            raise NumbersError(NumbersProblem.LAST_BEFORE_FIRST)
        if first_day > self.clock.now().astimezone(self.zone).date():
            raise NumbersError(NumbersProblem.STARTS_IN_FUTURE)
        if (last_day - first_day).days + 1 > MAX_CUSTOM_DAYS:
            raise NumbersError(NumbersProblem.TOO_LONG, days=MAX_CUSTOM_DAYS)
        return custom_period(first_day, last_day, self.zone)
