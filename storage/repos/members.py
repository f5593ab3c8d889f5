"""Members, handed out as `domain.people.Person` values; every change a named method."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Select, bindparam, func, or_, select, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from domain.catalog import Plan
from domain.membership import MembershipStatus
from domain.people import Person
from domain.states import PaymentStatus
from storage import models
from storage.models import Member
from storage.repos._rows import PlainRows, read_plain
from storage.repos.catalog import to_plan

# The most read rows of all: statements built once, rows read without ORM objects.
_MEMBERS = PlainRows(Member)
_PLANS, _TIERS = PlainRows(models.Plan), PlainRows(models.Tier)
_BY_ID = _MEMBERS.select().where(_MEMBERS.c.id == bindparam("key"))
_BY_TELEGRAM_ID = _MEMBERS.select().where(_MEMBERS.c.telegram_id == bindparam("key"))


def to_person(row: Member) -> Person:
    return Person(
        id=row.id,
        telegram_id=row.telegram_id,
        first_name=row.first_name,
        last_name=row.last_name,
        username=row.username,
        telegram_language=row.telegram_language,
        chosen_language=row.chosen_language,
        referral_code=row.referral_code,
        arrived_with_code=row.arrived_with_code,
        blocked_bot_at=row.blocked_bot_at,
        created_at=row.created_at,
        last_seen_at=row.last_seen_at,
    )


@dataclass(frozen=True, slots=True)
class CardMembership:
    """One of a member's memberships, active or ended, as their member card lists it."""

    id: int
    plan: Plan
    status: MembershipStatus
    activated_at: datetime | None
    expires_at: datetime | None
    ended_at: datetime | None
    end_reason: str | None
    granted_by: int | None


@dataclass(frozen=True, slots=True)
class CardPayment:
    """One of a member's payment requests, as their member card lists it."""

    id: int
    plan: Plan
    amount: int
    status: PaymentStatus
    created_at: datetime


class MemberRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def _one(self, *where: Any) -> Person | None:
        row = (await self.session.execute(select(Member).where(*where))).scalar_one_or_none()
        return None if row is None else to_person(row)

    async def _plain(self, statement: Select[Any], key: int) -> Person | None:
        row = (await read_plain(self.session, statement, {"key": key})).first()
        return None if row is None else to_person(_MEMBERS.take(row))

    async def by_telegram_id(self, telegram_id: int) -> Person | None:
        return await self._plain(_BY_TELEGRAM_ID, telegram_id)

    async def by_id(self, member_id: int) -> Person | None:
        return await self._plain(_BY_ID, member_id)

    async def by_referral_code(self, code: str) -> Person | None:
        return await self._one(Member.referral_code == code)

    async def by_username(self, username: str) -> Person | None:
        """Usernames are case-insensitive; a name that changed hands is found on the
        member who was seen with it last."""
        result = await self.session.execute(
            select(Member)
            .where(func.lower(Member.username) == username.lower())
            .order_by(Member.last_seen_at.desc(), Member.id.desc())
            .limit(1)
        )
        row = result.scalar_one_or_none()
        return None if row is None else to_person(row)

    async def search(self, text: str, limit: int, offset: int) -> tuple[list[Person], int]:
        """Members whose name or username contains `text` (case-insensitive; `%` and `_`
        match themselves), by first name then id, `limit` from `offset`, and how many
        match in all (two queries; a scan, fine for an admin's search)."""
        escaped = text.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        pattern = f"%{escaped}%"
        name = func.lower(Member.first_name + " " + func.coalesce(Member.last_name, ""))
        username = func.lower(func.coalesce(Member.username, ""))
        matches = or_(name.like(pattern, escape="\\"), username.like(pattern, escape="\\"))
        total = await self.session.scalar(select(func.count()).select_from(Member).where(matches))
        rows = await self.session.execute(
            select(Member)
            .where(matches)
            .order_by(func.lower(Member.first_name), Member.id)
            .limit(limit)
            .offset(offset)
        )
        return [to_person(row) for row in rows.scalars()], int(total or 0)

    async def by_ids(self, member_ids: Collection[int]) -> dict[int, Person]:
        if not member_ids:
            return {}
        rows = await self.session.execute(select(Member).where(Member.id.in_(member_ids)))
        return {row.id: to_person(row) for row in rows.scalars()}

    async def code_taken(self, code: str) -> bool:
        return await self.by_referral_code(code) is not None

    async def refresh_profile(
        self,
        member_id: int,
        *,
        first_name: str,
        last_name: str | None,
        username: str | None,
        telegram_language: str | None,
        now: datetime,
    ) -> None:
        """What Telegram says about them now; writing to us again means they unblocked us."""
        await self.session.execute(
            update(Member)
            .where(Member.id == member_id)
            .values(
                first_name=first_name,
                last_name=last_name,
                username=username,
                telegram_language=telegram_language,
                last_seen_at=now,
                blocked_bot_at=None,
            )
        )

    async def set_arrived_with_code(self, member_id: int, code: str) -> None:
        await self.session.execute(
            update(Member).where(Member.id == member_id).values(arrived_with_code=code)
        )

    async def set_chosen_language(self, member_id: int, language: str) -> None:
        await self.session.execute(
            update(Member).where(Member.id == member_id).values(chosen_language=language)
        )

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

    async def card_memberships(self, member_id: int) -> list[CardMembership]:
        """Every membership the member ever had, newest first (for the member card)."""
        rows = await self.session.execute(
            select(models.Membership, models.Plan, models.Tier)
            .join(models.Plan, models.Membership.plan_id == models.Plan.id)
            .join(models.Tier, models.Plan.tier_id == models.Tier.id)
            .where(models.Membership.member_id == member_id)
            .order_by(models.Membership.created_at.desc(), models.Membership.id.desc())
        )
        return [
            CardMembership(
                id=m.id,
                plan=to_plan(plan, tier),
                status=MembershipStatus(m.status),
                activated_at=m.activated_at,
                expires_at=m.expires_at,
                ended_at=m.ended_at,
                end_reason=m.end_reason,
                granted_by=m.granted_by,
            )
            for m, plan, tier in rows.all()
        ]

    async def card_payments(self, member_id: int, limit: int) -> list[CardPayment]:
        """The member's newest `limit` payment requests, newest first (for the member card)."""
        request, plan, tier = (
            models.PaymentRequest.__table__.c,
            models.Plan.__table__.c,
            models.Tier.__table__.c,
        )
        rows = await read_plain(
            self.session,
            select(
                request.id,
                request.amount,
                request.status,
                request.created_at,
                *_PLANS.columns,
                *_TIERS.columns,
            )
            .select_from(
                models.PaymentRequest.__table__.join(
                    models.Plan.__table__, request.plan_id == plan.id
                ).join(models.Tier.__table__, plan.tier_id == tier.id)
            )
            .where(request.member_id == member_id)
            .order_by(request.id.desc())
            .limit(limit),
            {},
        )
        at_tier = 4 + len(_PLANS.columns)
        return [
            CardPayment(
                row[0],
                to_plan(_PLANS.take(row, 4), _TIERS.take(row, at_tier)),
                row[1],
                PaymentStatus(row[2]),
                row[3],
            )
            for row in rows.all()
        ]

    async def lock(self, member_id: int) -> Person | None:
        """The member, their row held (FOR UPDATE) until the transaction ends: serialises
        two changes to the same person (two accounts assigned to them at once)."""
        row = await self.session.get(Member, member_id, with_for_update=True)
        return None if row is None else to_person(row)
