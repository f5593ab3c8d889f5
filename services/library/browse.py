"""What a member sees of the library: the sections, a section's lessons (locked ones
marked) and a lesson opened. Access is decided here at every request from the plans the
member holds now: a VIP whose 30 days ran out finds VIP lessons locked again."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from domain.catalog import Plan, Tier
from domain.library import LessonPart, opens
from domain.membership import effective_tier
from services.library._base import PAGE_SIZE, LibraryServiceBase
from storage.repos.library import LessonRecord
from storage.uow import UnitOfWork


@dataclass(frozen=True, slots=True)
class ShelfSection:
    id: int
    name: str
    lessons: int  # not retired


@dataclass(frozen=True, slots=True)
class Shelf:
    """The member's tier now (None: no plan) and the sections that hold lessons."""

    tier: Tier | None
    sections: tuple[ShelfSection, ...]
    lowest: Tier | None  # the tier that opens the cheapest lessons (for someone with none)


@dataclass(frozen=True, slots=True)
class ShelfLesson:
    id: int
    title: str
    tier: Tier
    locked: bool


@dataclass(frozen=True, slots=True)
class SectionPage:
    section: ShelfSection
    tier: Tier | None
    lessons: tuple[ShelfLesson, ...]
    page: int
    pages: int


class Opened(StrEnum):
    OPEN = "open"  # here is the content (record the view once it is delivered)
    LOCKED = "locked"  # above the member's tier now
    GONE = "gone"  # retired, or no such lesson


@dataclass(frozen=True, slots=True)
class Opening:
    outcome: Opened
    lesson: LessonRecord | None = None
    parts: tuple[LessonPart, ...] = ()
    tier: Tier | None = None  # the member's tier now
    # Plans on sale that open a locked lesson, cheapest first.
    unlock_with: tuple[Plan, ...] = ()
    member_id: int | None = None  # who opens it (OPEN only)


async def _tier_now(
    uow: UnitOfWork, telegram_id: int, now: datetime
) -> tuple[int | None, Tier | None]:
    person = await uow.members.by_telegram_id(telegram_id)
    if person is None:
        return None, None
    held = await uow.memberships.held(person.id)
    return person.id, effective_tier(held, now)


class Browsing(LibraryServiceBase):
    async def shelf(self, telegram_id: int) -> Shelf:
        """The sections holding at least one lesson (locked ones count: a member sees what
        an upgrade opens), and the member's tier now."""
        async with self.uow() as uow:
            _, tier = await _tier_now(uow, telegram_id, self.clock.now())
            sections = await uow.library.sections()
            tiers = await uow.library.tiers()
        shown = tuple(ShelfSection(s.id, s.name, s.live) for s in sections if s.live)
        return Shelf(tier, shown, tiers[0][1] if tiers else None)

    async def section_page(
        self, telegram_id: int, section_id: int, page: int
    ) -> SectionPage | None:
        """One page of a section's lessons (retired ones are not listed), each marked
        locked or not for this member now; None when the section is gone or empty. A
        page past the end shows the last."""
        async with self.uow() as uow:
            _, tier = await _tier_now(uow, telegram_id, self.clock.now())
            section = await uow.library.section(section_id)
            if section is None or section.live == 0:
                return None
            pages = -(-section.live // PAGE_SIZE)
            page = min(max(page, 0), pages - 1)
            lessons = await uow.library.lessons_in(
                section_id, live_only=True, offset=page * PAGE_SIZE, limit=PAGE_SIZE
            )
        shown = tuple(
            ShelfLesson(x.id, x.title, x.tier, not opens(tier, x.tier.rank)) for x in lessons
        )
        return SectionPage(
            ShelfSection(section.id, section.name, section.live), tier, shown, page, pages
        )

    async def open_lesson(self, telegram_id: int, lesson_id: int) -> Opening:
        """The lesson's content when the member's tier now opens it; otherwise why not:
        retired or gone, or locked with the plans on sale that would open it. Nothing is
        recorded: the caller records the view (`record_view`) once the content reached
        the member."""
        now = self.clock.now()
        async with self.uow() as uow:
            member_id, tier = await _tier_now(uow, telegram_id, now)
            lesson = await uow.library.lesson(lesson_id)
            if lesson is None or lesson.retired:
                return Opening(Opened.GONE, tier=tier)
            if member_id is None or not opens(tier, lesson.tier.rank):
                plans = await uow.catalog.plans_on_sale()
                unlock = sorted(
                    (p for p in plans if p.tier.rank >= lesson.tier.rank), key=lambda p: p.price
                )
                return Opening(Opened.LOCKED, lesson, tier=tier, unlock_with=tuple(unlock))
            parts = await uow.library.parts(lesson_id)
        return Opening(Opened.OPEN, lesson, parts, tier, member_id=member_id)

    async def record_view(self, opening: Opening) -> None:
        """One opening of a lesson, counted once its content was delivered."""
        if opening.outcome is not Opened.OPEN or opening.lesson is None:
            return
        assert opening.member_id is not None
        async with self.uow() as uow:
            await uow.library.record_view(opening.lesson.id, opening.member_id, self.clock.now())
            await uow.commit()
