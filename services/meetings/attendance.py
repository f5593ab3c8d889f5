"""Attendance as admins see it: the occurrences that took place, who answered and who
was there (marked by admins once it began), per member over every past occurrence,
and the owner's attendance rate for a period."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from domain.meetings import (
    MeetingStatus,
    Occurrence,
    ended_between,
    next_occurrence,
    occurrence,
)
from kernel.actor import Actor
from services.meetings._base import MeetingError, MeetingProblem, MeetingServiceBase
from storage.repos.meetings import (
    AnswerCounts,
    MeetingRecord,
    MemberAttendance,
    RosterRow,
)

PAGE = 8
# How far back admins are offered past occurrences to mark (and per-member totals count).
_EPOCH = datetime(2000, 1, 1, tzinfo=UTC)


@dataclass(frozen=True, slots=True)
class Roster:
    meeting: MeetingRecord
    occurrence: Occurrence
    counts: AnswerCounts
    rows: tuple[RosterRow, ...]
    page: int
    pages: int
    started: bool  # attendance may be marked


@dataclass(frozen=True, slots=True)
class Marked:
    """An admin's mark: whether it changed what was recorded, who, and the roster page
    they are on now."""

    changed: bool
    name: str
    page: int


@dataclass(frozen=True, slots=True)
class PastOccurrence:
    meeting: MeetingRecord
    occurrence: Occurrence


@dataclass(frozen=True, slots=True)
class MemberTotals:
    rows: tuple[MemberAttendance, ...]
    page: int
    pages: int


@dataclass(frozen=True, slots=True)
class AttendanceRate:
    """For the occurrences that ended in a period: `said_yes` answers, `attended` members
    present (whatever they answered), `attended_of_yes` present among those who said yes,
    and `rate` = attended_of_yes ÷ said_yes (None without any yes)."""

    occurrences: int
    said_yes: int
    attended: int
    attended_of_yes: int

    @property
    def rate(self) -> float | None:
        return self.attended_of_yes / self.said_yes if self.said_yes else None


def _pages(total: int) -> int:
    return max((total + PAGE - 1) // PAGE, 1)


class Attendance(MeetingServiceBase):
    def _ended(self, meeting: MeetingRecord, start: datetime, end: datetime) -> list[Occurrence]:
        until = meeting.cancelled_at if meeting.status is MeetingStatus.CANCELLED else None
        return ended_between(
            meeting.starts_at,
            meeting.repeat,
            meeting.duration_minutes,
            start,
            end,
            self.zone,
            until,
        )

    async def roster(self, meeting_id: int, index: int, page: int = 0) -> Roster:
        """A page of who answered for an occurrence (or was marked), with the counts."""
        now = self.clock.now()
        async with self.reads() as uow:
            meeting = await uow.meetings.get(meeting_id)
            found = (
                occurrence(
                    meeting.starts_at, meeting.repeat, meeting.duration_minutes, index, self.zone
                )
                if meeting is not None
                else None
            )
            if meeting is None or found is None:
                raise MeetingError(MeetingProblem.NOT_FOUND)
            counts = await uow.meetings.counts(meeting_id, index)
            rows, total = await uow.meetings.roster(meeting_id, index, page * PAGE, PAGE)
        return Roster(
            meeting,
            found,
            counts,
            tuple(rows),
            page,
            _pages(total),
            found.window_open(now) or found.ends_at < now,
        )

    async def mark(
        self, meeting_id: int, index: int, member_id: int, present: bool, admin: Actor
    ) -> Marked:
        """An admin marks a member present or absent (the button carries which) once the
        occurrence has begun, whether or not they answered; setting what is recorded
        already changes nothing (a double tap). Returns whether it changed, the member's
        name and the roster page they are on now (found by a search, they may be on any).

        After the meeting the admin's mark is the last word. During it a member's own
        "I'm here" still counts over an earlier "absent" (they say they are there now);
        an admin who disagrees corrects it afterwards."""
        now = self.clock.now()
        async with self.uow() as uow:
            meeting = await uow.meetings.get(meeting_id)
            found = (
                occurrence(
                    meeting.starts_at, meeting.repeat, meeting.duration_minutes, index, self.zone
                )
                if meeting is not None
                else None
            )
            person = await uow.members.by_id(member_id)
            if meeting is None or found is None or person is None:
                raise MeetingError(MeetingProblem.NOT_FOUND)
            if not (found.window_open(now) or found.ends_at < now):
                raise MeetingError(MeetingProblem.NOT_STARTED)
            changed = await uow.meetings.mark(
                meeting_id, index, member_id, present, admin.telegram_id, now
            )
            if changed:
                uow.audit.record(
                    admin,
                    "meeting_attendance",
                    f"meeting:{meeting_id}:{index}",
                    now,
                    member_id=member_id,
                    present=present,
                )
            place = await uow.meetings.roster_place(meeting_id, index, member_id)
            await uow.commit()
        return Marked(changed, person.full_name, (place or 0) // PAGE)

    async def past(self, limit: int = 10) -> list[PastOccurrence]:
        """The occurrences that have begun (going on or ended; a cancelled series' before
        its cancellation), newest first."""
        now = self.clock.now()
        async with self.reads() as uow:
            meetings = await uow.meetings.with_ended_before(now)
        found: list[PastOccurrence] = []
        for meeting in meetings:
            found += [PastOccurrence(meeting, o) for o in self._begun(meeting, now, limit)]
        found.sort(key=lambda p: (p.occurrence.starts_at, p.meeting.id), reverse=True)
        return found[:limit]

    def _begun(self, meeting: MeetingRecord, now: datetime, limit: int) -> list[Occurrence]:
        bound, until = now, None
        if meeting.status is MeetingStatus.CANCELLED and meeting.cancelled_at is not None:
            # Only what began before the cancellation (a moved series: before the
            # occurrence its new schedule starts with).
            bound, until = min(now, meeting.cancelled_at), meeting.cancelled_at
        shape = (meeting.starts_at, meeting.repeat, meeting.duration_minutes)
        coming = next_occurrence(*shape, bound, self.zone)
        if coming is None:
            last = 0
        else:
            last = coming.index if coming.starts_at <= bound else coming.index - 1
        found = []
        for index in range(last, max(last - limit, -1), -1):
            each = occurrence(*shape, index, self.zone)
            if each is not None and each.starts_at <= bound:
                if until is None or each.starts_at < until:
                    found.append(each)
        return found

    async def by_member(self, page: int = 0) -> MemberTotals:
        """Per member, over every occurrence that has ended: times present, times they
        said yes."""
        now = self.clock.now()
        async with self.reads() as uow:
            meetings = await uow.meetings.with_ended_before(now)
            pairs = [(m.id, o.index) for m in meetings for o in self._ended(m, _EPOCH, now)]
            rows, total = await uow.meetings.by_member(pairs, page * PAGE, PAGE)
        return MemberTotals(tuple(rows), page, _pages(total))

    async def attendance(self, period_start: datetime, period_end: datetime) -> AttendanceRate:
        """The owner's attendance rate: of the occurrences that ended in
        [period_start, period_end), members present among those who said yes ÷ yes
        answers (a cancelled series counts the occurrences before its cancellation)."""
        async with self.reads() as uow:
            meetings = await uow.meetings.with_ended_before(period_end)
            pairs = [
                (m.id, o.index) for m in meetings for o in self._ended(m, period_start, period_end)
            ]
            counts = await uow.meetings.rate_counts(pairs)
        return AttendanceRate(len(pairs), counts.said_yes, counts.attended, counts.attended_of_yes)
