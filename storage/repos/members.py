from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Member


class MemberRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def by_telegram_id(self, telegram_id: int) -> Member | None:
        result = await self.session.execute(select(Member).where(Member.telegram_id == telegram_id))
        return result.scalar_one_or_none()

    async def by_referral_code(self, code: str) -> Member | None:
        result = await self.session.execute(select(Member).where(Member.referral_code == code))
        return result.scalar_one_or_none()

    async def code_taken(self, code: str) -> bool:
        return await self.by_referral_code(code) is not None

    def add(self, member: Member) -> None:
        self.session.add(member)
