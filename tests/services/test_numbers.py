"""The owner's numbers on small fixed data, each expected value counted by hand below.

The clock stands at 10 March 2026, 12:00 in Jakarta (UTC+7); most tests ask about
February 2026 ("last month"), which in UTC runs from 31 January 17:00 to 28 February
17:00. Rows are inserted directly, as the bot would have left them.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from itertools import count
from zoneinfo import ZoneInfo

import pytest

from domain.membership import MembershipStatus
from domain.numbers import Ratio, Retention
from domain.states import LeaderSource, LedgerKind, PaymentStatus, ProofStatus, ReportStatus
from services.numbers import NumbersService, PeriodKind
from storage import models
from storage.uow import UnitOfWork, UnitOfWorkFactory
from tests.kit.clock import FrozenClock

ZONE = ZoneInfo("Asia/Jakarta")
NOW = datetime(2026, 3, 10, 5, 0, tzinfo=UTC)  # 12:00 WIB
BASIC_LIFETIME, VIP_LIFETIME = 1, 2  # seeded by the migrations


def wib(month: int, day: int, hour: int = 12, minute: int = 0, year: int = 2026) -> datetime:
    """An instant given as Jakarta wall time."""
    return datetime(year, month, day, hour, minute, tzinfo=ZONE).astimezone(UTC)


def _status(ended: datetime | None) -> MembershipStatus:
    return MembershipStatus.ACTIVE if ended is None else MembershipStatus.EXPIRED


@dataclass
class Seed:
    """Rows written in one unit of work, as the bot would have left them."""

    work: UnitOfWork
    telegram_ids = count(5000)

    async def _add(self, row: models.Base) -> int:
        self.work.session.add(row)
        await self.work.session.flush()
        row_id: int = row.id  # type: ignore[attr-defined]
        return row_id

    async def plan(self, code: str, tier: str, days: int) -> int:
        tier_id = 1 if tier == "basic" else 2
        return await self._add(
            models.Plan(
                code=code, tier_id=tier_id, duration_days=days, price=50_000, created_at=NOW
            )
        )

    async def member(self, name: str, joined: datetime | None = None) -> int:
        telegram_id = next(self.telegram_ids)
        return await self._add(
            models.Member(
                telegram_id=telegram_id,
                first_name=name,
                referral_code=f"code{telegram_id}",
                created_at=joined or wib(1, 1),
                last_seen_at=NOW,
            )
        )

    async def members(self, *names: str) -> list[int]:
        return [await self.member(name) for name in names]

    async def holds(
        self,
        member_id: int,
        plan_id: int,
        activated: datetime,
        *,
        expires: datetime | None = None,
        ended: datetime | None = None,
        status: MembershipStatus | None = None,
    ) -> int:
        """A membership with its "activated" history row."""
        membership_id = await self._add(
            models.Membership(
                member_id=member_id,
                plan_id=plan_id,
                status=status
                or (MembershipStatus.ACTIVE if ended is None else MembershipStatus.EXPIRED),
                list_price=50_000,
                activated_at=activated,
                expires_at=expires,
                ended_at=ended,
                created_at=activated,
            )
        )
        await self.event(membership_id, "activated", activated, new=expires)
        return membership_id

    async def event(
        self,
        membership_id: int,
        kind: str,
        at: datetime,
        *,
        old: datetime | None = None,
        new: datetime | None = None,
    ) -> None:
        await self._add(
            models.MembershipEvent(
                membership_id=membership_id,
                kind=kind,
                old_expires_at=old,
                new_expires_at=new,
                created_at=at,
            )
        )

    async def expired(
        self, member_id: int, plan_id: int, activated: datetime, end: datetime
    ) -> int:
        """A temporal membership that ran to its end and was expired by the job."""
        membership_id = await self.holds(member_id, plan_id, activated, expires=end, ended=end)
        await self.event(membership_id, "expired", end, old=end)
        return membership_id

    async def commission(
        self,
        member_id: int,
        at: datetime,
        total: int,
        *,
        leader_id: int | None = None,
    ) -> None:
        """A validated report's commission (55% member, 5% leader when there is one,
        the rest the owner's) with its ledger entries."""
        report_id = await self._add(
            models.Report(
                member_id=member_id,
                report_date=at.astimezone(ZONE).date(),
                status=ReportStatus.VALIDATED,
                commission_claimed=total,
                commission_validated=total,
                created_at=at,
                updated_at=at,
            )
        )
        member_share = total * 55 // 100
        leader_share = total * 5 // 100 if leader_id is not None else 0
        commission_id = await self._add(
            models.Commission(
                report_id=report_id,
                member_id=member_id,
                leader_member_id=leader_id,
                total=total,
                member_share=member_share,
                leader_share=leader_share,
                owner_share=total - member_share - leader_share,
                created_at=at,
            )
        )
        for who, kind, amount in (
            (member_id, LedgerKind.MEMBER_SHARE, member_share),
            (leader_id, LedgerKind.LEADER_SHARE, leader_share),
        ):
            if who is not None and amount:
                await self._add(
                    models.LedgerEntry(
                        member_id=who,
                        kind=kind,
                        amount=amount,
                        commission_id=commission_id,
                        created_at=at,
                    )
                )

    async def payout(self, member_id: int, at: datetime, amount: int) -> None:
        payout_id = await self._add(
            models.Payout(
                member_id=member_id, amount=amount, method="BCA", created_by=1, created_at=at
            )
        )
        await self._add(
            models.LedgerEntry(
                member_id=member_id,
                kind=LedgerKind.PAYOUT,
                amount=-amount,
                payout_id=payout_id,
                created_at=at,
            )
        )

    async def leads(
        self, leader_id: int, member_id: int, since: datetime, until: datetime | None = None
    ) -> None:
        await self._add(
            models.LeaderLink(
                member_id=member_id,
                leader_member_id=leader_id,
                source=LeaderSource.ADMIN,
                valid_from=since,
                valid_to=until,
            )
        )

    async def payment(
        self, member_id: int, amount: int, decided: datetime, status: PaymentStatus
    ) -> int:
        return await self._add(
            models.PaymentRequest(
                member_id=member_id,
                plan_id=VIP_LIFETIME,
                status=status,
                quote_kind="new",
                list_price=299_000,
                amount=amount,
                quoted_at=decided - timedelta(hours=1),
                created_at=decided - timedelta(hours=1),
                updated_at=decided,
                decided_at=decided,
            )
        )

    async def proof(
        self,
        payment_id: int,
        sent: datetime,
        status: ProofStatus,
        waited: timedelta | None = None,
    ) -> None:
        await self._add(
            models.PaymentProof(
                payment_request_id=payment_id,
                status=status,
                telegram_file_id="file",
                file_unique_id=f"uniq{sent.timestamp()}",
                sha256="ab" * 32,
                perceptual_hash="0" * 16,
                size_bytes=1000,
                width=800,
                height=1200,
                image_format="JPEG",
                reviewed_at=None if waited is None else sent + waited,
                created_at=sent,
            )
        )

    async def account(self, username: str, status: str, holder: int | None = None) -> None:
        await self._add(
            models.AffiliateAccount(
                tiktok_username=username,
                shop_status=status,
                holder_member_id=holder,
                created_at=NOW,
            )
        )


