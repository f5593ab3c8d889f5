"""What a leader sees: their referral code, their current subs and their own leader."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from domain.catalog import Tier
from domain.membership import effective_tier
from domain.people import full_name
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
            subs = [
                SubLine(
                    name=full_name(sub.first_name, sub.last_name),
                    telegram_id=sub.telegram_id,
                    tier=effective_tier(sub.held, now),
                    reports_this_month=sub.reports_since,
                    leader_share=sub.leader_share,
                    since=sub.since,
                )
                for sub in await uow.leaders.team(me.id, month_start)
            ]
            total = await uow.ledger.leader_share_total(me.id)
            my_link = await uow.leaders.open_link(me.id)
            leader = await uow.members.by_id(my_link.leader_member_id) if my_link else None
            return Team(
                referral_code=me.referral_code,
                subs=subs,
                leader_share_total=total,
                leader=leader.full_name if leader else None,
            )
