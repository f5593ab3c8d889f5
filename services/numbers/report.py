"""`report`: every number the owner tracks for one period, read in one transaction."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from domain.numbers import (
    RENEWAL_GRACE,
    AccountUse,
    Conversion,
    LeaderPerformance,
    PayoutFlow,
    Period,
    ProofDecisions,
    Retention,
    Tally,
    TimeToVip,
    median,
)
from services.numbers._base import NumbersServiceBase


@dataclass(frozen=True, slots=True)
class OwnerNumbers:
    """The numbers of `period`, counted up to `as_of` (its end, or now while it runs)."""

    period: Period
    as_of: datetime
    conversion: Conversion
    time_to_vip: TimeToVip
    retention: Retention
    payouts: PayoutFlow
    leaders: tuple[LeaderPerformance, ...]
    accounts: AccountUse
    revenue: Tally  # approved payments (by approval time): how many, rupiah
    new_members: int  # people who first wrote to the bot
    proofs: ProofDecisions


class NumbersReport(NumbersServiceBase):
    async def report(self, period: Period) -> OwnerNumbers:
        """Every number of `period` as of now (a running period counts up to now).

        Leader teams are as of the period's end (or now); the account pool is as it is
        now (no history of it is kept); the rest counts what happened in the period."""
        now = self.clock.now()
        start, until = period.start, period.until(now)
        async with self.uow() as uow:
            numbers = uow.numbers
            conversion, time_to_vip = await numbers.vip_funnel(start, until)
            retention = await numbers.retention(start, until, RENEWAL_GRACE)
            payouts = await numbers.payout_flow(start, until)
            leaders = await numbers.leaders(until, start, until)
            accounts = await numbers.account_use()
            (revenue,) = await numbers.revenue_by([start, until])
            (joined,) = await numbers.joined_by([start, until])
            decided = await numbers.decided_proofs(start, until)
        return OwnerNumbers(
            period=period,
            as_of=until,
            conversion=conversion,
            time_to_vip=time_to_vip,
            retention=retention,
            payouts=payouts,
            leaders=tuple(leaders),
            accounts=accounts,
            revenue=revenue,
            new_members=joined.count,
            proofs=ProofDecisions(
                accepted=sum(1 for d in decided if not d.rejected),
                rejected=sum(1 for d in decided if d.rejected),
                median_wait=median(d.waited for d in decided),
            ),
        )
