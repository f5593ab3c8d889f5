"""The learning library: sections, lessons with their tier and content parts, and the
openings of lessons (one row each)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import ColumnElement, case, delete, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql import Select

from domain.catalog import Tier
from domain.library import ContentKind, LessonPart, section_key
from storage.models import Tier as TierRow
from storage.models.library import (
    LibraryDraftPart,
    LibraryLesson,
    LibraryLessonPart,
    LibrarySection,
    LibraryView,
)

__all__ = [
    "LessonRecord",
    "LessonViews",
    "LibraryRepository",
    "Moved",
    "NewLesson",
    "SectionRecord",
    "TopLesson",
]

_L, _S, _P, _V, _D = LibraryLesson, LibrarySection, LibraryLessonPart, LibraryView, LibraryDraftPart


class Moved(StrEnum):
    MOVED = "moved"
    END = "end"  # at the top (bottom) already
    STALE = "stale"  # not at the place the admin saw: it moved meanwhile
    GONE = "gone"


@dataclass(frozen=True, slots=True)
class SectionRecord:
    """A section and how many lessons it holds: `live` not retired, `total` all."""

    id: int
    name: str
    position: int
    live: int
    total: int


@dataclass(frozen=True, slots=True)
class LessonRecord:
    id: int
    section_id: int
    section_name: str
    title: str
    tier: Tier
    position: int
    retired_at: datetime | None
    created_by: int
    created_at: datetime

    @property
    def retired(self) -> bool:
        return self.retired_at is not None


@dataclass(frozen=True, slots=True)
class NewLesson:
    section_id: int
    title: str
    tier_id: int
    created_by: int
    draft_key: str
    parts: tuple[LessonPart, ...]


@dataclass(frozen=True, slots=True)
class LessonViews:
    """How often a lesson was opened (`opens`) and by how many members."""

    opens: int
    members: int


@dataclass(frozen=True, slots=True)
class TopLesson:
    lesson_id: int
    title: str
    opens: int
    members: int


def _live() -> ColumnElement[bool]:
    return _L.retired_at.is_(None)


def _lesson_query() -> Select[Any]:
    return (
        select(_L, _S.name, TierRow.code, TierRow.rank)
        .join(_S, _S.id == _L.section_id)
        .join(TierRow, TierRow.id == _L.tier_id)
    )


def _lesson(row: LibraryLesson, section: str, tier_code: str, rank: int) -> LessonRecord:
    return LessonRecord(
        id=row.id,
        section_id=row.section_id,
        section_name=section,
        title=row.title,
        tier=Tier(tier_code, rank),
        position=row.position,
        retired_at=row.retired_at,
        created_by=row.created_by,
        created_at=row.created_at,
    )


class LibraryRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    # ------------------------------------------------------------------ sections

    async def sections(self) -> list[SectionRecord]:
        """Every section in order, with its lesson counts."""
        live = func.coalesce(func.sum(case((_L.id.is_not(None) & _live(), 1), else_=0)), 0)
        found = await self.session.execute(
            select(_S.id, _S.name, _S.position, live, func.count(_L.id))
            .outerjoin(_L, _L.section_id == _S.id)
            .group_by(_S.id, _S.name, _S.position)
            .order_by(_S.position, _S.id)
        )
        return [
            SectionRecord(row[0], row[1], row[2], int(row[3]), int(row[4])) for row in found.all()
        ]

    async def section(self, section_id: int) -> SectionRecord | None:
        return next((s for s in await self.sections() if s.id == section_id), None)

    async def section_named(self, name: str) -> int | None:
        """The section of that name, spaces and case aside (domain.library.section_key)."""
        found = await self.session.execute(select(_S.id).where(_S.name_key == section_key(name)))
        section_id: int | None = found.scalar_one_or_none()
        return section_id

    async def add_section(self, name: str, now: datetime) -> int | None:
        """The new section's id, placed last; None when the name is taken (meanwhile)."""
        last = (await self.session.execute(select(func.max(_S.position)))).scalar_one()
        row = _S(name=name, name_key=section_key(name), position=(last or 0) + 1, created_at=now)
        try:
            async with self.session.begin_nested():
                self.session.add(row)
        except IntegrityError:
            return None
        return row.id

    async def rename_section(self, section_id: int, name: str) -> bool:
        """False when another section has that name already (or this one is gone)."""
        try:
            async with self.session.begin_nested():
                done = await self.session.execute(
                    update(_S)
                    .where(_S.id == section_id)
                    .values(name=name, name_key=section_key(name))
                )
        except IntegrityError:
            return False
        return bool(done.rowcount)  # type: ignore[attr-defined]

    async def delete_empty_section(self, section_id: int) -> bool:
        """Delete the section when it holds no lesson at all (retired ones count);
        False when it holds one, or is gone."""
        holds = select(_L.id).where(_L.section_id == section_id).exists()
        done = await self.session.execute(delete(_S).where(_S.id == section_id, ~holds))
        return bool(done.rowcount)  # type: ignore[attr-defined]

    async def tiers(self) -> list[tuple[int, Tier]]:
        """Every tier with its row id, lowest rank first (a lesson's minimum tier)."""
        found = await self.session.execute(
            select(TierRow.id, TierRow.code, TierRow.rank).order_by(TierRow.rank)
        )
        return [(row[0], Tier(row[1], row[2])) for row in found.all()]

    # ------------------------------------------------------------------ lessons

    async def lesson(self, lesson_id: int) -> LessonRecord | None:
        row = (await self.session.execute(_lesson_query().where(_L.id == lesson_id))).first()
        return None if row is None else _lesson(*row)

    async def lessons_in(
        self, section_id: int, *, live_only: bool, offset: int = 0, limit: int | None = None
    ) -> list[LessonRecord]:
        """The section's lessons in their order (retired ones too unless `live_only`)."""
        query = _lesson_query().where(_L.section_id == section_id)
        if live_only:
            query = query.where(_live())
        query = query.order_by(_L.position, _L.id).offset(offset).limit(limit)
        return [_lesson(*row) for row in (await self.session.execute(query)).all()]

    async def lesson_by_key(self, draft_key: str) -> int | None:
        found = await self.session.execute(select(_L.id).where(_L.draft_key == draft_key))
        lesson_id: int | None = found.scalar_one_or_none()
        return lesson_id

    async def add_lesson(self, new: NewLesson, now: datetime) -> int | None:
        """The new lesson's id, last of its section; None when its draft was added already
        (a second tap of "add": the unique draft key)."""
        last = (
            await self.session.execute(
                select(func.max(_L.position)).where(_L.section_id == new.section_id)
            )
        ).scalar_one()
        row = _L(
            section_id=new.section_id,
            title=new.title,
            tier_id=new.tier_id,
            position=(last or 0) + 1,
            created_by=new.created_by,
            created_at=now,
            draft_key=new.draft_key,
        )
        try:
            async with self.session.begin_nested():
                self.session.add(row)
        except IntegrityError:
            return None
        await self.replace_parts(row.id, new.parts)
        return row.id

    async def parts(self, lesson_id: int) -> tuple[LessonPart, ...]:
        found = await self.session.execute(
            select(_P.kind, _P.file_id, _P.html)
            .where(_P.lesson_id == lesson_id)
            .order_by(_P.position)
        )
        return tuple(LessonPart(ContentKind(k), f, h) for k, f, h in found.all())

    async def replace_parts(self, lesson_id: int, parts: Sequence[LessonPart]) -> None:
        await self.session.execute(delete(_P).where(_P.lesson_id == lesson_id))
        self.session.add_all(
            _P(lesson_id=lesson_id, position=n, kind=p.kind.value, file_id=p.file_id, html=p.html)
            for n, p in enumerate(parts)
        )
        await self.session.flush()

    async def set_title(self, lesson_id: int, title: str) -> bool:
        done = await self.session.execute(update(_L).where(_L.id == lesson_id).values(title=title))
        return bool(done.rowcount)  # type: ignore[attr-defined]

    async def set_tier(self, lesson_id: int, tier_id: int) -> bool:
        done = await self.session.execute(
            update(_L).where(_L.id == lesson_id).values(tier_id=tier_id)
        )
        return bool(done.rowcount)  # type: ignore[attr-defined]

    async def set_retired(self, lesson_id: int, retired: bool, now: datetime) -> bool:
        """Compare-and-set: retire a live lesson or bring back a retired one; False when
        it already was (a second tap) or is gone."""
        was = _live() if retired else _L.retired_at.is_not(None)
        done = await self.session.execute(
            update(_L).where(_L.id == lesson_id, was).values(retired_at=now if retired else None)
        )
        return bool(done.rowcount)  # type: ignore[attr-defined]

    async def move(self, lesson_id: int, up: bool, seen_place: int) -> Moved:
        """Swap the lesson with its neighbour above (or below) in its section; the section
        is numbered afresh. Compare-and-set on the place the admin saw (1 = top): when
        the lesson is elsewhere now (a double tap, another admin) nothing moves."""
        section = (
            await self.session.execute(select(_L.section_id).where(_L.id == lesson_id))
        ).scalar_one_or_none()
        if section is None:
            return Moved.GONE
        order = list(
            (
                await self.session.execute(
                    select(_L.id)
                    .where(_L.section_id == section)
                    .order_by(_L.position, _L.id)
                    .with_for_update()
                )
            ).scalars()
        )
        at = order.index(lesson_id)
        if at + 1 != seen_place:
            return Moved.STALE
        to = at - 1 if up else at + 1
        if not 0 <= to < len(order):
            return Moved.END
        order[at], order[to] = order[to], order[at]
        for position, each in enumerate(order, start=1):
            await self.session.execute(update(_L).where(_L.id == each).values(position=position))
        return Moved.MOVED

    # ------------------------------------------------------------------ album drafts

    async def keep_draft_part(
        self, draft_key: str, album: str, message_id: int, part: LessonPart, now: datetime
    ) -> None:
        """One part of an album being composed; the same message twice is kept once."""
        row = _D(
            draft_key=draft_key,
            album=album,
            message_id=message_id,
            kind=part.kind.value,
            file_id=part.file_id,
            html=part.html,
            created_at=now,
        )
        try:
            async with self.session.begin_nested():
                self.session.add(row)
        except IntegrityError:
            pass

    async def draft_parts(self, draft_key: str, album: str) -> tuple[LessonPart, ...]:
        """The album's parts in the order they were sent."""
        found = await self.session.execute(
            select(_D.kind, _D.file_id, _D.html)
            .where(_D.draft_key == draft_key, _D.album == album)
            .order_by(_D.message_id)
        )
        return tuple(LessonPart(ContentKind(k), f, h) for k, f, h in found.all())

    async def drop_draft_parts(self, draft_key: str) -> None:
        await self.session.execute(delete(_D).where(_D.draft_key == draft_key))

    async def drop_draft_parts_before(self, cutoff: datetime) -> None:
        """Parts of drafts left unfinished (kept before `cutoff`)."""
        await self.session.execute(delete(_D).where(_D.created_at < cutoff))

    # ------------------------------------------------------------------ views

    async def record_view(self, lesson_id: int, member_id: int, now: datetime) -> None:
        self.session.add(_V(lesson_id=lesson_id, member_id=member_id, opened_at=now))
        await self.session.flush()

    async def views_of(self, lesson_ids: Sequence[int]) -> dict[int, LessonViews]:
        """Opens and distinct members of each lesson, since it was added."""
        if not lesson_ids:
            return {}
        found = await self.session.execute(
            select(_V.lesson_id, func.count(), func.count(func.distinct(_V.member_id)))
            .where(_V.lesson_id.in_(lesson_ids))
            .group_by(_V.lesson_id)
        )
        counted = {row[0]: LessonViews(int(row[1]), int(row[2])) for row in found.all()}
        return {i: counted.get(i, LessonViews(0, 0)) for i in lesson_ids}

    async def views_between(self, start: datetime, end: datetime) -> LessonViews:
        """Opens in [start, end) and the members who opened any lesson then."""
        found = await self.session.execute(
            select(func.count(), func.count(func.distinct(_V.member_id))).where(
                _V.opened_at >= start, _V.opened_at < end
            )
        )
        opens, members = found.one()
        return LessonViews(int(opens), int(members))

    async def top_lessons(self, start: datetime, end: datetime, limit: int) -> list[TopLesson]:
        """The most opened lessons in [start, end), most opens first."""
        opens = func.count().label("opens")
        found = await self.session.execute(
            select(_V.lesson_id, _L.title, opens, func.count(func.distinct(_V.member_id)))
            .join(_L, _L.id == _V.lesson_id)
            .where(_V.opened_at >= start, _V.opened_at < end)
            .group_by(_V.lesson_id, _L.title)
            .order_by(opens.desc(), _V.lesson_id)
            .limit(limit)
        )
        return [TopLesson(int(r[0]), r[1], int(r[2]), int(r[3])) for r in found.all()]
