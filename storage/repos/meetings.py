"""Meetings: schedules, answers per occurrence, the sweep's reminder claims (a unique key,
inserted with ON CONFLICT DO NOTHING) and attendance."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import and_, case, delete, func, or_, select, tuple_, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from domain.meetings import MeetingAudience, MeetingStatus, Repeat, Rsvp
from domain.people import Person
from storage.models import Member
from storage.models.meetings import Meeting, MeetingAttendance, MeetingReminder, MeetingRsvp
from storage.repos.members import to_person

__all__ = [
    "AnswerCounts",
    "MeetingRecord",
    "MeetingRepository",
    "MemberAttendance",
    "RateCounts",
    "RosterRow",
]

_M, _R, _C, _A = Meeting, MeetingRsvp, MeetingReminder, MeetingAttendance


@dataclass(frozen=True, slots=True)
class MeetingRecord:
    id: int
    title: str
    starts_at: datetime
    duration_minutes: int
    audience: MeetingAudience
    repeat: Repeat
    join_link: str
    notes: str | None
    status: MeetingStatus
    version: int
    created_by: int
    created_at: datetime
    cancelled_at: datetime | None
    continued_as: int | None = None


@dataclass(frozen=True, slots=True)
class AnswerCounts:
    yes: int = 0
    no: int = 0
    maybe: int = 0


@dataclass(frozen=True, slots=True)
class RosterRow:
    """A member who answered for an occurrence or whose attendance was recorded."""

    member: Person
    answer: Rsvp | None
    present: bool | None


@dataclass(frozen=True, slots=True)
class RateCounts:
    said_yes: int
    attended: int
    attended_of_yes: int


@dataclass(frozen=True, slots=True)
class MemberAttendance:
    member: Person
    attended: int
    said_yes: int


def _record(row: Meeting) -> MeetingRecord:
    return MeetingRecord(
        id=row.id,
        title=row.title,
        starts_at=row.starts_at,
        duration_minutes=row.duration_minutes,
        audience=MeetingAudience(row.audience),
        repeat=Repeat(row.repeat),
        join_link=row.join_link,
        notes=row.notes,
        status=MeetingStatus(row.status),
        version=row.version,
        created_by=row.created_by,
        created_at=row.created_at,
        cancelled_at=row.cancelled_at,
        continued_as=row.continued_as,
    )


class MeetingRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    def _insert(self, table: Any) -> Any:
        bind = self.session.bind
        if bind is not None and bind.dialect.name == "postgresql":
            return postgresql_insert(table)
        return sqlite_insert(table)

    # ------------------------------------------------------------------ schedules

    async def create(
        self,
        *,
        title: str,
        starts_at: datetime,
        duration_minutes: int,
        audience: MeetingAudience,
        repeat: Repeat,
        join_link: str,
        notes: str | None,
        created_by: int,
        now: datetime,
        draft_token: str | None = None,
    ) -> tuple[int, bool]:
        """The new meeting's id and True; with a `draft_token` scheduled already (a second
        tap on the same screen, in this process or another), that meeting's id and False."""
        values = {
            "title": title,
            "starts_at": starts_at,
            "duration_minutes": duration_minutes,
            "audience": audience.value,
            "repeat": repeat.value,
            "join_link": join_link,
            "notes": notes,
            "status": MeetingStatus.SCHEDULED.value,
            "version": 1,
            "created_by": created_by,
            "created_at": now,
            "updated_at": now,
            "draft_token": draft_token,
        }
        statement = (
            self._insert(_M)
            .values(**values)
            .on_conflict_do_nothing(index_elements=[_M.draft_token])
            .returning(_M.id)
        )
        created = (await self.session.execute(statement)).scalar_one_or_none()
        if created is not None:
            return int(created), True
        found = await self.session.execute(select(_M.id).where(_M.draft_token == draft_token))
        return int(found.scalar_one()), False

    async def get(self, meeting_id: int) -> MeetingRecord | None:
        row = await self.session.get(Meeting, meeting_id)
        return _record(row) if row is not None else None

    async def scheduled(self, started_after: datetime) -> list[MeetingRecord]:
        """Schedules not cancelled that may still have an occurrence not ended: every
        series, and the one-off meetings that started after `started_after`."""
        found = await self.session.execute(
            select(_M)
            .where(
                _M.status == MeetingStatus.SCHEDULED.value,
                or_(_M.repeat != Repeat.ONCE.value, _M.starts_at > started_after),
            )
            .order_by(_M.starts_at, _M.id)
        )
        return [_record(row) for row in found.scalars()]

    async def moved_since(self, moment: datetime) -> list[MeetingRecord]:
        """Series moved by an edit after `moment` (ended there, going on as another row):
        the occurrence begun before the move may still be going on."""
        found = await self.session.execute(
            select(_M)
            .where(
                _M.status == MeetingStatus.CANCELLED.value,
                _M.continued_as.is_not(None),
                _M.cancelled_at > moment,
            )
            .order_by(_M.starts_at, _M.id)
        )
        return [_record(row) for row in found.scalars()]

    async def hold(self, meeting_id: int) -> MeetingRecord | None:
        """The meeting as it is now, kept from changing until this transaction ends (a
        shared row lock on PostgreSQL: an edit waits for it, and this waits for an edit
        under way and then reads what it made; SQLite's transactions are one at a time)."""
        found = await self.session.execute(
            select(_M)
            .where(_M.id == meeting_id)
            .with_for_update(read=True)
            .execution_options(populate_existing=True)
        )
        row = found.scalar_one_or_none()
        return _record(row) if row is not None else None

    async def with_ended_before(self, moment: datetime) -> list[MeetingRecord]:
        """Schedules whose first start is before `moment` (cancelled ones too: their past
        occurrences happened)."""
        found = await self.session.execute(
            select(_M).where(_M.starts_at < moment).order_by(_M.starts_at.desc(), _M.id)
        )
        return [_record(row) for row in found.scalars()]

    async def change(self, meeting_id: int, now: datetime, column: str, value: Any) -> bool:
        """Sets one field of a scheduled meeting and raises its version; False when nothing
        changed (the meeting was cancelled, or the field holds that value already: a
        second tap, even one racing the first, raises no version)."""
        if isinstance(value, Rsvp | Repeat | MeetingAudience):
            value = value.value
        result = await self.session.execute(
            update(_M)
            .where(
                _M.id == meeting_id,
                _M.status == MeetingStatus.SCHEDULED.value,
                getattr(_M, column).is_distinct_from(value),
            )
            .values({column: value, "version": _M.version + 1, "updated_at": now})
        )
        return bool(getattr(result, "rowcount", 0))

    async def end_series(
        self, meeting_id: int, at: datetime, continued_as: int, now: datetime
    ) -> bool:
        """Ends a scheduled series before its occurrence starting at `at` (the earlier ones
        stay with it, as a cancellation's do) and points to the row it goes on as; False
        when it was not scheduled any more (a second tap)."""
        result = await self.session.execute(
            update(_M)
            .where(_M.id == meeting_id, _M.status == MeetingStatus.SCHEDULED.value)
            .values(
                status=MeetingStatus.CANCELLED.value,
                cancelled_at=at,
                continued_as=continued_as,
                updated_at=now,
                version=_M.version + 1,
            )
        )
        return bool(getattr(result, "rowcount", 0))

    async def move_occurrences(
        self, old_id: int, first: int, new_id: int, keep_claims: Collection[int]
    ) -> None:
        """Moves the answers and attendance of the old series' occurrences from `first` on
        to the new one, renumbered from 0; the reminder claims of the occurrences in
        `keep_claims` (old numbers, whose start stays) move too, the others are dropped
        (their reminders are due again at the new moments)."""
        for table in (_R, _A):
            await self.session.execute(
                update(table)
                .where(table.meeting_id == old_id, table.occurrence >= first)
                .values(meeting_id=new_id, occurrence=table.occurrence - first)
            )
        kept = [index for index in keep_claims if index >= first]
        if kept:
            await self.session.execute(
                update(_C)
                .where(_C.meeting_id == old_id, _C.occurrence.in_(kept))
                .values(meeting_id=new_id, occurrence=_C.occurrence - first)
            )
        await self.forget_reminders(old_id, first)

    async def claimed_occurrences(self, meeting_id: int, first: int) -> list[int]:
        """The occurrences from `first` on with reminder claims."""
        found = await self.session.execute(
            select(_C.occurrence)
            .where(_C.meeting_id == meeting_id, _C.occurrence >= first)
            .distinct()
        )
        return sorted(int(index) for index in found.scalars())

    async def cancel(self, meeting_id: int, now: datetime) -> bool:
        result = await self.session.execute(
            update(_M)
            .where(_M.id == meeting_id, _M.status == MeetingStatus.SCHEDULED.value)
            .values(
                status=MeetingStatus.CANCELLED.value,
                cancelled_at=now,
                updated_at=now,
                version=_M.version + 1,
            )
        )
        return bool(getattr(result, "rowcount", 0))

    # ------------------------------------------------------------------ answers

    async def answer(
        self, meeting_id: int, occurrence: int, member_id: int, answer: Rsvp, now: datetime
    ) -> None:
        """The member's answer for the occurrence; a later one replaces it."""
        statement = self._insert(_R).values(
            meeting_id=meeting_id,
            occurrence=occurrence,
            member_id=member_id,
            answer=answer.value,
            answered_at=now,
        )
        statement = statement.on_conflict_do_update(
            index_elements=[_R.meeting_id, _R.occurrence, _R.member_id],
            set_={"answer": answer.value, "answered_at": now},
        )
        await self.session.execute(statement)

    async def answers_of(
        self, member_id: int, occurrences: Collection[tuple[int, int]]
    ) -> dict[tuple[int, int], Rsvp]:
        """The member's answers for these (meeting, occurrence) pairs."""
        if not occurrences:
            return {}
        found = await self.session.execute(
            select(_R.meeting_id, _R.occurrence, _R.answer).where(
                _R.member_id == member_id,
                tuple_(_R.meeting_id, _R.occurrence).in_(list(occurrences)),
            )
        )
        return {(m, o): Rsvp(a) for m, o, a in found.all()}

    async def counts(self, meeting_id: int, occurrence: int) -> AnswerCounts:
        found = await self.session.execute(
            select(_R.answer, func.count())
            .where(_R.meeting_id == meeting_id, _R.occurrence == occurrence)
            .group_by(_R.answer)
        )
        by = {answer: int(count) for answer, count in found.all()}
        return AnswerCounts(by.get("yes", 0), by.get("no", 0), by.get("maybe", 0))

    async def coming_from(
        self, meeting_id: int, first_occurrence: int, answers: Sequence[Rsvp]
    ) -> list[Person]:
        """The members who gave one of `answers` for any occurrence from `first_occurrence`
        on, each once."""
        chosen = (
            select(_R.member_id)
            .where(
                _R.meeting_id == meeting_id,
                _R.occurrence >= first_occurrence,
                _R.answer.in_([a.value for a in answers]),
            )
            .distinct()
        )
        found = await self.session.execute(
            select(Member).where(Member.id.in_(chosen)).order_by(Member.id)
        )
        return [to_person(m) for m in found.scalars()]

    # ------------------------------------------------------------------ reminders

    async def unclaimed(
        self,
        meeting_id: int,
        occurrence: int,
        offset_minutes: int,
        answers: Sequence[Rsvp],
        after_member: int,
        limit: int,
    ) -> list[tuple[Person, datetime]]:
        """A batch of the members who gave one of `answers` for the occurrence and whose
        reminder at this offset is not claimed yet (by member id, after `after_member`),
        with when they answered. The claimed ones are left out by the database (an
        anti-join), so a sweep reads only what is still to do."""
        claimed = (
            select(_C.id)
            .where(
                _C.meeting_id == meeting_id,
                _C.occurrence == occurrence,
                _C.member_id == _R.member_id,
                _C.offset_minutes == offset_minutes,
            )
            # OFFSET 0 keeps PostgreSQL from turning this into an anti-join, whose plan on
            # a claims table grown since its statistics was a scan of every claim per
            # answer; as a subplan it is one index probe per answer, whatever the stats.
            .offset(0)
            .exists()
        )
        found = await self.session.execute(
            select(Member, _R.answered_at)
            .join(_R, _R.member_id == Member.id)
            .where(
                _R.meeting_id == meeting_id,
                _R.occurrence == occurrence,
                _R.answer.in_([a.value for a in answers]),
                _R.member_id > after_member,
                ~claimed,
            )
            .order_by(_R.member_id)
            .limit(limit)
        )
        return [(to_person(m), at) for m, at in found.all()]

    async def claim_many(
        self,
        meeting_id: int,
        occurrence: int,
        offset_minutes: int,
        claims: Sequence[tuple[int, bool, bool]],
        now: datetime,
    ) -> set[int]:
        """Claims the reminders of (member, sent, with link) in one multi-row insert;
        returns the members whose claim this call won (ON CONFLICT DO NOTHING RETURNING: a
        claim made by an earlier sweep or by another process at the same moment is not
        returned; on PostgreSQL the second insert waits for the first's commit)."""
        if not claims:
            return set()
        statement = (
            self._insert(_C)
            .values(
                [
                    {
                        "meeting_id": meeting_id,
                        "occurrence": occurrence,
                        "member_id": member_id,
                        "offset_minutes": offset_minutes,
                        "sent": sent,
                        "with_link": with_link,
                        "claimed_at": now,
                    }
                    for member_id, sent, with_link in claims
                ]
            )
            .on_conflict_do_nothing(
                index_elements=[_C.meeting_id, _C.occurrence, _C.member_id, _C.offset_minutes]
            )
            .returning(_C.member_id)
        )
        return {int(m) for m in (await self.session.execute(statement)).scalars()}

    async def answer_of(self, meeting_id: int, occurrence: int, member_id: int) -> Rsvp | None:
        found = await self.session.execute(
            select(_R.answer).where(
                _R.meeting_id == meeting_id,
                _R.occurrence == occurrence,
                _R.member_id == member_id,
            )
        )
        value = found.scalar_one_or_none()
        return None if value is None else Rsvp(value)

    async def forget_reminders(self, meeting_id: int, first_occurrence: int) -> None:
        """Drops the claims of the occurrences from `first_occurrence` on (their time
        changed: their reminders are due again, at the new moments)."""
        await self.session.execute(
            delete(_C).where(_C.meeting_id == meeting_id, _C.occurrence >= first_occurrence)
        )

    # ------------------------------------------------------------------ attendance

    async def check_in(
        self, meeting_id: int, occurrence: int, member_id: int, now: datetime
    ) -> bool:
        """The member's own "I'm here" (during the meeting): recorded, also over an admin's
        "absent" (the member says they are there now); False when they were recorded
        present already."""
        statement = self._insert(_A).values(
            meeting_id=meeting_id,
            occurrence=occurrence,
            member_id=member_id,
            present=True,
            source="member",
            marked_by=None,
            marked_at=now,
        )
        statement = statement.on_conflict_do_update(
            index_elements=[_A.meeting_id, _A.occurrence, _A.member_id],
            set_={"present": True, "source": "member", "marked_by": None, "marked_at": now},
            where=_A.present.is_(False),
        ).returning(_A.id)
        return (await self.session.execute(statement)).scalar_one_or_none() is not None

    async def mark(
        self,
        meeting_id: int,
        occurrence: int,
        member_id: int,
        present: bool,
        admin_id: int,
        now: datetime,
    ) -> bool:
        """An admin's mark: present or absent, replacing whatever was recorded; False when
        the member was recorded so already (a second tap changes nothing)."""
        statement = self._insert(_A).values(
            meeting_id=meeting_id,
            occurrence=occurrence,
            member_id=member_id,
            present=present,
            source="admin",
            marked_by=admin_id,
            marked_at=now,
        )
        statement = statement.on_conflict_do_update(
            index_elements=[_A.meeting_id, _A.occurrence, _A.member_id],
            set_={"present": present, "source": "admin", "marked_by": admin_id, "marked_at": now},
            where=_A.present.is_not(present),
        ).returning(_A.id)
        return (await self.session.execute(statement)).scalar_one_or_none() is not None

    async def present(self, meeting_id: int, occurrence: int, member_id: int) -> bool | None:
        found = await self.session.execute(
            select(_A.present).where(
                _A.meeting_id == meeting_id,
                _A.occurrence == occurrence,
                _A.member_id == member_id,
            )
        )
        value = found.scalar_one_or_none()
        return None if value is None else bool(value)

    def _roster_ids(self, meeting_id: int, occurrence: int) -> Any:
        answered = select(_R.member_id).where(
            _R.meeting_id == meeting_id, _R.occurrence == occurrence
        )
        marked = select(_A.member_id).where(
            _A.meeting_id == meeting_id, _A.occurrence == occurrence
        )
        return answered.union(marked).subquery()

    async def roster(
        self, meeting_id: int, occurrence: int, offset: int, limit: int
    ) -> tuple[list[RosterRow], int]:
        """A page of the members who answered for the occurrence or whose attendance was
        recorded (yes first, then maybe, the rest; by name), and how many there are."""
        ids = self._roster_ids(meeting_id, occurrence)
        total = int(
            (await self.session.execute(select(func.count()).select_from(ids))).scalar_one()
        )
        answer_order = case(
            (_R.answer == "yes", 0), (_R.answer == "maybe", 1), (_R.answer == "no", 3), else_=2
        )
        found = await self.session.execute(
            select(Member, _R.answer, _A.present)
            .join(ids, ids.c.member_id == Member.id)
            .outerjoin(
                _R,
                and_(
                    _R.member_id == Member.id,
                    _R.meeting_id == meeting_id,
                    _R.occurrence == occurrence,
                ),
            )
            .outerjoin(
                _A,
                and_(
                    _A.member_id == Member.id,
                    _A.meeting_id == meeting_id,
                    _A.occurrence == occurrence,
                ),
            )
            .order_by(answer_order, Member.first_name, Member.id)
            .offset(offset)
            .limit(limit)
        )
        rows = [
            RosterRow(to_person(m), Rsvp(a) if a else None, None if p is None else bool(p))
            for m, a, p in found.all()
        ]
        return rows, total

    async def roster_place(self, meeting_id: int, occurrence: int, member_id: int) -> int | None:
        """Where the member stands in the occurrence's roster (0 first, in `roster`'s
        order); None when they are not on it."""
        ids = self._roster_ids(meeting_id, occurrence)
        answer_order = case(
            (_R.answer == "yes", 0), (_R.answer == "maybe", 1), (_R.answer == "no", 3), else_=2
        )
        ranked = (
            select(Member.id.label("member_id"), answer_order.label("rank"), Member.first_name)
            .join(ids, ids.c.member_id == Member.id)
            .outerjoin(
                _R,
                and_(
                    _R.member_id == Member.id,
                    _R.meeting_id == meeting_id,
                    _R.occurrence == occurrence,
                ),
            )
            .subquery()
        )
        found = (
            await self.session.execute(
                select(ranked.c.rank, ranked.c.first_name).where(ranked.c.member_id == member_id)
            )
        ).first()
        if found is None:
            return None
        rank, name = found
        before = await self.session.execute(
            select(func.count())
            .select_from(ranked)
            .where(
                or_(
                    ranked.c.rank < rank,
                    and_(ranked.c.rank == rank, ranked.c.first_name < name),
                    and_(
                        ranked.c.rank == rank,
                        ranked.c.first_name == name,
                        ranked.c.member_id < member_id,
                    ),
                )
            )
        )
        return int(before.scalar_one())

    async def rate_counts(self, occurrences: Collection[tuple[int, int]]) -> RateCounts:
        """For these (meeting, occurrence) pairs: yes answers, members present, and those
        present among the yes answers."""
        if not occurrences:
            return RateCounts(0, 0, 0)
        pairs = list(occurrences)
        said_yes = await self.session.execute(
            select(func.count()).where(
                tuple_(_R.meeting_id, _R.occurrence).in_(pairs), _R.answer == "yes"
            )
        )
        attended = await self.session.execute(
            select(func.count()).where(
                tuple_(_A.meeting_id, _A.occurrence).in_(pairs), _A.present.is_(True)
            )
        )
        both = await self.session.execute(
            select(func.count())
            .select_from(_R)
            .join(
                _A,
                and_(
                    _A.meeting_id == _R.meeting_id,
                    _A.occurrence == _R.occurrence,
                    _A.member_id == _R.member_id,
                ),
            )
            .where(
                tuple_(_R.meeting_id, _R.occurrence).in_(pairs),
                _R.answer == "yes",
                _A.present.is_(True),
            )
        )
        return RateCounts(
            int(said_yes.scalar_one()), int(attended.scalar_one()), int(both.scalar_one())
        )

    async def by_member(
        self, occurrences: Collection[tuple[int, int]], offset: int, limit: int
    ) -> tuple[list[MemberAttendance], int]:
        """Per member, over these (meeting, occurrence) pairs: times present and times they
        said yes; members with either, most present first."""
        if not occurrences:
            return [], 0
        pairs = list(occurrences)
        yes = (
            select(_R.member_id.label("member_id"), func.count().label("n"))
            .where(tuple_(_R.meeting_id, _R.occurrence).in_(pairs), _R.answer == "yes")
            .group_by(_R.member_id)
            .subquery()
        )
        came = (
            select(_A.member_id.label("member_id"), func.count().label("n"))
            .where(tuple_(_A.meeting_id, _A.occurrence).in_(pairs), _A.present.is_(True))
            .group_by(_A.member_id)
            .subquery()
        )
        attended = func.coalesce(came.c.n, 0)
        said = func.coalesce(yes.c.n, 0)
        base = (
            select(Member, attended, said)
            .outerjoin(yes, yes.c.member_id == Member.id)
            .outerjoin(came, came.c.member_id == Member.id)
            .where(or_(yes.c.n.is_not(None), came.c.n.is_not(None)))
        )
        total = int(
            (
                await self.session.execute(select(func.count()).select_from(base.subquery()))
            ).scalar_one()
        )
        found = await self.session.execute(
            base.order_by(attended.desc(), said.desc(), Member.id).offset(offset).limit(limit)
        )
        rows = [MemberAttendance(to_person(m), int(a), int(s)) for m, a, s in found.all()]
        return rows, total
