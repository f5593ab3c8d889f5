"""Memberships granted or revoked by hand by an admin.

Every change is one transaction holding the change itself, its history row
(membership_events), an admin_actions row naming who did it and when, and the
member's message in the outbox. Refusals raise `AdminToolError`; nothing is written then.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, NoReturn
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from domain.catalog import Plan
from domain.language import resolve_language
from domain.membership import (
    MembershipStatus,
    expiry_after,
    renewal_expiry,
)
from kernel.actor import Actor
from kernel.admin_input import (
    AdminProblem,
    AdminToolError,
    MemberRef,
    parse_reason,
)
from kernel.clock import Clock
from kernel.names import plan_name
from services.access import GroupConfig, RemovalCause, sync_access
from services.people import full_name as _full_name
from storage import models
from storage.models import AdminAction, Member, Membership, MembershipEvent
from storage.repos.catalog import to_plan
from storage.repos.memberships import MembershipRepository
from storage.uow import UnitOfWork, UnitOfWorkFactory

MEMBERSHIPS_SHOWN = 10
PAYMENTS_SHOWN = 10


@dataclass(frozen=True, slots=True)
class GrantResult:
    telegram_id: int
    name: str
    plan: Plan
    membership_id: int
    renewed: bool  # an active membership of the plan was extended
    old_expires_at: datetime | None
    expires_at: datetime | None


@dataclass(frozen=True, slots=True)
class RevokeResult:
    telegram_id: int
    name: str
    plan: Plan
    membership_id: int
    ended_at: datetime


class MembershipService:
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

    @staticmethod
    def _event(
        uow: UnitOfWork,
        membership_id: int,
        kind: str,
        actor: Actor,
        reason: str,
        old: datetime | None,
        new: datetime | None,
        now: datetime,
    ) -> MembershipEvent:
        event = MembershipEvent(
            membership_id=membership_id,
            kind=kind,
            actor_telegram_id=actor.telegram_id,
            reason=reason,
            old_expires_at=old,
            new_expires_at=new,
            created_at=now,
        )
        uow.session.add(event)
        return event

    @staticmethod
    def _audit(
        uow: UnitOfWork, actor: Actor, action: str, target: str, now: datetime, **details: Any
    ) -> None:
        uow.session.add(
            AdminAction(
                actor_telegram_id=actor.telegram_id,
                action=action,
                target=target[:64],
                details={"name": actor.name, **details},
                created_at=now,
            )
        )

    async def _tell(
        self,
        uow: UnitOfWork,
        member: Member,
        key: str,
        params: dict[str, Any],
        dedupe_key: str,
        now: datetime,
    ) -> None:
        await uow.outbox.tell_member(member, self.default_language, key, params, dedupe_key, now)

    async def grant(self, ref: MemberRef, plan_code: str, reason: str, actor: Actor) -> GrantResult:
        """Give a member a plan by hand (paid outside the bot), in one transaction.

        Lifetime: a new active membership, refused when they hold that plan or a
        lifetime of that tier or higher. Temporal: an active one of the same plan is
        extended from its current expiry; otherwise a new one runs from now."""
        reason = parse_reason(reason)
        try:
            return await self._grant(ref, plan_code, reason, actor)
        except IntegrityError:
            # Two grants raced for the same plan; the unique index kept one. Once more
            # sees it, and extends it or says it is held.
            return await self._grant(ref, plan_code, reason, actor)

    async def _grant(
        self, ref: MemberRef, plan_code: str, reason: str, actor: Actor
    ) -> GrantResult:
        now = self.clock.now()
        async with self.uow() as uow:
            member = await self._member(uow, ref)
            _, plan = await self._plan(uow, plan_code)
            held = await MembershipRepository(uow.session).held(member.id)
            name = _full_name(member)
            if plan.is_lifetime and any(h.plan.id == plan.id for h in held):
                raise AdminToolError(AdminProblem.ALREADY_HOLDS, name=name, plan=plan_name(plan))
            better = next(
                (h for h in held if h.plan.is_lifetime and h.plan.tier.rank >= plan.tier.rank),
                None,
            )
            if better is not None:
                raise AdminToolError(
                    AdminProblem.HOLDS_LIFETIME,
                    name=name,
                    plan=plan_name(plan),
                    held=plan_name(better.plan),
                )
            current = next((h for h in held if h.plan.id == plan.id), None)
            row: Membership | None = None
            if current is not None:
                locked = await uow.session.execute(
                    select(Membership)
                    .where(
                        Membership.id == current.id,
                        Membership.status == MembershipStatus.ACTIVE,
                    )
                    .with_for_update()
                )
                row = locked.scalar_one_or_none()
            old: datetime | None = None
            if row is not None and row.expires_at is not None and plan.duration_days:
                old = row.expires_at
                row.expires_at = renewal_expiry(old, now, plan.duration_days)
                kind = "renewed"
            else:
                row = Membership(
                    member_id=member.id,
                    plan_id=plan.id,
                    status=MembershipStatus.ACTIVE,
                    list_price=plan.price,
                    activated_at=now,
                    expires_at=expiry_after(now, plan.duration_days),
                    granted_by=actor.telegram_id,
                    grant_reason=reason,
                    created_at=now,
                )
                uow.session.add(row)
                kind = "granted"
            await uow.session.flush()
            event = self._event(uow, row.id, kind, actor, reason, old, row.expires_at, now)
            await uow.session.flush()
            self._audit(
                uow,
                actor,
                "membership.grant",
                f"member:{member.telegram_id}",
                now,
                plan=plan.code,
                reason=reason,
                kind=kind,
                membership_id=row.id,
                old_expires_at=old.isoformat() if old else None,
                expires_at=row.expires_at.isoformat() if row.expires_at else None,
            )
            params: dict[str, Any] = {"plan": plan_name(plan), "until": self._date(row.expires_at)}
            key = "tools.notice_granted_until"
            if kind == "renewed":
                key = "tools.notice_extended"
            elif row.expires_at is None:
                key = "tools.notice_granted_lifetime"
            await self._tell(uow, member, key, params, f"membership:{row.id}:grant:{event.id}", now)
            await sync_access(uow, member, now, self.group, cause=RemovalCause.REVOKED)
            result = GrantResult(
                telegram_id=member.telegram_id,
                name=name,
                plan=plan,
                membership_id=row.id,
                renewed=kind == "renewed",
                old_expires_at=old,
                expires_at=row.expires_at,
            )
            await uow.commit()
            return result

    async def revoke(
        self, ref: MemberRef, plan_code: str, reason: str, actor: Actor
    ) -> RevokeResult:
        """End a member's active membership of a plan (compare-and-set active → cancelled)."""
        reason = parse_reason(reason)
        now = self.clock.now()
        async with self.uow() as uow:
            member = await self._member(uow, ref)
            _, plan = await self._plan(uow, plan_code)
            name = _full_name(member)
            found = await uow.session.execute(
                select(Membership)
                .where(
                    Membership.member_id == member.id,
                    Membership.plan_id == plan.id,
                    Membership.status == MembershipStatus.ACTIVE,
                )
                .with_for_update()
            )
            row = found.scalar_one_or_none()
            if row is None or not await MembershipRepository(uow.session).end(
                row.id, MembershipStatus.CANCELLED, "revoked", now
            ):
                await self._not_active(uow, member, plan)
            assert row is not None
            self._event(uow, row.id, "revoked", actor, reason, row.expires_at, None, now)
            self._audit(
                uow,
                actor,
                "membership.revoke",
                f"member:{member.telegram_id}",
                now,
                plan=plan.code,
                reason=reason,
                membership_id=row.id,
            )
            await self._tell(
                uow,
                member,
                "tools.notice_revoked",
                {"plan": plan_name(plan), "reason": reason},
                f"membership:{row.id}:revoked",
                now,
            )
            await sync_access(uow, member, now, self.group, cause=RemovalCause.REVOKED)
            result = RevokeResult(member.telegram_id, name, plan, row.id, now)
            await uow.commit()
            return result

    async def _not_active(self, uow: UnitOfWork, member: Member, plan: Plan) -> NoReturn:
        """Raise why there is nothing to revoke: never held, or no longer active."""
        latest = await uow.session.execute(
            select(Membership)
            .where(Membership.member_id == member.id, Membership.plan_id == plan.id)
            .order_by(Membership.id.desc())
            .limit(1)
        )
        last = latest.scalar_one_or_none()
        if last is None or last.status == MembershipStatus.PENDING:
            raise AdminToolError(
                AdminProblem.NOT_HELD, name=_full_name(member), plan=plan_name(plan)
            )
        raise AdminToolError(
            AdminProblem.NOT_ACTIVE,
            name=_full_name(member),
            plan=plan_name(plan),
            status={"key": f"tools.status_{MembershipStatus(last.status).value}"},
            ended=self._date(last.ended_at or last.expires_at),
        )

    # ------------------------------------------------------------------ the catalog
