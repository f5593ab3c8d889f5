"""The owner's numbers about the library: lessons opened in a period."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from services.library._base import LibraryServiceBase
from storage.repos.library import TopLesson

TOP_LESSONS = 5


@dataclass(frozen=True, slots=True)
class LibraryViews:
    """Lesson views in [start, end): `opens` every opening (the same member opening a
    lesson twice counts twice), `members` the distinct members who opened any lesson,
    `top` the most opened lessons (most opens first, at most five)."""

    start: datetime
    end: datetime
    opens: int
    members: int
    top: tuple[TopLesson, ...]


class Viewing(LibraryServiceBase):
    async def views(self, period_start: datetime, period_end: datetime) -> LibraryViews:
        """Lesson views from `period_start` (included) to `period_end` (excluded)."""
        async with self.uow() as uow:
            total = await uow.library.views_between(period_start, period_end)
            top = await uow.library.top_lessons(period_start, period_end, TOP_LESSONS)
        return LibraryViews(period_start, period_end, total.opens, total.members, tuple(top))
