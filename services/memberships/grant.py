"""Granting a plan by hand (paid outside the bot): one transaction holding the
membership change, its history row, the admin_actions row, the member's message and
the group access that follows."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from domain.catalog import Plan
from domain.membership import GrantRefusal, grant_refusal
from domain.pricing import grant_quote
from kernel.actor import Actor
from kernel.admin_input import AdminProblem, AdminToolError, MemberRef, parse_reason
from kernel.names import plan_name
from services.access import RemovalCause, tell_with_access
from services.catalog import named_plan
from services.member_ref import find_member
from services.memberships._base import MembershipServiceBase
from services.memberships.activation import activate
from storage.repos.memberships import PlanAlreadyActive


@dataclass(frozen=True, slots=True)
class GrantResult:
    telegram_id: int
    name: str
    plan: Plan
    membership_id: int
    renewed: bool  # an active membership of the plan was extended
    old_expires_at: datetime | None
    expires_at: datetime | None


class Granting(MembershipServiceBase):
    async def grant(self, ref: MemberRef, plan_code: str, reason: str, actor: Actor) -> GrantResult:
        """Give a member a plan by hand (paid outside the bot), in one transaction.

        Lifetime: a new active membership, refused when they hold that plan or a
        lifetime of that tier or higher. Temporal: an active one of the same plan is
        extended from its current expiry; otherwise a new one runs from now."""
        reason = parse_reason(reason)
        try:
            return await self._grant(ref, plan_code, reason, actor)
        except PlanAlreadyActive:
            # Two grants raced for the same plan; the unique index kept one. Once more
            # sees it, and extends it or says it is held.
            return await self._grant(ref, plan_code, reason, actor)

    async def _grant(
        self, ref: MemberRef, plan_code: str, reason: str, actor: Actor
    ) -> GrantResult:
        now = self.clock.now()
        async with self.uow() as uow:
            member = await find_member(uow, ref)
            plan = (await named_plan(uow, plan_code)).plan
            held = await uow.memberships.held(member.id)
            name = member.full_name
            refused = grant_refusal(held, plan)
            if refused is not None and refused.reason is GrantRefusal.ALREADY_HOLDS:
                raise AdminToolError(AdminProblem.ALREADY_HOLDS, name=name, plan=plan_name(plan))
            if refused is not None:
                raise AdminToolError(
                    AdminProblem.HOLDS_LIFETIME,
                    name=name,
                    plan=plan_name(plan),
                    held=plan_name(refused.held),
                )
            done = await activate(
                uow,
                member.id,
                plan,
                grant_quote(held, plan, now),
                now,
                actor.telegram_id,
                reason=reason,
                by_hand=True,
                held=held,
            )
            old, expires = done.old_expires_at, done.expires_at
            kind = "renewed" if done.renewed else "granted"
            uow.audit.record(
                actor,
                "membership.grant",
                f"member:{member.telegram_id}",
                now,
                plan=plan.code,
                reason=reason,
                kind=kind,
                membership_id=done.membership_id,
                old_expires_at=old.isoformat() if old else None,
                expires_at=expires.isoformat() if expires else None,
            )
            params: dict[str, Any] = {"plan": plan_name(plan), "until": self._date(expires)}
            key = "tools.notice_granted_until"
            if done.renewed:
                key = "tools.notice_extended"
            elif expires is None:
                key = "tools.notice_granted_lifetime"
            # A new VIP's invite opens with the grant: one message, not two.
            await tell_with_access(
                uow, member, now, self.group, cause=RemovalCause.REVOKED, key=key, params=params,
                dedupe_key=f"membership:{done.membership_id}:grant:{done.event_id}",
                language=self.default_language,
            )  # fmt: skip
            result = GrantResult(
                telegram_id=member.telegram_id,
                name=name,
                plan=plan,
                membership_id=done.membership_id,
                renewed=done.renewed,
                old_expires_at=old,
                expires_at=expires,
            )
            await uow.commit()
            return result