@pytest.fixture
def numbers(uow: UnitOfWorkFactory) -> NumbersService:
    return NumbersService(uow, FrozenClock(NOW), ZONE, "id")


async def seeded(uow: UnitOfWorkFactory, fill: Callable[[Seed], Awaitable[None]]) -> None:
    async with uow() as work:
        await fill(Seed(work))
        await work.commit()


async def test_an_empty_database_has_no_data_rather_than_a_division_by_zero(
    numbers: NumbersService,
) -> None:
    got = await numbers.report(numbers.period(PeriodKind.LAST_MONTH))
    assert got.conversion.ratio.share is None and got.conversion.new_vips == 0
    assert got.time_to_vip.members == 0 and got.time_to_vip.average_days is None
    assert got.retention.ratio.share is None
    assert got.payouts.ratio.share is None
    assert got.leaders == ()
    assert got.accounts.utilization.share is None and got.accounts.suspended == 0
    assert (got.revenue.count, got.revenue.total, got.new_members) == (0, 0, 0)
    assert got.proofs.median_wait is None and got.proofs.rejection.share is None
    trends = await numbers.trends(numbers.period(PeriodKind.THIS_MONTH))
    assert [p.tally.total for p in trends.revenue_by_month] == [0] * 12
    assert [p.tally.count for p in trends.members_by_week] == [0] * 12


