"""What admins read: one announcement, and the history page by page."""

from __future__ import annotations

from dataclasses import dataclass

from services.announcements._base import (
    AnnouncementError,
    AnnouncementProblem,
    AnnouncementServiceBase,
)
from storage.repos.announcements import AnnouncementRecord

PAGE_SIZE = 5


@dataclass(frozen=True, slots=True)
class HistoryPage:
    announcements: list[AnnouncementRecord]
    page: int  # from 0
    pages: int


class History(AnnouncementServiceBase):
    async def announcement(self, announcement_id: int) -> AnnouncementRecord:
        async with self.uow() as uow:
            record = await uow.announcements.get(announcement_id)
        if record is None:
            raise AnnouncementError(AnnouncementProblem.NOT_FOUND, id=announcement_id)
        return record

    async def history(self, page: int = 0) -> HistoryPage:
        """Announcements newest first, PAGE_SIZE a page; a page past the end shows the
        last one."""
        async with self.uow() as uow:
            first, total = await uow.announcements.recent(PAGE_SIZE, max(page, 0) * PAGE_SIZE)
            pages = max(1, -(-total // PAGE_SIZE))
            if page >= pages and total:
                page = pages - 1
                first, total = await uow.announcements.recent(PAGE_SIZE, page * PAGE_SIZE)
        return HistoryPage(first, max(page, 0), pages)
