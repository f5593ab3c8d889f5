"""What admins do to the library: sections, lessons added from a draft, their title,
tier and content changed, moved up or down, retired and brought back; and the lists
they see, with each lesson's views."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from domain.catalog import Tier
from domain.library import MAX_SECTION_NAME, MAX_TITLE, LessonPart, clean_name, content_problem
from kernel.actor import Actor
from services.library._base import PAGE_SIZE, LibraryError, LibraryProblem, LibraryServiceBase
from storage.repos.library import LessonRecord, LessonViews, Moved, NewLesson, SectionRecord
from storage.uow import UnitOfWork

# An album part of a draft nobody finished is dropped after this long.
DRAFT_PARTS_KEPT = timedelta(days=1)


@dataclass(frozen=True, slots=True)
class LessonDraft:
    """A lesson an admin composed, before it is added. `key` names the draft (the admin
    and their flow): adding the same draft twice adds one lesson."""

    key: str
    section_id: int | None  # None: a new section named `new_section`, made on adding
    title: str
    tier_code: str
    parts: tuple[LessonPart, ...]
    new_section: str = ""


@dataclass(frozen=True, slots=True)
class AdminLesson:
    lesson: LessonRecord
    views: LessonViews


@dataclass(frozen=True, slots=True)
class AdminSectionPage:
    section: SectionRecord
    lessons: tuple[AdminLesson, ...]
    page: int
    pages: int


@dataclass(frozen=True, slots=True)
class AdminLessonCard:
    lesson: LessonRecord
    views: LessonViews
    parts: tuple[LessonPart, ...]
    first: bool  # top of its section: nothing to move above
    last: bool
    place: int  # 1 = top of its section (retired lessons counted): the moves carry it


def title_of(text: str) -> str:
    """A lesson title as typed (one line, 1-80 characters)."""
    title = clean_name(text, MAX_TITLE)
    if title is None:
        raise LibraryError(LibraryProblem.BAD_TITLE, most=MAX_TITLE)
    return title


def section_name_of(text: str) -> str:
    """A section name as typed (one line, 1-40 characters)."""
    name = clean_name(text, MAX_SECTION_NAME)
    if name is None:
        raise LibraryError(LibraryProblem.BAD_SECTION_NAME, most=MAX_SECTION_NAME)
    return name


def check_content(parts: Sequence[LessonPart]) -> tuple[LessonPart, ...]:
    """The parts, when they can be a lesson (domain.library.content_problem)."""
    why = content_problem(parts)
    if why is not None:
        raise LibraryError(LibraryProblem.BAD_CONTENT, why=why.value)
    return tuple(parts)


async def _tier_id(uow: UnitOfWork, code: str) -> int:
    found = next((i for i, tier in await uow.library.tiers() if tier.code == code), None)
    if found is None:
        raise LibraryError(LibraryProblem.NO_TIER)
    return found


async def _existing(uow: UnitOfWork, lesson_id: int) -> LessonRecord:
    lesson = await uow.library.lesson(lesson_id)
    if lesson is None:
        raise LibraryError(LibraryProblem.NO_LESSON)
    return lesson


async def _section_for(uow: UnitOfWork, name: str, admin: Actor, now: datetime) -> int:
    """The id of the section of that name, made (placed last) when there is none."""
    section_id = await uow.library.section_named(name)
    if section_id is None:
        section_id = await uow.library.add_section(name, now)
        if section_id is None:  # added by someone else meanwhile
            section_id = await uow.library.section_named(name)
        else:
            uow.audit.record(admin, "library_section", f"section:{section_id}", now)
    assert section_id is not None
    return section_id


class Managing(LibraryServiceBase):
    async def sections(self) -> list[SectionRecord]:
        async with self.uow() as uow:
            return await uow.library.sections()

    async def tiers(self) -> list[Tier]:
        """The tiers a lesson may be open from, lowest first."""
        async with self.uow() as uow:
            return [tier for _, tier in await uow.library.tiers()]

    async def add_section(self, name: str, admin: Actor) -> SectionRecord:
        """A new section placed last; a name already used (spaces and case aside) gives
        that section."""
        name = section_name_of(name)
        async with self.uow() as uow:
            section_id = await _section_for(uow, name, admin, self.clock.now())
            section = await uow.library.section(section_id)
            await uow.commit()
        assert section is not None
        return section

    async def section_named(self, name: str) -> SectionRecord | None:
        """The section of that name (spaces and case aside), or None: nothing is made."""
        name = section_name_of(name)
        async with self.uow() as uow:
            section_id = await uow.library.section_named(name)
            return None if section_id is None else await uow.library.section(section_id)

    async def rename_section(self, section_id: int, name: str, admin: Actor) -> SectionRecord:
        """The section under its new name; refused when another section has it."""
        name = section_name_of(name)
        async with self.uow() as uow:
            if await uow.library.section(section_id) is None:
                raise LibraryError(LibraryProblem.NO_SECTION)
            other = await uow.library.section_named(name)
            if (other is not None and other != section_id) or not (
                await uow.library.rename_section(section_id, name)
            ):
                raise LibraryError(LibraryProblem.SECTION_TAKEN, name=name)
            now = self.clock.now()
            uow.audit.record(admin, "library_section_name", f"section:{section_id}", now, name=name)
            section = await uow.library.section(section_id)
            await uow.commit()
        assert section is not None
        return section

    async def delete_section(self, section_id: int, admin: Actor) -> None:
        """Delete a section that holds no lesson (retired ones count: their views stay)."""
        async with self.uow() as uow:
            if await uow.library.section(section_id) is None:
                raise LibraryError(LibraryProblem.NO_SECTION)
            if not await uow.library.delete_empty_section(section_id):
                raise LibraryError(LibraryProblem.SECTION_NOT_EMPTY)
            now = self.clock.now()
            uow.audit.record(admin, "library_section_delete", f"section:{section_id}", now)
            await uow.commit()

    async def add_lesson(self, draft: LessonDraft, admin: Actor) -> tuple[LessonRecord, bool]:
        """The lesson added from the draft, last in its section, and True; or the lesson
        this draft added already and False (a second tap of "add")."""
        title = title_of(draft.title)
        parts = check_content(draft.parts)
        now = self.clock.now()
        async with self.uow() as uow:
            done = await uow.library.lesson_by_key(draft.key)
            if done is None:
                if draft.section_id is None:  # the section is made with its first lesson
                    name = section_name_of(draft.new_section)
                    section_id = await _section_for(uow, name, admin, now)
                elif await uow.library.section(draft.section_id) is None:
                    raise LibraryError(LibraryProblem.NO_SECTION)
                else:
                    section_id = draft.section_id
                tier_id = await _tier_id(uow, draft.tier_code)
                new = NewLesson(section_id, title, tier_id, admin.telegram_id, draft.key, parts)
                lesson_id = await uow.library.add_lesson(new, now)
                if lesson_id is not None:
                    uow.audit.record(admin, "library_add", f"lesson:{lesson_id}", now, title=title)
                    lesson = await _existing(uow, lesson_id)
                    await uow.commit()
                    return lesson, True
        # The same draft was added already (or just now, by a concurrent tap).
        async with self.uow() as uow:
            done = await uow.library.lesson_by_key(draft.key)
            assert done is not None
            return await _existing(uow, done), False

    async def section_lessons(self, section_id: int, page: int) -> AdminSectionPage:
        """One page of a section's lessons, retired ones too, with their views."""
        async with self.uow() as uow:
            section = await uow.library.section(section_id)
            if section is None:
                raise LibraryError(LibraryProblem.NO_SECTION)
            pages = max(-(-section.total // PAGE_SIZE), 1)
            page = min(max(page, 0), pages - 1)
            lessons = await uow.library.lessons_in(
                section_id, live_only=False, offset=page * PAGE_SIZE, limit=PAGE_SIZE
            )
            views = await uow.library.views_of([x.id for x in lessons])
        listed = tuple(AdminLesson(x, views[x.id]) for x in lessons)
        return AdminSectionPage(section, listed, page, pages)

    async def lesson_card(self, lesson_id: int) -> AdminLessonCard:
        async with self.uow() as uow:
            lesson = await _existing(uow, lesson_id)
            views = (await uow.library.views_of([lesson_id]))[lesson_id]
            parts = await uow.library.parts(lesson_id)
            order = [x.id for x in await uow.library.lessons_in(lesson.section_id, live_only=False)]
        place = order.index(lesson_id) + 1
        return AdminLessonCard(lesson, views, parts, place == 1, place == len(order), place)

    async def rename(self, lesson_id: int, title: str, admin: Actor) -> LessonRecord:
        title = title_of(title)
        async with self.uow() as uow:
            await _existing(uow, lesson_id)
            await uow.library.set_title(lesson_id, title)
            return await self._changed(uow, admin, lesson_id, "library_title", title=title)

    async def set_tier(self, lesson_id: int, tier_code: str, admin: Actor) -> LessonRecord:
        async with self.uow() as uow:
            await _existing(uow, lesson_id)
            await uow.library.set_tier(lesson_id, await _tier_id(uow, tier_code))
            return await self._changed(uow, admin, lesson_id, "library_tier", tier=tier_code)

    async def replace_content(
        self, lesson_id: int, parts: Sequence[LessonPart], admin: Actor
    ) -> LessonRecord:
        checked = check_content(parts)
        async with self.uow() as uow:
            await _existing(uow, lesson_id)
            await uow.library.replace_parts(lesson_id, checked)
            return await self._changed(uow, admin, lesson_id, "library_content", parts=len(checked))

    async def retire(
        self, lesson_id: int, retired: bool, admin: Actor
    ) -> tuple[LessonRecord, bool]:
        """Retire the lesson (members no longer see it) or bring it back; False when it
        already was (a second tap changes nothing)."""
        async with self.uow() as uow:
            await _existing(uow, lesson_id)
            changed = await uow.library.set_retired(lesson_id, retired, self.clock.now())
            if not changed:
                return await _existing(uow, lesson_id), False
            action = "library_retire" if retired else "library_unretire"
            return await self._changed(uow, admin, lesson_id, action), True

    async def move(self, lesson_id: int, up: bool, seen_place: int, admin: Actor) -> Moved:
        """Move the lesson one place up (or down) in its section, when it is still at
        the place the admin saw (1 = top; a double tap moves it once): STALE otherwise,
        END at the end already."""
        async with self.uow() as uow:
            await _existing(uow, lesson_id)
            moved = await uow.library.move(lesson_id, up, seen_place)
            if moved is Moved.GONE:
                raise LibraryError(LibraryProblem.NO_LESSON)
            if moved is Moved.MOVED:
                await self._changed(uow, admin, lesson_id, "library_move", up=up)
        return moved

    async def keep_album_part(
        self, draft_key: str, album: str, message_id: int, part: LessonPart
    ) -> None:
        """One part of an album an admin sends as a lesson's content (a row each: parts
        handled at the same time, in any process, are all kept). Parts of drafts left
        for a day are dropped on the way."""
        now = self.clock.now()
        async with self.uow() as uow:
            await uow.library.drop_draft_parts_before(now - DRAFT_PARTS_KEPT)
            await uow.library.keep_draft_part(draft_key, album, message_id, part, now)
            await uow.commit()

    async def album_parts(self, draft_key: str, album: str) -> tuple[LessonPart, ...]:
        async with self.uow() as uow:
            return await uow.library.draft_parts(draft_key, album)

    async def drop_album(self, draft_key: str) -> None:
        """The draft's album parts, once it is added or dropped."""
        async with self.uow() as uow:
            await uow.library.drop_draft_parts(draft_key)
            await uow.commit()

    async def _changed(
        self, uow: UnitOfWork, admin: Actor, lesson_id: int, action: str, **details: object
    ) -> LessonRecord:
        uow.audit.record(admin, action, f"lesson:{lesson_id}", self.clock.now(), **details)
        lesson = await _existing(uow, lesson_id)
        await uow.commit()
        return lesson