async def test_conversion_counts_basic_members_who_became_vip_in_the_period_and_their_wait(
    uow: UnitOfWorkFactory, numbers: NumbersService
) -> None:
    async def fill(seed: Seed) -> None:
        # Ani: Basic 10 Jan, VIP 14 Feb → converted, 35 days.
        ani = await seed.member("Ani")
        await seed.holds(ani, BASIC_LIFETIME, wib(1, 10))
        await seed.holds(ani, VIP_LIFETIME, wib(2, 14))
        # Budi: became VIP on 20 Jan, before February → neither Basic-to-convert nor new.
        budi = await seed.member("Budi")
        await seed.holds(budi, BASIC_LIFETIME, wib(12, 1, year=2025))
        await seed.holds(budi, VIP_LIFETIME, wib(1, 20))
        # Citra: Basic since 5 Feb, still Basic → counted Basic, not converted.
        citra = await seed.member("Citra")
        await seed.holds(citra, BASIC_LIFETIME, wib(2, 5))
        # Dewi: Basic 1 Feb 08:00, VIP 11 Feb 20:00 → converted, 10.5 days.
        dewi = await seed.member("Dewi")
        await seed.holds(dewi, BASIC_LIFETIME, wib(2, 1, 8))
        await seed.holds(dewi, VIP_LIFETIME, wib(2, 11, 20))
        # Eko: VIP straight away on 20 Feb → a new VIP, but no Basic to convert from.
        eko = await seed.member("Eko")
        await seed.holds(eko, VIP_LIFETIME, wib(2, 20))
        # Fajar: a 30-day Basic that ended on 15 Jan → not Basic in February.
        basic_30 = await seed.plan("basic_30", "basic", 30)
        fajar = await seed.member("Fajar")
        await seed.holds(
            fajar, basic_30, wib(12, 16, year=2025), expires=wib(1, 15), ended=wib(1, 15)
        )
        # Gita: Basic from 2 March → after February.
        gita = await seed.member("Gita")
        await seed.holds(gita, BASIC_LIFETIME, wib(3, 2))
        # Hadi: Basic 18 Feb 23:30, VIP 28 Feb 23:30 WIB (16:30 UTC, still February in
        # Jakarta) → converted, 10 days.
        hadi = await seed.member("Hadi")
        await seed.holds(hadi, BASIC_LIFETIME, wib(2, 18, 23, 30))
        await seed.holds(hadi, VIP_LIFETIME, wib(2, 28, 23, 30))
        # Indah: Basic 20 Feb, VIP 1 March 00:30 WIB (28 Feb 17:30 UTC: March in Jakarta)
        # → Basic in February, converted only in March.
        indah = await seed.member("Indah")
        await seed.holds(indah, BASIC_LIFETIME, wib(2, 20))
        await seed.holds(indah, VIP_LIFETIME, wib(3, 1, 0, 30))

    await seeded(uow, fill)
    february = await numbers.report(numbers.period(PeriodKind.LAST_MONTH))
    # Basic in February and not VIP before it: Ani, Citra, Dewi, Hadi, Indah = 5;
    # converted: Ani, Dewi, Hadi = 3 → 60%; new VIPs: Ani, Dewi, Eko, Hadi = 4.
    conversion = february.conversion
    assert (conversion.basic, conversion.converted, conversion.new_vips) == (5, 3, 4)
    assert conversion.ratio == Ratio(3, 5) and conversion.ratio.meets(0.30)
    # (35 + 10.5 + 10) / 3 = 18.5 days, over Ani, Dewi and Hadi (Eko had no Basic).
    assert february.time_to_vip.members == 3
    assert february.time_to_vip.average_days == pytest.approx(18.5)
    # March so far: Basic then and not VIP before March: Citra, Gita, Indah = 3; Indah
    # converted.
    march = await numbers.report(numbers.period(PeriodKind.THIS_MONTH))
    assert (march.conversion.basic, march.conversion.converted) == (3, 1)
    # Indah: 20 Feb 12:00 → 1 March 00:30 = 8 days and 12.5 hours.
    assert march.time_to_vip.members == 1
    assert march.time_to_vip.average_days == pytest.approx(8 + 12.5 / 24)


