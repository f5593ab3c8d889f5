"""What every meeting use case shares: the service's fields, its refusals, who belongs to
a meeting's audience now, and how a meeting's time is written for people."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import datetime, timedelta, tzinfo
from enum import StrEnum
from zoneinfo import ZoneInfo

from domain.meetings import (
    DEFAULT_REMINDERS,
    MeetingAudience,
    MeetingStatus,
    Occurrence,
    next_occurrence,
    occurrence,
    parse_offsets,
)
from domain.membership import HeldMembership, effective_tier
from kernel.clock import Clock
from kernel.dates import DateText
from kernel.refusal import Refusal
from services.base import ServiceBase
from services.entitlement import ACCESS_TIER_CODE
from storage.repos.meetings import MeetingRecord
from storage.uow import UnitOfWork, UnitOfWorkFactory

# A series moved more often than this by edits is not followed further (a safeguard: each
# move makes a newer row, so the chain always ends).
MAX_MOVES = 100


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


def before_move(meeting: MeetingRecord, found: Occurrence) -> bool:
    """Whether `found` is an occurrence of a series moved by an edit (ended, going on as
    another row) that began before the move: it stays with this row, live while it goes
    on and over afterwards, never cancelled."""
    return (
        meeting.status is MeetingStatus.CANCELLED
        and meeting.continued_as is not None
        and meeting.cancelled_at is not None
        and found.starts_at < meeting.cancelled_at
    )


def live(meeting: MeetingRecord, found: Occurrence) -> bool:
    """Whether the occurrence belongs to a schedule that holds it: a scheduled one, or a
    moved series' occurrence from before the move."""
    return meeting.status is MeetingStatus.SCHEDULED or before_move(meeting, found)


async def follow(
    uow: UnitOfWork, meeting: MeetingRecord, index: int, zone: tzinfo
) -> tuple[MeetingRecord, Occurrence | None]:
    """Where occurrence `index` of `meeting` is now: an occurrence of a series moved by an
    edit, from the move on, goes on as one of the row it continues as (renumbered from
    the move; moved again: followed along the whole chain). An occurrence from before a
    move, a cancelled meeting's or a scheduled one's stays where it is. The occurrence is
    None when the schedule has none such."""
    found = occurrence(meeting.starts_at, meeting.repeat, meeting.duration_minutes, index, zone)
    for _ in range(MAX_MOVES):
        if found is None or meeting.status is MeetingStatus.SCHEDULED:
            break
        cut, moved_id = meeting.cancelled_at, meeting.continued_as
        if moved_id is None or cut is None or found.starts_at < cut:
            break
        moved = await uow.meetings.get(moved_id)
        if moved is None:
            break
        first = next_occurrence(
            meeting.starts_at, meeting.repeat, meeting.duration_minutes, cut, zone
        )
        assert first is not None  # `found` itself starts at or after the cut
        meeting, index = moved, found.index - first.index
        found = occurrence(meeting.starts_at, meeting.repeat, meeting.duration_minutes, index, zone)
    return meeting, found


def live_next(meeting: MeetingRecord, now: datetime, zone: tzinfo) -> Occurrence | None:
    """The occurrence going on or the next of a schedule; a moved series' only while the
    one begun before the move goes on, a cancelled meeting's none."""
    if meeting.status is MeetingStatus.CANCELLED and meeting.continued_as is None:
        return None
    found = next_occurrence(meeting.starts_at, meeting.repeat, meeting.duration_minutes, now, zone)
    if found is None or not live(meeting, found):
        return None
    return found


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
