"""What a leader sees: their referral code, their current subs and their own leader."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from domain.catalog import Tier
from domain.membership import effective_tier
from domain.reports import jakarta_day
from services.leaders._base import LeaderServiceBase


@dataclass(frozen=True, slots=True)
class SubLine:
    name: str
    telegram_id: int
    tier: Tier | None
    reports_this_month: int
    leader_share: int
    since: datetime


@dataclass(frozen=True, slots=True)
class Team:
    referral_code: str
    subs: list[SubLine]
    leader_share_total: int
    leader: str | None


class Teams(LeaderServiceBase):
    async def team(self, telegram_id: int) -> Team | None:
        """What a leader sees: their code, their current subs (tier now, reports this
        Jakarta month, the leader share earned from each) and their own leader."""
        now = self.clock.now()
        today = jakarta_day(now, self.zone)
        month_start = today.replace(day=1)
        async with self.uow() as uow:
            me = await uow.members.by_telegram_id(telegram_id)
            if me is None:
                return None
            subs = []
            for link, sub in await uow.leaders.current_subs(me.id):
                reports = await uow.reports.count_not_rejected_since(sub.id, month_start)
                share = await uow.ledger.leader_share_from(sub.id, me.id)
                subs.append(
                    SubLine(
                        name=sub.full_name,
                        telegram_id=sub.telegram_id,
                        tier=effective_tier(await uow.memberships.held(sub.id), now),
                        reports_this_month=reports,
                        leader_share=share,
                        since=link.valid_from,
                    )
                )
            total = await uow.ledger.leader_share_total(me.id)
            my_link = await uow.leaders.open_link(me.id)
            leader = await uow.members.by_id(my_link.leader_member_id) if my_link else None
            return Team(
                referral_code=me.referral_code,
                subs=subs,
                leader_share_total=total,
                leader=leader.full_name if leader else None,
            )