async def test_retention_counts_renewals_and_returns_within_a_week_against_expiries(
    uow: UnitOfWorkFactory, numbers: NumbersService
) -> None:
    async def fill(seed: Seed) -> None:
        vip_30 = await seed.plan("vip_30", "vip", 30)
        basic_30 = await seed.plan("basic_30", "basic", 30)
        # Ani: her term ending 10 Feb was renewed on 8 Feb → renewed.
        ani = await seed.member("Ani")
        held = await seed.holds(ani, vip_30, wib(1, 11), expires=wib(3, 12))
        await seed.event(held, "renewed", wib(2, 8), old=wib(2, 10), new=wib(3, 12))
        # Budi: expired on 15 Feb and never came back → expired.
        budi = await seed.member("Budi")
        await seed.expired(budi, vip_30, wib(1, 16), wib(2, 15))
        # Citra: expired on 20 Feb, bought VIP again on 23 Feb (3 days on) → came back.
        citra = await seed.member("Citra")
        await seed.expired(citra, vip_30, wib(1, 21), wib(2, 20))
        await seed.holds(citra, vip_30, wib(2, 23), expires=wib(3, 25))
        # Dewi: expired on 5 Feb, bought again on 14 Feb (9 days on) → expired.
        dewi = await seed.member("Dewi")
        await seed.expired(dewi, vip_30, wib(1, 6), wib(2, 5))
        await seed.holds(dewi, vip_30, wib(2, 14), expires=wib(3, 16))
        # Eko: renewed in February, but the term it extended ends on 5 March → March.
        eko = await seed.member("Eko")
        held = await seed.holds(eko, vip_30, wib(2, 3), expires=wib(4, 4))
        await seed.event(held, "renewed", wib(2, 25), old=wib(3, 5), new=wib(4, 4))
        # Fajar: a Basic plan that expired → not VIP retention.
        fajar = await seed.member("Fajar")
        await seed.expired(fajar, basic_30, wib(1, 13), wib(2, 12))
        # Gita: upgraded to VIP Lifetime on 10 Feb before her term's end (25 Feb) → her
        # term never reached its end.
        gita = await seed.member("Gita")
        held = await seed.holds(
            gita, vip_30, wib(1, 26), expires=wib(2, 25), ended=wib(2, 10),
            status=MembershipStatus.UPGRADED,
        )  # fmt: skip
        await seed.event(held, "upgraded", wib(2, 10), old=wib(2, 25))
        await seed.holds(gita, VIP_LIFETIME, wib(2, 10))
        # Indah: expired at 23:30 WIB on 28 Feb → February; Joko at 00:30 on 1 March → not.
        indah = await seed.member("Indah")
        await seed.expired(indah, vip_30, wib(1, 29, 23, 30), wib(2, 28, 23, 30))
        joko = await seed.member("Joko")
        await seed.expired(joko, vip_30, wib(1, 30, 0, 30), wib(3, 1, 0, 30))
        # Kiki renewed on 8 March the term that ends on 20 March: not reached yet.
        kiki = await seed.member("Kiki")
        held = await seed.holds(kiki, vip_30, wib(2, 18), expires=wib(4, 19))
        await seed.event(held, "renewed", wib(3, 8), old=wib(3, 20), new=wib(4, 19))

    await seeded(uow, fill)
    got = await numbers.report(numbers.period(PeriodKind.LAST_MONTH))
    # Renewed: Ani; came back: Citra; expired: Budi, Dewi, Indah → 2 of 5 = 40%.
    retention = got.retention
    assert (retention.renewed, retention.came_back, retention.expired) == (1, 1, 3)
    assert retention.ratio == Ratio(2, 5) and retention.ratio.meets(0.80) is False
    # March so far: Eko's renewed term (5 March) and Joko's expiry (1 March) → 1 of 2;
    # Kiki's term ends after now.
    march = numbers.period(PeriodKind.THIS_MONTH)
    assert (await numbers.report(march)).retention == Retention(1, 0, 1)
    # The same by month, for the chart: January had no VIP term ending.
    by_month = (await numbers.trends(march, months=3, weeks=1)).retention_by_month
    assert [(bucket.first_day, kept) for bucket, kept in by_month] == [
        (date(2026, 1, 1), Retention(0, 0, 0)),
        (date(2026, 2, 1), Retention(1, 1, 3)),
        (date(2026, 3, 1), Retention(1, 0, 1)),
    ]


