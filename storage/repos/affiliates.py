"""TikTok affiliate accounts and who holds them."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession


class AffiliateRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session
