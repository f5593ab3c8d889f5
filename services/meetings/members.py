"""What a member does with meetings: the coming ones of their tier, an answer (yes, no,
maybe; the last one wins), the join link and "I'm here". Whether they belong to the
audience is checked at every request, against the plans they hold at that moment."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from domain.meetings import (
    CHECK_IN_EARLY,
    LINK_OPENS_BEFORE,
    Occurrence,
    Rsvp,
)
from domain.membership import effective_tier
from domain.people import Person
from services.entitlement import ACCESS_TIER_CODE
from services.meetings._base import (
    MeetingError,
    MeetingProblem,
    MeetingServiceBase,
    belongs,
    follow,
    in_audience,
    live,
    live_next,
    when_param,
)
from storage.repos.meetings import MeetingRecord
from storage.uow import UnitOfWork

_LONGEST = timedelta(minutes=600)
MAX_LISTED = 8


@dataclass(frozen=True, slots=True)
class MemberMeeting:
    """One occurrence as a member sees it (the link itself is asked for separately)."""

    meeting: MeetingRecord
    occurrence: Occurrence
    answer: Rsvp | None
    present: bool | None
    link_open: bool  # the "🔗 Link" button is offered now
    window_open: bool  # "✅ I'm here" counts now


@dataclass(frozen=True, slots=True)
class MemberMeetings:
    has_plan: bool
    items: tuple[MemberMeeting, ...]


@dataclass(frozen=True, slots=True)
class CheckIn:
    meeting: MemberMeeting
    recorded: bool  # False: it was recorded already
    # An admin had marked them absent: during the meeting the member's own tap counts
    # (afterwards, the admin's correction is the last word).
    corrected: bool = False


class ForMembers(MeetingServiceBase):
    async def _person(self, uow: UnitOfWork, telegram_id: int) -> Person:
        member = await uow.members.by_telegram_id(telegram_id)
        if member is None:
            raise MeetingError(MeetingProblem.NOT_REGISTERED)
        return member

    async def for_member(self, telegram_id: int) -> MemberMeetings:
        """The next occurrence of each meeting whose audience the member is in now,
        soonest first (at most eight)."""
        now = self.clock.now()
        async with self.uow() as uow:
            member = await self._person(uow, telegram_id)
            held = await uow.memberships.held(member.id)
            rank = await uow.catalog.tier_rank(ACCESS_TIER_CODE)
            meetings = await uow.meetings.scheduled(now - _LONGEST)
            # A series moved while an occurrence went on: that one, until it ends.
            meetings += await uow.meetings.moved_since(now - _LONGEST)
            chosen = []
            for meeting in meetings:
                if not belongs(held, meeting.audience, rank, now):
                    continue
                coming = live_next(meeting, now, self.zone)
                if coming is not None:
                    chosen.append((meeting, coming))
            chosen.sort(key=lambda pair: (pair[1].starts_at, pair[0].id))
            chosen = chosen[:MAX_LISTED]
            answers = await uow.meetings.answers_of(member.id, [(m.id, o.index) for m, o in chosen])
            items = tuple(
                MemberMeeting(
                    m, o, answers.get((m.id, o.index)), None, o.link_open(now), o.window_open(now)
                )
                for m, o in chosen
            )
        return MemberMeetings(effective_tier(held, now) is not None, items)

    async def _open(
        self, uow: UnitOfWork, member: Person, meeting_id: int, index: int
    ) -> MemberMeeting:
        """The occurrence for this member, refused when it is unknown, cancelled, over or
        not (any more) for their tier."""
        now = self.clock.now()
        meeting = await uow.meetings.get(meeting_id)
        if meeting is None:
            raise MeetingError(MeetingProblem.NOT_FOUND)
        # A series moved by an edit goes on as another row: an older screen's button of an
        # occurrence from the move on opens it there (renumbered; moved again: followed to
        # the end). One begun before the move stays with its row, live until it ends.
        meeting, found = await follow(uow, meeting, index, self.zone)
        if found is None:
            raise MeetingError(MeetingProblem.NOT_FOUND)
        if not live(meeting, found):
            raise MeetingError(MeetingProblem.CANCELLED, title=meeting.title)
        index = found.index
        if found.ends_at < now:
            raise MeetingError(MeetingProblem.OVER, title=meeting.title)
        if not await in_audience(uow, member.id, meeting.audience, now):
            raise MeetingError(MeetingProblem.NOT_IN_AUDIENCE, title=meeting.title)
        answers = await uow.meetings.answers_of(member.id, [(meeting.id, index)])
        present = await uow.meetings.present(meeting.id, index, member.id)
        return MemberMeeting(
            meeting,
            found,
            answers.get((meeting.id, index)),
            present,
            found.link_open(now),
            found.window_open(now),
        )

    async def member_meeting(self, telegram_id: int, meeting_id: int, index: int) -> MemberMeeting:
        async with self.uow() as uow:
            return await self._open(uow, await self._person(uow, telegram_id), meeting_id, index)

    async def answer(
        self, telegram_id: int, meeting_id: int, index: int, answer: Rsvp
    ) -> MemberMeeting:
        """The member's answer for one occurrence; answering again replaces it."""
        now = self.clock.now()
        async with self.uow() as uow:
            member = await self._person(uow, telegram_id)
            opened = await self._open(uow, member, meeting_id, index)
            meeting_id, index = opened.meeting.id, opened.occurrence.index
            await uow.meetings.answer(meeting_id, index, member.id, answer, now)
            shown = await self._open(uow, member, meeting_id, index)
            await uow.commit()
        return shown

    async def join_link(self, telegram_id: int, meeting_id: int, index: int) -> MemberMeeting:
        """The meeting, when its link may be given to this member now: in the audience at
        this moment, within 24 hours of the start or during it."""
        async with self.uow() as uow:
            shown = await self._open(uow, await self._person(uow, telegram_id), meeting_id, index)
        if not shown.link_open:
            opens = shown.occurrence.starts_at - LINK_OPENS_BEFORE
            raise MeetingError(MeetingProblem.LINK_NOT_YET, when=when_param(opens, self.zone))
        return shown

    async def check_in(self, telegram_id: int, meeting_id: int, index: int) -> CheckIn:
        """ "I'm here", from 10 minutes before the start to the end; recorded once. Over an
        admin's "absent" too: the member says they are there now, while it goes on."""
        now = self.clock.now()
        async with self.uow() as uow:
            member = await self._person(uow, telegram_id)
            shown = await self._open(uow, member, meeting_id, index)
            if not shown.window_open:
                opens = shown.occurrence.starts_at - CHECK_IN_EARLY
                raise MeetingError(MeetingProblem.NOT_NOW, when=when_param(opens, self.zone))
            corrected = shown.present is False
            meeting_id, index = shown.meeting.id, shown.occurrence.index
            recorded = await uow.meetings.check_in(meeting_id, index, member.id, now)
            shown = await self._open(uow, member, meeting_id, index)
            await uow.commit()
        return CheckIn(shown, recorded, corrected and recorded)