async def money(seed: Seed) -> None:
    """Lina leads Ani (VIP) and Budi (Basic); Citra left her team on 10 Feb; Eko joins it
    on 2 March. Mira leads Dewi, whose VIP ran out on 15 Feb. Nina led Fajar until 12 Feb."""
    lina, mira, nina = await seed.members("Lina", "Mira", "Nina")
    ani, budi, citra, dewi, eko, fajar = await seed.members(
        "Ani", "Budi", "Citra", "Dewi", "Eko", "Fajar"
    )
    vip_30 = await seed.plan("vip_30", "vip", 30)
    for member_id in (ani, citra, eko, fajar):
        await seed.holds(member_id, VIP_LIFETIME, wib(1, 5))
    await seed.holds(budi, BASIC_LIFETIME, wib(1, 5))
    await seed.expired(dewi, vip_30, wib(1, 16), wib(2, 15))
    for member_id in (ani, budi):
        await seed.leads(lina, member_id, wib(1, 1))
    await seed.leads(lina, citra, wib(1, 1), wib(2, 10))
    await seed.leads(lina, eko, wib(3, 2))
    await seed.leads(mira, dewi, wib(1, 1))
    await seed.leads(nina, fajar, wib(1, 1), wib(2, 12))
    # January: Ani earns 55.000, Lina 5.000; Ani is paid 20.000.
    await seed.commission(ani, wib(1, 20), 100_000, leader_id=lina)
    await seed.payout(ani, wib(1, 25), 20_000)
    # February: Ani earns 110.000 and Lina 10.000; Fajar 55.000 and Nina 5.000.
    await seed.commission(ani, wib(2, 10), 200_000, leader_id=lina)
    await seed.commission(fajar, wib(2, 5), 100_000, leader_id=nina)
    # Paid in February: Ani 100.000 of her 145.000, Lina 15.000 at 23:30 on the last day.
    await seed.payout(ani, wib(2, 20), 100_000)
    await seed.payout(lina, wib(2, 28, 23, 30), 15_000)
    # March: Ani earns 55.000 more and is paid 10.000 of it.
    await seed.commission(ani, wib(3, 2), 100_000, leader_id=lina)
    await seed.payout(ani, wib(3, 3), 10_000)


