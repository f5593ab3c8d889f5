"""Leader links: who is whose leader, and since when."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession


class LeaderRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session
