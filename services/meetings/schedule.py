"""Admins schedule, edit and cancel meetings; those who said they would come to a coming
occurrence are told of an edit or a cancellation (outbox, in their language)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from domain.meetings import (
    MAX_NOTES,
    MAX_TITLE,
    MeetingAudience,
    MeetingStatus,
    Occurrence,
    Repeat,
    Rsvp,
    TimeProblem,
    clean_link,
    next_occurrence,
    occurrence,
    parse_duration,
    parse_start,
)
from kernel.actor import Actor
from services.meetings._base import (
    MAX_MOVES,
    MeetingError,
    MeetingProblem,
    MeetingServiceBase,
    live_next,
    when_param,
)
from storage.repos.meetings import AnswerCounts, MeetingRecord
from storage.uow import UnitOfWork

_TIME_PROBLEMS = {
    TimeProblem.UNREADABLE: MeetingProblem.BAD_TIME,
    TimeProblem.PAST: MeetingProblem.PAST_TIME,
    TimeProblem.TOO_FAR: MeetingProblem.TOO_FAR,
}
# A one-off meeting may run this long at most: older ones have certainly ended.
_LONGEST = timedelta(minutes=600)
# How often an edit is tried again on the row a series goes on as, when other edits keep
# moving it meanwhile.
_ATTEMPTS = 3


class Field(StrEnum):
    """What an admin may change of a scheduled meeting."""

    TITLE = "title"
    START = "start"
    DURATION = "duration"
    AUDIENCE = "audience"
    REPEAT = "repeat"
    LINK = "link"
    NOTES = "notes"


_COLUMNS = {
    Field.TITLE: "title",
    Field.START: "starts_at",
    Field.DURATION: "duration_minutes",
    Field.AUDIENCE: "audience",
    Field.REPEAT: "repeat",
    Field.LINK: "join_link",
    Field.NOTES: "notes",
}


@dataclass(frozen=True, slots=True)
class Draft:
    title: str
    starts_at: datetime
    duration_minutes: int
    audience: MeetingAudience
    repeat: Repeat
    join_link: str
    notes: str | None = None
    # The scheduling screen's token: the same draft is scheduled once, however often
    # "Schedule" is tapped (see MeetingRepository.create).
    token: str | None = None


@dataclass(frozen=True, slots=True)
class Scheduled:
    """A meeting as admins see it in lists: its next occurrence (None when over)."""

    meeting: MeetingRecord
    next: Occurrence | None


class Scheduling(MeetingServiceBase):
    # ------------------------------------------------------------------ what admins type

    def read_title(self, text: str | None) -> str:
        title = " ".join((text or "").split())
        if not title or len(title) > MAX_TITLE:
            raise MeetingError(MeetingProblem.BAD_TITLE, most=MAX_TITLE)
        return title

    def read_start(self, text: str | None) -> datetime:
        """A start typed in TIMEZONE (`10/12 19.00`, `10-12-2026 19:00`, `besok 19.00`);
        refused when unreadable, past or more than a year ahead."""
        found = parse_start(text or "", self.clock.now(), self.zone)
        if isinstance(found, TimeProblem):
            raise MeetingError(_TIME_PROBLEMS[found])
        return found

    def read_duration(self, text: str | None) -> int:
        minutes = parse_duration(text or "")
        if minutes is None:
            raise MeetingError(MeetingProblem.BAD_DURATION)
        return minutes

    def read_link(self, text: str | None) -> str:
        link = clean_link(text or "")
        if link is None:
            raise MeetingError(MeetingProblem.BAD_LINK)
        return link

    def read_notes(self, text: str | None) -> str:
        notes = (text or "").strip()
        if not notes or len(notes) > MAX_NOTES:
            raise MeetingError(MeetingProblem.NOTES_TOO_LONG, most=MAX_NOTES)
        return notes

    def next_of(self, meeting: MeetingRecord) -> Occurrence | None:
        """The occurrence going on or the next; a series moved by an edit has only the one
        begun before the move, while it goes on (the rest are its new row's)."""
        return live_next(meeting, self.clock.now(), self.zone)

    # ------------------------------------------------------------------ use cases

    async def schedule(self, draft: Draft, admin: Actor) -> MeetingRecord:
        """The admin confirmed the preview. The start is checked again (the preview may
        have waited past it)."""
        now = self.clock.now()
        if draft.starts_at <= now:
            raise MeetingError(MeetingProblem.PAST_TIME)
        self.read_link(draft.join_link)
        async with self.uow() as uow:
            meeting_id, created = await uow.meetings.create(
                title=self.read_title(draft.title),
                starts_at=draft.starts_at,
                duration_minutes=draft.duration_minutes,
                audience=draft.audience,
                repeat=draft.repeat,
                join_link=draft.join_link,
                notes=draft.notes,
                created_by=admin.telegram_id,
                now=now,
                draft_token=draft.token,
            )
            if created:
                uow.audit.record(
                    admin,
                    "meeting_scheduled",
                    f"meeting:{meeting_id}",
                    now,
                    repeat=draft.repeat.value,
                    audience=draft.audience.value,
                )
            meeting = await uow.meetings.get(meeting_id)
            await uow.commit()
        assert meeting is not None
        return meeting

    async def upcoming(self) -> list[Scheduled]:
        """Meetings with an occurrence still to come or going on, soonest first."""
        now = self.clock.now()
        async with self.reads() as uow:
            meetings = await uow.meetings.scheduled(now - _LONGEST)
            meetings += await uow.meetings.moved_since(now - _LONGEST)
        found = [Scheduled(m, self.next_of(m)) for m in meetings]
        shown = [s for s in found if s.next is not None]
        return sorted(shown, key=lambda s: (s.next.starts_at if s.next else now, s.meeting.id))

    async def upcoming_counted(self) -> list[tuple[Scheduled, AnswerCounts]]:
        """`upcoming`, each with the answers for its next occurrence."""
        found = await self.upcoming()
        async with self.reads() as uow:
            return [
                (item, await uow.meetings.counts(item.meeting.id, item.next.index))
                for item in found
                if item.next is not None
            ]

    async def counts_of(self, item: Scheduled) -> AnswerCounts:
        """The answers for the meeting's next occurrence (none when it is over)."""
        if item.next is None:
            return AnswerCounts()
        async with self.reads() as uow:
            return await uow.meetings.counts(item.meeting.id, item.next.index)

    async def meeting(self, meeting_id: int) -> Scheduled:
        async with self.reads() as uow:
            meeting = await uow.meetings.get(meeting_id)
        if meeting is None:
            raise MeetingError(MeetingProblem.NOT_FOUND)
        return Scheduled(meeting, self.next_of(meeting))

    async def edit(self, meeting_id: int, field: Field, value: Any, admin: Actor) -> MeetingRecord:
        """Changes one field (already read with `read_*`, or an audience / repeat); who said
        yes or maybe to a coming occurrence is told of it, with the time as it is now. A
        value the meeting has already (a second tap) changes nothing and tells nobody.

        A new start or repeat of a series that has begun does not renumber its past: the
        series ends before its coming occurrence (its past occurrences keep their answers
        and attendance) and goes on as a new schedule from that occurrence, which takes
        the answers, attendance and (where the time stays) reminder claims of the
        occurrences from then on. Otherwise a new start or repeat makes the coming
        occurrences' reminders due again.

        An edit made on a series moved since (an older screen, or another admin's move
        racing this one) applies to the row the series goes on as now, however often it
        moved."""
        now = self.clock.now()
        if field is Field.START and value <= now:
            raise MeetingError(MeetingProblem.PAST_TIME)
        for _ in range(_ATTEMPTS):
            edited = await self._edit_once(meeting_id, field, value, admin, now)
            if edited is not None:
                return edited
        async with self.uow() as uow:  # still racing other moves: what they made of it
            return await self._current(uow, meeting_id)

    async def _current(self, uow: UnitOfWork, meeting_id: int) -> MeetingRecord:
        """The meeting; for a series moved by edits, the row it goes on as now (the whole
        chain followed). Refused when unknown or cancelled."""
        meeting = await uow.meetings.get(meeting_id)
        if meeting is None:
            raise MeetingError(MeetingProblem.NOT_FOUND)
        for _ in range(MAX_MOVES):
            if meeting.status is MeetingStatus.SCHEDULED:
                return meeting
            if meeting.continued_as is None:
                break
            moved = await uow.meetings.get(meeting.continued_as)
            if moved is None:
                break
            meeting = moved
        raise MeetingError(MeetingProblem.CANCELLED)

    async def _edit_once(
        self, meeting_id: int, field: Field, value: Any, admin: Actor, now: datetime
    ) -> MeetingRecord | None:
        """One try of `edit`; None when another edit moved the series meanwhile (nothing
        was saved: the caller tries again on the row it goes on as)."""
        async with self.uow() as uow:
            before = await self._current(uow, meeting_id)
            meeting_id = before.id
            coming = self.next_of(before)
            # Where a moved series splits: the first occurrence not begun (one going on
            # stays in the past, with its attendance).
            split = coming
            if coming is not None and coming.starts_at <= now:
                split = occurrence(
                    before.starts_at,
                    before.repeat,
                    before.duration_minutes,
                    coming.index + 1,
                    self.zone,
                )
            moving = field in (Field.START, Field.REPEAT)
            if split is not None and split.index > 0 and moving:
                after = await self._continue(uow, before, split, field, value, admin, now)
                if after is None:  # another edit moved it first
                    return None
                if after.id == before.id:
                    return before  # unchanged: nobody told
                await self._tell_coming(uow, after, 0, "meetings.changed", now)
                await uow.commit()
                return after
            if not await uow.meetings.change(meeting_id, now, _COLUMNS[field], value):
                current = await uow.meetings.get(meeting_id)
                if current is None:
                    raise MeetingError(MeetingProblem.NOT_FOUND)
                if current.status is MeetingStatus.CANCELLED:
                    if current.continued_as is None:
                        raise MeetingError(MeetingProblem.CANCELLED)
                    return None  # moved meanwhile
                return current  # unchanged (a second tap): no version, nobody told
            after = await uow.meetings.get(meeting_id)
            assert after is not None
            uow.audit.record(
                admin, "meeting_edited", f"meeting:{meeting_id}", now, field=field.value
            )
            if coming is not None and field in (Field.START, Field.REPEAT):
                await uow.meetings.forget_reminders(meeting_id, coming.index)
            if coming is not None:
                await self._tell_coming(uow, after, coming.index, "meetings.changed", now)
            await uow.commit()
            return after

    async def _continue(
        self,
        uow: UnitOfWork,
        before: MeetingRecord,
        coming: Occurrence,
        field: Field,
        value: Any,
        admin: Actor,
        now: datetime,
    ) -> MeetingRecord | None:
        """Ends the series before its coming occurrence and schedules the rest anew; the
        new row (`before` itself when nothing changes), or None when another edit ended
        the series first (this transaction is then left uncommitted)."""
        starts_at = value if field is Field.START else coming.starts_at
        repeat = value if field is Field.REPEAT else before.repeat
        if starts_at == coming.starts_at and repeat is before.repeat:
            return before  # unchanged
        new_id, _ = await uow.meetings.create(
            title=before.title,
            starts_at=starts_at,
            duration_minutes=before.duration_minutes,
            audience=before.audience,
            repeat=repeat,
            join_link=before.join_link,
            notes=before.notes,
            created_by=before.created_by,
            now=now,
        )
        if not await uow.meetings.end_series(before.id, coming.starts_at, new_id, now):
            return None
        # Reminder claims move only for occurrences whose start stays the same.
        kept = []
        for index in await uow.meetings.claimed_occurrences(before.id, coming.index):
            old = occurrence(
                before.starts_at, before.repeat, before.duration_minutes, index, self.zone
            )
            new = occurrence(
                starts_at, repeat, before.duration_minutes, index - coming.index, self.zone
            )
            if old is not None and new is not None and old.starts_at == new.starts_at:
                kept.append(index)
        await uow.meetings.move_occurrences(before.id, coming.index, new_id, kept)
        uow.audit.record(
            admin,
            "meeting_edited",
            f"meeting:{before.id}",
            now,
            field=field.value,
            continued_as=new_id,
            from_occurrence=coming.index,
        )
        after = await uow.meetings.get(new_id)
        assert after is not None
        return after

    async def cancel(self, meeting_id: int, admin: Actor) -> MeetingRecord:
        """Cancels the meeting (every coming occurrence of a series); who said yes or
        maybe to one is told. A second tap changes nothing."""
        now = self.clock.now()
        async with self.uow() as uow:
            # An older screen of a series moved since: the row it goes on as.
            before = await self._current(uow, meeting_id)
            meeting_id = before.id
            coming = self.next_of(before)
            if not await uow.meetings.cancel(meeting_id, now):
                raise MeetingError(MeetingProblem.CANCELLED)
            after = await uow.meetings.get(meeting_id)
            assert after is not None
            uow.audit.record(admin, "meeting_cancelled", f"meeting:{meeting_id}", now)
            if coming is not None:
                await self._tell_coming(uow, after, coming.index, "meetings.cancelled", now)
            await uow.commit()
        return after

    async def _tell_coming(
        self, uow: UnitOfWork, meeting: MeetingRecord, first: int, key: str, now: datetime
    ) -> int:
        """`key` to everyone who said yes or maybe to an occurrence from `first` on, once per
        member per change (the dedupe key carries the meeting's version)."""
        people = await uow.meetings.coming_from(meeting.id, first, (Rsvp.YES, Rsvp.MAYBE))
        upcoming = next_occurrence(
            meeting.starts_at, meeting.repeat, meeting.duration_minutes, now, self.zone
        )
        params = {
            "title": meeting.title,
            "when": when_param(upcoming.starts_at, self.zone) if upcoming else "-",
            "minutes": meeting.duration_minutes,
        }
        told = [(p, f"meeting:{meeting.id}:v{meeting.version}:{p.id}") for p in people]
        return await uow.outbox.tell_members(told, self.default_language, key, params, now)