async def test_payout_rate_is_what_was_paid_of_what_was_owed_during_the_period(
    uow: UnitOfWorkFactory, numbers: NumbersService
) -> None:
    await seeded(uow, money)
    got = await numbers.report(numbers.period(PeriodKind.LAST_MONTH))
    # Owed in February: carried in 55.000 + 5.000 − 20.000 = 40.000, earned 110.000 +
    # 10.000 + 55.000 + 5.000 = 180.000 → 220.000. Paid 100.000 + 15.000 = 115.000;
    # left at the end: 220.000 − 115.000 = 105.000.
    assert (got.payouts.paid, got.payouts.available) == (115_000, 105_000)
    assert got.payouts.ratio == Ratio(115_000, 220_000)
    assert got.payouts.ratio.meets(0.90) is False
    # March so far: owed 105.000 + 55.000 + 5.000 = 165.000, paid 10.000.
    march = await numbers.report(numbers.period(PeriodKind.THIS_MONTH))
    assert march.payouts.ratio == Ratio(10_000, 165_000)


async def test_the_payout_rate_counts_what_the_ledger_got_since_the_last_report(
    uow: UnitOfWorkFactory,
) -> None:
    # The service carries the ledger's sum from one report to the next: what is written
    # after a report, and a period that ended before the carried sum, must still count.
    await seeded(uow, money)
    clock = FrozenClock(NOW)
    numbers = NumbersService(uow, clock, ZONE, "id")
    march = numbers.period(PeriodKind.THIS_MONTH)
    assert (await numbers.report(march)).payouts.ratio == Ratio(10_000, 165_000)
    clock.advance(days=3)  # 13 March: Ani earns 110.000 and is paid 50.000
    async with uow() as work:
        seed = Seed(work)
        ani = await seed.member("Ani 2")
        await seed.commission(ani, clock.now(), 200_000)
        await seed.payout(ani, clock.now(), 50_000)
        await work.commit()
    clock.advance(hours=1)
    # Owed in March: 165.000 + 110.000 = 275.000, paid 10.000 + 50.000 = 60.000.
    assert (await numbers.report(march)).payouts.ratio == Ratio(60_000, 275_000)
    clock.advance(days=2)
    assert (await numbers.report(march)).payouts.ratio == Ratio(60_000, 275_000)
    february = await numbers.report(numbers.period(PeriodKind.LAST_MONTH))
    assert (february.payouts.paid, february.payouts.available) == (115_000, 105_000)


async def test_latest_numbers_are_at_most_five_minutes_old_and_refresh_counts_anew(
    uow: UnitOfWorkFactory,
) -> None:
    # The bot counts the named periods in the background (`refresh`); the screen shows
    # `latest`: what was counted in the last five minutes, else counted now.
    await seeded(uow, money)
    clock = FrozenClock(NOW)
    numbers = NumbersService(uow, clock, ZONE, "id")
    assert await numbers.refresh() == 3
    march = numbers.period(PeriodKind.THIS_MONTH)
    before = await numbers.latest(march)
    assert before.payouts.ratio == Ratio(10_000, 165_000) and before.as_of == NOW
    async with uow() as work:
        seed = Seed(work)
        ani = await seed.member("Ani 2")
        await seed.commission(ani, clock.now(), 200_000)
        await seed.payout(ani, clock.now(), 50_000)
        await work.commit()
    clock.advance(minutes=4)
    assert await numbers.latest(march) is before  # still fresh: shown again, as of NOW
    clock.advance(minutes=2)
    later = await numbers.latest(march)  # 6 minutes: counted anew, the payout in it
    assert later.payouts.ratio == Ratio(60_000, 275_000) and later.as_of == clock.now()
    await numbers.refresh()
    assert (await numbers.latest(march)).as_of == clock.now()


