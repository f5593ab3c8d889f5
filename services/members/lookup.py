"""Member lookup for admins: who an admin means, and their member card (/member)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from domain.catalog import Plan, Tier
from domain.membership import MembershipStatus, effective_tier, remaining_days
from domain.people import Person
from domain.states import PaymentStatus
from kernel.admin_input import MemberRef, parse_member_ref
from services.base import AdminServiceBase
from services.member_ref import find_member
from storage.repos.members import CardMembership

MEMBERSHIPS_SHOWN = 10
PAYMENTS_SHOWN = 10


@dataclass(frozen=True, slots=True)
class FoundMember:
    id: int
    telegram_id: int
    name: str
    username: str | None


@dataclass(frozen=True, slots=True)
class MemberMatches:
    """One page of the members an admin's search finds, and how many it finds in all."""

    total: int
    members: tuple[FoundMember, ...]


def _found(member: Person) -> FoundMember:
    return FoundMember(member.id, member.telegram_id, member.full_name, member.username)


@dataclass(frozen=True, slots=True)
class MembershipLine:
    id: int
    plan: Plan
    status: MembershipStatus
    activated_at: datetime | None
    expires_at: datetime | None
    # Whole days left, for an active temporal membership whose time has not run out.
    remaining_days: int | None
    # Still `active` in the table but its time has run out (the expiry job has not run yet).
    lapsed: bool
    ended_at: datetime | None
    end_reason: str | None
    granted_by: int | None


@dataclass(frozen=True, slots=True)
class PaymentLine:
    id: int
    plan: Plan
    amount: int
    status: PaymentStatus
    created_at: datetime


@dataclass(frozen=True, slots=True)
class MemberCard:
    """What /member shows about one member."""

    telegram_id: int
    name: str
    username: str | None
    language: str
    tier: Tier | None
    memberships: tuple[MembershipLine, ...]
    hidden_memberships: int
    payments: tuple[PaymentLine, ...]


def _line(m: CardMembership, now: datetime) -> MembershipLine:
    active = m.status is MembershipStatus.ACTIVE
    lapsed = active and m.expires_at is not None and m.expires_at <= now
    return MembershipLine(
        id=m.id,
        plan=m.plan,
        status=m.status,
        activated_at=m.activated_at,
        expires_at=m.expires_at,
        remaining_days=remaining_days(m.expires_at, now) if active and not lapsed else None,
        lapsed=lapsed,
        ended_at=m.ended_at,
        end_reason=m.end_reason,
        granted_by=m.granted_by,
    )


class MemberLookupService(AdminServiceBase):
    async def resolve(self, ref: MemberRef) -> FoundMember:
        """Who an admin means (raises MEMBER_NOT_FOUND): for commands of other features."""
        async with self.uow() as uow:
            member = await find_member(uow, ref)
            return _found(member)

    async def search(self, text: str, offset: int, limit: int) -> MemberMatches:
        """The members an admin may mean by `text`: a Telegram id or an @username finds
        that one member (as `resolve`: BAD_MEMBER_REF, MEMBER_NOT_FOUND); anything else
        is a part of a name or a username, matched case-insensitively (`ani` finds
        "Ani Lestari" and @kania_shop), ordered by first name."""
        given = " ".join(text.split())
        async with self.uow() as uow:
            if given.isdigit() or given.startswith("@"):
                one = await find_member(uow, parse_member_ref(given))
                return MemberMatches(1, () if offset > 0 else (_found(one),))
            page, total = await uow.members.search(given, limit, offset)
            return MemberMatches(total, tuple(_found(m) for m in page))

    async def member_card(self, ref: MemberRef) -> MemberCard:
        """The member's profile, effective tier, memberships (active first, then the rest
        newest first, at most MEMBERSHIPS_SHOWN) and newest payments."""
        now = self.clock.now()
        async with self.uow() as uow:
            member = await find_member(uow, ref)
            held = await uow.memberships.held(member.id)
            lines = [_line(m, now) for m in await uow.members.card_memberships(member.id)]
            # What is active comes first so the cap never hides it; then the rest, newest first.
            lines.sort(key=lambda line: line.status is not MembershipStatus.ACTIVE)
            payments = await uow.members.card_payments(member.id, PAYMENTS_SHOWN)
            return MemberCard(
                telegram_id=member.telegram_id,
                name=member.full_name,
                username=member.username,
                language=member.language(self.default_language),
                tier=effective_tier(held, now),
                memberships=tuple(lines[:MEMBERSHIPS_SHOWN]),
                hidden_memberships=max(0, len(lines) - MEMBERSHIPS_SHOWN),
                payments=tuple(
                    PaymentLine(p.id, p.plan, p.amount, p.status, p.created_at) for p in payments
                ),
            )
