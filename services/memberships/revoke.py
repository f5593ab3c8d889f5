"""Revoking a membership by hand: a compare-and-set active → cancelled, with its history
row, the admin_actions row, the member's message and the group access that follows."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, NoReturn

from domain.catalog import Plan
from domain.membership import MembershipStatus
from domain.people import Person
from kernel.actor import Actor
from kernel.admin_input import AdminProblem, AdminToolError, MemberRef, parse_reason
from kernel.names import plan_name
from services.access import (
    RemovalCause,
    access_ended_key,
    lost_access,
    menu_buttons,
    renew_buttons,
    sync_access,
)
from services.catalog import named_plan
from services.member_ref import find_member
from services.memberships._base import MembershipServiceBase
from storage.uow import UnitOfWork


@dataclass(frozen=True, slots=True)
class RevokeResult:
    telegram_id: int
    name: str
    plan: Plan
    membership_id: int
    ended_at: datetime


class Revoking(MembershipServiceBase):
    async def revoke(
        self, ref: MemberRef, plan_code: str, reason: str, actor: Actor
    ) -> RevokeResult:
        """End a member's active membership of a plan (compare-and-set active → cancelled)."""
        reason = parse_reason(reason)
        now = self.clock.now()
        async with self.uow() as uow:
            member = await find_member(uow, ref)
            plan = (await named_plan(uow, plan_code)).plan
            row = await uow.memberships.lock_active_of_plan(member.id, plan.id)
            if row is None or not await uow.memberships.end(
                row.id, MembershipStatus.CANCELLED, "revoked", now
            ):
                await self._not_active(uow, member, plan)
            await uow.memberships.record_event(
                row.id,
                "revoked",
                now,
                actor_telegram_id=actor.telegram_id,
                reason=reason,
                old_expires_at=row.expires_at,
            )
            uow.audit.record(
                actor,
                "membership.revoke",
                f"member:{member.telegram_id}",
                now,
                plan=plan.code,
                reason=reason,
                membership_id=row.id,
            )
            # What the member lost with it goes in the same message: one, not two.
            change = await sync_access(
                uow, member, now, self.group, cause=RemovalCause.REVOKED, tell=False
            )
            lost = lost_access(change)
            params: dict[str, Any] = {"plan": plan_name(plan), "reason": reason}
            key, dedupe_key = "tools.notice_revoked", f"membership:{row.id}:revoked"
            if lost is not None:  # the one "VIP access ended" message, told here
                key, dedupe_key = (
                    "tools.notice_revoked_access",
                    await access_ended_key(uow, member.id),
                )
                params["access"] = lost
            await uow.outbox.tell_member(
                member,
                self.default_language,
                key,
                params,
                dedupe_key,
                now,
                buttons=renew_buttons(self.group) if lost else menu_buttons(self.group),
            )
            result = RevokeResult(member.telegram_id, member.full_name, plan, row.id, now)
            await uow.commit()
            return result

    async def _not_active(self, uow: UnitOfWork, member: Person, plan: Plan) -> NoReturn:
        """Raise why there is nothing to revoke: never held, or no longer active."""
        last = await uow.memberships.latest_of_plan(member.id, plan.id)
        if last is None or last.status == MembershipStatus.PENDING:
            raise AdminToolError(AdminProblem.NOT_HELD, name=member.full_name, plan=plan_name(plan))
        raise AdminToolError(
            AdminProblem.NOT_ACTIVE,
            name=member.full_name,
            plan=plan_name(plan),
            status={"key": f"tools.status_{last.status.value}"},
            ended=self._date(last.ended_at or last.expires_at),
        )