async def test_leaders_show_their_team_at_the_period_end_its_vip_share_and_their_earnings(
    uow: UnitOfWorkFactory, numbers: NumbersService
) -> None:
    await seeded(uow, money)
    got = await numbers.report(numbers.period(PeriodKind.LAST_MONTH))
    rows = [(f.name, f.subs, f.vip_subs, f.earnings) for f in got.leaders]
    # Lina: Ani (VIP) and Budi (Basic) at the end of February; Citra had left, Eko not
    # yet come; she earned 10.000 in February. Nina: no team left, 5.000 earned. Mira:
    # Dewi, no longer VIP; nothing earned.
    assert rows == [("Lina", 2, 1, 10_000), ("Nina", 0, 0, 5_000), ("Mira", 1, 0, 0)]
    assert got.leaders[0].vip_rate == Ratio(1, 2)
    assert got.leaders[1].vip_rate.share is None
    march = await numbers.report(numbers.period(PeriodKind.THIS_MONTH))
    lina = march.leaders[0]
    assert (lina.name, lina.subs, lina.vip_subs, lina.earnings) == ("Lina", 3, 2, 5_000)


async def test_account_utilization_is_held_of_the_accounts_not_retired(
    uow: UnitOfWorkFactory, numbers: NumbersService
) -> None:
    async def fill(seed: Seed) -> None:
        ani, budi, citra = await seed.members("Ani", "Budi", "Citra")
        await seed.account("held_active", "active", ani)
        await seed.account("free_active", "active")
        await seed.account("held_suspended", "suspended", budi)
        await seed.account("free_suspended", "suspended")
        await seed.account("retired", "inactive")
        await seed.account("retired_held", "inactive", citra)

    await seeded(uow, fill)
    accounts = (await numbers.report(numbers.period(PeriodKind.THIS_MONTH))).accounts
    # 6 accounts, 2 retired → 4 in service, of which 2 held → 50%; 2 suspended.
    assert (accounts.total, accounts.retired, accounts.held, accounts.suspended) == (6, 2, 2, 2)
    assert accounts.utilization == Ratio(2, 4)


async def test_revenue_and_new_members_fall_in_the_jakarta_month_and_week(
    uow: UnitOfWorkFactory, numbers: NumbersService
) -> None:
    async def fill(seed: Seed) -> None:
        # Joined: Sunday 22 Feb 23:30 WIB (week of 16 Feb), Monday 23 Feb 00:30 WIB
        # (week of 23 Feb, though still Sunday in UTC), 1 March 00:30 WIB (March).
        ani = await seed.member("Ani", joined=wib(2, 22, 23, 30))
        budi = await seed.member("Budi", joined=wib(2, 23, 0, 30))
        await seed.member("Citra", joined=wib(3, 1, 0, 30))
        await seed.payment(ani, 299_000, wib(2, 28, 23, 30), PaymentStatus.APPROVED)
        await seed.payment(budi, 97_000, wib(3, 1, 0, 30), PaymentStatus.APPROVED)
        await seed.payment(ani, 50_000, wib(2, 1, 0, 10), PaymentStatus.APPROVED)
        await seed.payment(budi, 97_000, wib(1, 31, 23, 59), PaymentStatus.APPROVED)
        await seed.payment(budi, 299_000, wib(2, 10), PaymentStatus.CANCELLED)

    await seeded(uow, fill)
    february = numbers.period(PeriodKind.LAST_MONTH)
    got = await numbers.report(february)
    # February: 299.000 (28 Feb 23:30) + 50.000 (1 Feb 00:10); the cancelled one is no
    # revenue; 31 Jan 23:59 and 1 Mar 00:30 are other months.
    assert (got.revenue.count, got.revenue.total) == (2, 349_000)
    assert got.new_members == 2
    # The bars are whole months and whole weeks (Monday first): the last week, of 23
    # February, runs to Sunday 1 March and holds Citra too.
    trends = await numbers.trends(february, months=3, weeks=3)
    assert [(p.bucket.first_day, p.tally.total) for p in trends.revenue_by_month] == [
        (date(2025, 12, 1), 0),
        (date(2026, 1, 1), 97_000),
        (date(2026, 2, 1), 349_000),
    ]
    assert [(p.bucket.first_day, p.tally.count) for p in trends.members_by_week] == [
        (date(2026, 2, 9), 0),
        (date(2026, 2, 16), 1),
        (date(2026, 2, 23), 2),
    ]
    march = await numbers.report(numbers.period(PeriodKind.THIS_MONTH))
    assert (march.revenue.total, march.new_members) == (97_000, 1)


