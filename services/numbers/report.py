"""`report`: every number the owner tracks for one period, read in one transaction."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from domain.numbers import (
    LEDGER_SETTLED,
    NAMED_PERIODS,
    RENEWAL_GRACE,
    AccountUse,
    Conversion,
    LeaderPerformance,
    LedgerTotal,
    PayoutFlow,
    Period,
    ProofDecisions,
    Retention,
    Tally,
    TimeToVip,
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


# How long a period's numbers are shown again without counting them anew (the screen
# says up to when it counted a running period); the bot counts the named periods again
# in the background more often than this (bot/jobs.py), so the screen answers at once.
FRESH_FOR = timedelta(minutes=5)


class NumbersReport(NumbersServiceBase):
    # The ledger added up to a settled instant, carried from one report to the next
    # (see `LEDGER_SETTLED`): the payout rate then reads only the last day or so of it.
    _ledger: LedgerTotal | None = None
    # The latest numbers of each period asked about, with when they were counted.
    _latest: dict[Period, tuple[datetime, OwnerNumbers]] | None = None

    async def latest(self, period: Period, *, fresh_for: timedelta = FRESH_FOR) -> OwnerNumbers:
        """The numbers of `period` counted at most `fresh_for` ago (paging the leaders or
        opening the screen again reads no database), else counted now."""
        kept = (self._latest or {}).get(period)
        if kept is not None and self.clock.now() - kept[0] <= fresh_for:
            return kept[1]
        return await self.report(period)

    async def refresh(self) -> int:
        """Count the named periods (this month, last month, 90 days) anew: the bot does
        it in the background, so an admin opening /numbers does not wait for it."""
        for kind in NAMED_PERIODS:
            await self.report(self.period(kind))
        return len(NAMED_PERIODS)

    async def report(self, period: Period) -> OwnerNumbers:
        """Every number of `period` as of now (a running period counts up to now).

        Leader teams are as of the period's end (or now); the account pool is as it is
        now (no history of it is kept); the rest counts what happened in the period.

        At 100,000 members over a year, 0.4-1 s on SQLite for the periods the buttons
        offer (./scripts/bench numbers); the first report after a start also adds the
        whole ledger up once (about 0.3 s more); the bot counts the named periods in
        the background (`refresh`), so /numbers mostly shows `latest` at once."""
        now = self.clock.now()
        start, until = period.start, period.until(now)
        async with self.uow() as uow:
            numbers = uow.numbers
            conversion, time_to_vip = await numbers.vip_funnel(start, until)
            retention = await numbers.retention(start, until, RENEWAL_GRACE)
            settled = await numbers.ledger_total(self._ledger, now - LEDGER_SETTLED)
            payouts = await numbers.payout_flow(start, until, settled)
            leaders = await numbers.leaders(until, start, until)
            accounts = await numbers.account_use()
            (revenue,) = await numbers.revenue_by([start, until])
            (joined,) = await numbers.joined_by([start, until])
            proofs = await numbers.proof_decisions(start, until)
        self._ledger = settled
        found = OwnerNumbers(
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
            proofs=proofs,
        )
        latest = self._latest if self._latest is not None else {}
        # Only the periods asked about lately are kept (custom ones come and go).
        self._latest = {
            kept: counted for kept, counted in latest.items() if now - counted[0] <= FRESH_FOR
        }
        self._latest[period] = (now, found)
        return found
