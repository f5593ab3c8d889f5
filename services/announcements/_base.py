"""What every announcement use case shares: the service's fields and its refusals."""

from __future__ import annotations

from collections.abc import Callable
from enum import StrEnum
from zoneinfo import ZoneInfo

from kernel.clock import Clock
from kernel.refusal import Refusal
from services.base import ServiceBase
from storage.uow import UnitOfWorkFactory


class AnnouncementProblem(StrEnum):
    BAD_LINE = "bad_line"  # a button line is not "Label - link"
    BAD_LINK = "bad_link"  # the link is not https://, http:// or tg://
    LABEL_TOO_LONG = "label_too_long"
    TOO_MANY_BUTTONS = "too_many_buttons"
    BAD_DAYS = "bad_days"
    BAD_DATE = "bad_date"
    PAST_DATE = "past_date"
    TOO_FAR = "too_far"
    NO_RECIPIENTS = "no_recipients"
    NOT_FOUND = "not_found"


class AnnouncementError(Refusal[AnnouncementProblem]):
    """Why what an admin typed or asked for an announcement was refused."""


class AnnouncementServiceBase(ServiceBase):
    def __init__(
        self,
        uow: UnitOfWorkFactory,
        clock: Clock,
        zone: ZoneInfo,
        default_language: str,
        *,
        rate: float = 20.0,
        reads: UnitOfWorkFactory | None = None,
    ) -> None:
        super().__init__(uow, clock, zone, default_language)
        # Where audiences are counted (a read-only connection of its own): a count over
        # every member never holds the database's writers (SQLite has one).
        self.reads = reads or uow
        # Copies a second (ANNOUNCE_RATE): how long a send will take is told before it.
        self.rate = rate
        # Told the id of an announcement that started, resumed, paused or was cancelled
        # (after commit), so the sender wakes or stops at once rather than at its next poll.
        self.on_change: Callable[[int], None] | None = None

    def _changed(self, announcement_id: int) -> None:
        if self.on_change is not None:
            self.on_change(announcement_id)
