"""Daily reports, their screenshots and batches."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession


class ReportRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session
