"""Member lookup for admins: who an admin means, and their member card."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import func, select

from domain.catalog import Plan, Tier
from domain.language import resolve_language
from domain.membership import (
    MembershipStatus,
    effective_tier,
    remaining_days,
)
from domain.states import PaymentStatus
from kernel.admin_input import (
    AdminProblem,
    AdminToolError,
    MemberRef,
)
from kernel.clock import Clock
from services.access import GroupConfig
from services.people import full_name as _full_name
from storage import models
from storage.models import Member, Membership
from storage.repos.catalog import to_plan
from storage.repos.memberships import MembershipRepository
from storage.uow import UnitOfWork, UnitOfWorkFactory

MEMBERSHIPS_SHOWN = 10
PAYMENTS_SHOWN = 10


@dataclass(frozen=True, slots=True)
class FoundMember:
    id: int
    telegram_id: int
    name: str
    username: str | None


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


class MemberLookupService:
    def __init__(
        self,
        uow: UnitOfWorkFactory,
        clock: Clock,
        zone: ZoneInfo,
        default_language: str,
        *,
        group: GroupConfig | None = None,
    ) -> None:
        self.uow = uow
        self.clock = clock
        self.zone = zone
        self.default_language = default_language
        # Grants and revocations open or close the discussion group like payments do.
        self.group = group or GroupConfig(None, 0, default_language, zone)

    def _date(self, moment: datetime | None) -> str:
        return "-" if moment is None else f"{moment.astimezone(self.zone):%d-%m-%Y}"

    # ------------------------------------------------------------------ lookups

    async def _member(self, uow: UnitOfWork, ref: MemberRef) -> Member:
        if ref.telegram_id is not None:
            member = await uow.members.by_telegram_id(ref.telegram_id)
        else:
            # Usernames are case-insensitive; a name that changed hands is found on the
            # member who was seen with it last.
            result = await uow.session.execute(
                select(Member)
                .where(func.lower(Member.username) == (ref.username or "").lower())
                .order_by(Member.last_seen_at.desc(), Member.id.desc())
                .limit(1)
            )
            member = result.scalar_one_or_none()
        if member is None:
            raise AdminToolError(AdminProblem.MEMBER_NOT_FOUND, given=str(ref))
        return member

    async def resolve(self, ref: MemberRef) -> FoundMember:
        """Who an admin means (raises MEMBER_NOT_FOUND): for commands of other features."""
        async with self.uow() as uow:
            member = await self._member(uow, ref)
            return FoundMember(member.id, member.telegram_id, _full_name(member), member.username)

    async def _plan_codes(self, uow: UnitOfWork) -> str:
        codes = await uow.session.execute(
            select(models.Plan.code).order_by(models.Plan.position, models.Plan.id)
        )
        return ", ".join(codes.scalars()) or "-"

    async def _plan(
        self, uow: UnitOfWork, code: str, *, lock: bool = False
    ) -> tuple[models.Plan, Plan]:
        query = (
            select(models.Plan, models.Tier)
            .join(models.Tier, models.Plan.tier_id == models.Tier.id)
            .where(models.Plan.code == code.strip().lower())
        )
        if lock:
            query = query.with_for_update(of=models.Plan)
        row = (await uow.session.execute(query)).first()
        if row is None:
            raise AdminToolError(
                AdminProblem.PLAN_NOT_FOUND,
                code=code.strip()[:48],
                known=await self._plan_codes(uow),
            )
        return row[0], to_plan(row[0], row[1])

    def _language(self, member: Member) -> str:
        return resolve_language(
            member.chosen_language, member.telegram_language, self.default_language
        )

    async def member_card(self, ref: MemberRef) -> MemberCard:
        now = self.clock.now()
        async with self.uow() as uow:
            member = await self._member(uow, ref)
            held = await MembershipRepository(uow.session).held(member.id)
            rows = await uow.session.execute(
                select(Membership, models.Plan, models.Tier)
                .join(models.Plan, Membership.plan_id == models.Plan.id)
                .join(models.Tier, models.Plan.tier_id == models.Tier.id)
                .where(Membership.member_id == member.id)
                .order_by(Membership.created_at.desc(), Membership.id.desc())
            )
            lines = [self._line(m, to_plan(p, t), now) for m, p, t in rows.all()]
            # What is active comes first so the cap never hides it; then the rest, newest first.
            lines.sort(key=lambda line: line.status is not MembershipStatus.ACTIVE)
            payments = await uow.session.execute(
                select(models.PaymentRequest, models.Plan, models.Tier)
                .join(models.Plan, models.PaymentRequest.plan_id == models.Plan.id)
                .join(models.Tier, models.Plan.tier_id == models.Tier.id)
                .where(models.PaymentRequest.member_id == member.id)
                .order_by(models.PaymentRequest.id.desc())
                .limit(PAYMENTS_SHOWN)
            )
            return MemberCard(
                telegram_id=member.telegram_id,
                name=_full_name(member),
                username=member.username,
                language=self._language(member),
                tier=effective_tier(held, now),
                memberships=tuple(lines[:MEMBERSHIPS_SHOWN]),
                hidden_memberships=max(0, len(lines) - MEMBERSHIPS_SHOWN),
                payments=tuple(
                    PaymentLine(
                        r.id, to_plan(p, t), r.amount, PaymentStatus(r.status), r.created_at
                    )
                    for r, p, t in payments.all()
                ),
            )

    @staticmethod
    def _line(m: Membership, plan: Plan, now: datetime) -> MembershipLine:
        status = MembershipStatus(m.status)
        active = status is MembershipStatus.ACTIVE
        lapsed = active and m.expires_at is not None and m.expires_at <= now
        return MembershipLine(
            id=m.id,
            plan=plan,
            status=status,
            activated_at=m.activated_at,
            expires_at=m.expires_at,
            remaining_days=remaining_days(m.expires_at, now) if active and not lapsed else None,
            lapsed=lapsed,
            ended_at=m.ended_at,
            end_reason=m.end_reason,
            granted_by=m.granted_by,
        )

    # ------------------------------------------------------------------ grant and revoke