async def test_proofs_median_wait_and_rejection_rate_count_the_decisions_in_the_period(
    uow: UnitOfWorkFactory, numbers: NumbersService
) -> None:
    async def fill(seed: Seed) -> None:
        ani = await seed.member("Ani")
        payment = await seed.payment(ani, 299_000, wib(2, 26), PaymentStatus.APPROVED)
        minutes = timedelta(minutes=1)
        await seed.proof(payment, wib(2, 2), ProofStatus.ACCEPTED, 10 * minutes)
        await seed.proof(payment, wib(2, 3), ProofStatus.REJECTED, 30 * minutes)
        await seed.proof(payment, wib(2, 4), ProofStatus.ACCEPTED, 120 * minutes)
        # Sent on 28 Feb 23:00, decided 23:50 WIB: still February.
        await seed.proof(payment, wib(2, 28, 23), ProofStatus.ACCEPTED, 50 * minutes)
        # Not decisions in February: withdrawn, waiting, decided on 1 March.
        await seed.proof(payment, wib(2, 5), ProofStatus.WITHDRAWN)
        await seed.proof(payment, wib(2, 6), ProofStatus.SUBMITTED)
        await seed.proof(payment, wib(2, 28, 23, 50), ProofStatus.REJECTED, 20 * minutes)

    await seeded(uow, fill)
    proofs = (await numbers.report(numbers.period(PeriodKind.LAST_MONTH))).proofs
    # Waits 10, 30, 50, 120 minutes → median (30 + 50) / 2 = 40; 1 rejected of 4.
    assert (proofs.accepted, proofs.rejected) == (3, 1)
    assert proofs.median_wait == timedelta(minutes=40)
    assert proofs.rejection == Ratio(1, 4)


async def test_the_median_wait_of_an_odd_number_of_decisions_is_the_middle_one(
    uow: UnitOfWorkFactory, numbers: NumbersService
) -> None:
    async def fill(seed: Seed) -> None:
        ani = await seed.member("Ani")
        payment = await seed.payment(ani, 299_000, wib(2, 26), PaymentStatus.APPROVED)
        for day, seconds in ((2, 90 * 60), (3, 7 * 60), (4, 25 * 60 + 40), (5, 25 * 60 + 10)):
            await seed.proof(payment, wib(2, day), ProofStatus.ACCEPTED, timedelta(seconds=seconds))
        await seed.proof(payment, wib(2, 6), ProofStatus.REJECTED, timedelta(seconds=25 * 60 + 20))

    await seeded(uow, fill)
    proofs = (await numbers.report(numbers.period(PeriodKind.LAST_MONTH))).proofs
    # Waits 7:00, 25:10, 25:20, 25:40 and 90:00 minutes → 25:20 (three in the same minute).
    assert proofs.median_wait == timedelta(minutes=25, seconds=20)
    assert (proofs.accepted, proofs.rejected) == (4, 1)


async def test_a_custom_period_counts_whole_jakarta_days(
    uow: UnitOfWorkFactory, numbers: NumbersService
) -> None:
    async def fill(seed: Seed) -> None:
        ani = await seed.member("Ani")
        await seed.payment(ani, 10_000, wib(2, 9, 23, 59), PaymentStatus.APPROVED)
        await seed.payment(ani, 20_000, wib(2, 10, 0, 0), PaymentStatus.APPROVED)
        await seed.payment(ani, 40_000, wib(2, 11, 23, 59), PaymentStatus.APPROVED)
        await seed.payment(ani, 80_000, wib(2, 12, 0, 0), PaymentStatus.APPROVED)

    await seeded(uow, fill)
    period = numbers.custom_period(date(2026, 2, 10), date(2026, 2, 11))
    assert (await numbers.report(period)).revenue.total == 60_000
