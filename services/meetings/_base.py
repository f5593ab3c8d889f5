"""What every meeting use case shares: the service's fields, its refusals, who belongs to
a meeting's audience now, and how a meeting's time is written for people."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import datetime, timedelta, tzinfo
from enum import StrEnum
from zoneinfo import ZoneInfo

from domain.meetings import DEFAULT_REMINDERS, MeetingAudience, parse_offsets
from domain.membership import HeldMembership, effective_tier
from kernel.clock import Clock
from kernel.dates import DateText
from kernel.refusal import Refusal
from services.base import ServiceBase
from services.entitlement import ACCESS_TIER_CODE
from storage.uow import UnitOfWork, UnitOfWorkFactory


class MeetingProblem(StrEnum):
    BAD_TITLE = "bad_title"  # empty or too long
    BAD_TIME = "bad_time"  # not a date and time we can read
    PAST_TIME = "past_time"
    TOO_FAR = "too_far"  # more than a year ahead
    BAD_DURATION = "bad_duration"
    BAD_LINK = "bad_link"  # not one http:// or https:// address
    NOTES_TOO_LONG = "notes_too_long"
    NOT_FOUND = "not_found"  # no such meeting (a forged or stale button)
    CANCELLED = "cancelled"
    OVER = "over"  # the occurrence has ended
    NOT_STARTED = "not_started"  # attendance before the meeting began
    NOT_IN_AUDIENCE = "not_in_audience"  # the member's tier does not include it (now)
    NOT_REGISTERED = "not_registered"
    LINK_NOT_YET = "link_not_yet"  # the link is offered from 24 h before
    NOT_NOW = "not_now"  # "I'm here" outside the meeting window


class MeetingError(Refusal[MeetingProblem]):
    """Why a meeting step was refused; the problem's params fill its message."""


# Open a member's screen of one occurrence: (meeting id, occurrence) → callback data.
OpenCallback = Callable[[int, int], str]


class MeetingServiceBase(ServiceBase):
    def __init__(
        self,
        uow: UnitOfWorkFactory,
        clock: Clock,
        zone: ZoneInfo,
        default_language: str,
        *,
        reminders: str = DEFAULT_REMINDERS,
        shop_callback: str | None = None,
        open_callback: OpenCallback | None = None,
        reads: UnitOfWorkFactory | None = None,
    ) -> None:
        super().__init__(uow, clock, zone, default_language)
        self.offsets: tuple[timedelta, ...] = parse_offsets(reminders)
        self.shop_callback = shop_callback
        self.open_callback = open_callback
        self.reads = reads or uow


def when_param(moment: datetime, zone: tzinfo) -> DateText:
    """`Kam, 10 Des 2026 19.00 WIB` (`Thu, 10 Dec 2026 19:00 WIB`) in the reader's
    language, for a text or a notice waiting in the outbox."""
    local = moment.astimezone(zone)
    return {
        "key": "meetings.when",
        "params": {
            "weekday": {"key": f"meetings.weekday_{local.weekday()}"},
            "day": local.day,
            "month": {"key": f"dates.month_{local.month}"},
            "year": local.year,
            "hour": local.hour,
            "minute": local.minute,
            "zone": local.tzname() or "",
        },
    }


def belongs(
    held: Sequence[HeldMembership], audience: MeetingAudience, vip_rank: int | None, now: datetime
) -> bool:
    """Whether someone holding `held` is in the audience at `now`: VIP needs the VIP tier
    (or higher) in effect, "members" any active plan."""
    tier = effective_tier(held, now)
    if tier is None:
        return False
    if audience is MeetingAudience.MEMBERS:
        return True
    return vip_rank is not None and tier.rank >= vip_rank


async def in_audience(
    uow: UnitOfWork, member_id: int, audience: MeetingAudience, now: datetime
) -> bool:
    held = await uow.memberships.held(member_id)
    return belongs(held, audience, await uow.catalog.tier_rank(ACCESS_TIER_CODE), now)


async def audience_of(
    uow: UnitOfWork, member_ids: list[int], audience: MeetingAudience, now: datetime
) -> Mapping[int, bool]:
    """`in_audience` for many members in two queries."""
    held = await uow.memberships.held_by_members(member_ids)
    rank = await uow.catalog.tier_rank(ACCESS_TIER_CODE)
    return {m: belongs(held.get(m, []), audience, rank, now) for m in member_ids}
