"""Memberships as the domain sees them (only active rows are ever held)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from domain.membership import HeldMembership, MembershipStatus
from storage import models
from storage.repos.catalog import to_plan


class MembershipRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def held(self, member_id: int) -> list[HeldMembership]:
        result = await self.session.execute(
            select(models.Membership, models.Plan, models.Tier)
            .join(models.Plan, models.Membership.plan_id == models.Plan.id)
            .join(models.Tier, models.Plan.tier_id == models.Tier.id)
            .where(
                models.Membership.member_id == member_id,
                models.Membership.status == MembershipStatus.ACTIVE,
            )
            .order_by(models.Membership.id)
        )
        return [
            HeldMembership(
                m.id,
                to_plan(plan, tier),
                m.list_price,
                m.activated_at or m.created_at,
                m.expires_at,
            )
            for m, plan, tier in result.all()
        ]

    async def end(
        self, membership_id: int, status: MembershipStatus, reason: str, now: datetime
    ) -> bool:
        """Compare-and-set active → `status` as of `now`; False when it was no longer active.

        `ended_at` says until when the membership counted (a report's tier is the tier
        held on the report's day)."""
        result = await self.session.execute(
            update(models.Membership)
            .where(
                models.Membership.id == membership_id,
                models.Membership.status == MembershipStatus.ACTIVE,
            )
            .values(status=status, end_reason=reason, ended_at=now)
        )
        return bool(result.rowcount)  # type: ignore[attr-defined]
