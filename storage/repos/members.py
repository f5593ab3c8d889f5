from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
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

    async def insert_if_absent(
        self,
        *,
        telegram_id: int,
        referral_code: str,
        first_name: str,
        now: datetime,
        last_name: str | None = None,
        username: str | None = None,
        telegram_language: str | None = None,
    ) -> bool:
        """INSERT … ON CONFLICT (telegram_id) DO NOTHING; True when this call inserted.

        Two registrations of the same person at once (a double-tapped /start, two first
        updates in flight) both get here: on PostgreSQL the second INSERT waits for the
        first transaction and then does nothing, instead of failing on
        uq_members_telegram_id. Read the row afterwards with `by_telegram_id`.
        """
        bind = self.session.bind
        dialect = bind.dialect.name if bind is not None else "sqlite"
        values = {
            "telegram_id": telegram_id,
            "referral_code": referral_code,
            "first_name": first_name,
            "last_name": last_name,
            "username": username,
            "telegram_language": telegram_language,
            "created_at": now,
            "last_seen_at": now,
        }
        conflict = [Member.telegram_id]
        if dialect == "postgresql":
            statement = (
                postgresql_insert(Member)
                .values(values)
                .on_conflict_do_nothing(index_elements=conflict)
                .returning(Member.id)
            )
        else:
            statement = (
                sqlite_insert(Member)
                .values(values)
                .on_conflict_do_nothing(index_elements=conflict)
                .returning(Member.id)
            )
        inserted = (await self.session.execute(statement)).scalar_one_or_none()
        return inserted is not None
