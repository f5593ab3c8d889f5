"""The database itself refuses double effects, whatever a service gets wrong."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import date

import pytest
from sqlalchemy.exc import IntegrityError

from domain.membership import MembershipStatus
from domain.states import LeaderSource, LedgerKind, PaymentStatus, ReportStatus, ShopStatus
from storage.models import (
    AffiliateAccount,
    Commission,
    CommissionStructure,
    LeaderLink,
    LedgerEntry,
    Member,
    Membership,
    PaymentRequest,
    Report,
)
from storage.uow import UnitOfWork, UnitOfWorkFactory
from tests.kit.clock import FrozenClock

Build = Callable[[UnitOfWork], Awaitable[None]]


async def add_member(work: UnitOfWork, clock: FrozenClock, telegram_id: int) -> Member:
    member = Member(
        telegram_id=telegram_id,
        first_name=f"M{telegram_id}",
        referral_code=f"CODE{telegram_id}",
        created_at=clock.now(),
        last_seen_at=clock.now(),
    )
    work.session.add(member)
    await work.session.flush()
    return member


def payment(member: Member, clock: FrozenClock, status: PaymentStatus) -> PaymentRequest:
    now = clock.now()
    return PaymentRequest(
        member_id=member.id,
        plan_id=1,
        status=status,
        quote_kind="new",
        list_price=97_000,
        amount=97_000,
        quoted_at=now,
        created_at=now,
        updated_at=now,
    )


def report(member: Member, clock: FrozenClock, day: date) -> Report:
    now = clock.now()
    return Report(
        member_id=member.id,
        report_date=day,
        status=ReportStatus.SUBMITTED,
        commission_claimed=100_000,
        created_at=now,
        updated_at=now,
        links={},
    )


async def expect_refusal(uow: UnitOfWorkFactory, build: Build) -> None:
    async with uow() as work:
        with pytest.raises(IntegrityError):
            await build(work)
            await work.session.flush()


async def test_a_member_has_at_most_one_open_payment(
    uow: UnitOfWorkFactory, clock: FrozenClock
) -> None:
    async with uow() as work:
        ani = await add_member(work, clock, 1)
        work.session.add(payment(ani, clock, PaymentStatus.APPROVED))
        work.session.add(payment(ani, clock, PaymentStatus.SUBMITTED))
        await work.commit()

    async def second_open(work: UnitOfWork) -> None:
        member = await work.members.by_telegram_id(1)
        assert member is not None
        work.session.add(payment(member, clock, PaymentStatus.AWAITING_PROOF))

    await expect_refusal(uow, second_open)


async def test_a_report_produces_at_most_one_commission(
    uow: UnitOfWorkFactory, clock: FrozenClock
) -> None:
    async with uow() as work:
        ani = await add_member(work, clock, 1)
        rep = report(ani, clock, date(2026, 1, 10))
        work.session.add(rep)
        await work.session.flush()
        report_id, member_id = rep.id, ani.id
        work.session.add(
            Commission(
                report_id=rep.id,
                member_id=ani.id,
                total=100_000,
                member_share=55_000,
                leader_share=5_000,
                owner_share=40_000,
                created_at=clock.now(),
            )
        )
        await work.commit()

    async def second(work: UnitOfWork) -> None:
        work.session.add(
            Commission(
                report_id=report_id,
                member_id=member_id,
                total=100_000,
                member_share=55_000,
                leader_share=0,
                owner_share=45_000,
                created_at=clock.now(),
            )
        )

    await expect_refusal(uow, second)


async def test_commission_shares_must_add_up_to_the_total(
    uow: UnitOfWorkFactory, clock: FrozenClock
) -> None:
    async def lopsided(work: UnitOfWork) -> None:
        ani = await add_member(work, clock, 1)
        rep = report(ani, clock, date(2026, 1, 10))
        work.session.add(rep)
        await work.session.flush()
        work.session.add(
            Commission(
                report_id=rep.id,
                member_id=ani.id,
                total=100_000,
                member_share=55_000,
                leader_share=5_000,
                owner_share=40_001,
                created_at=clock.now(),
            )
        )

    await expect_refusal(uow, lopsided)


async def test_one_report_per_member_per_day(uow: UnitOfWorkFactory, clock: FrozenClock) -> None:
    async def twice(work: UnitOfWork) -> None:
        ani = await add_member(work, clock, 1)
        work.session.add(report(ani, clock, date(2026, 1, 10)))
        await work.session.flush()
        work.session.add(report(ani, clock, date(2026, 1, 10)))

    await expect_refusal(uow, twice)


async def test_an_affiliate_account_has_one_holder_and_a_member_one_account(
    uow: UnitOfWorkFactory, clock: FrozenClock
) -> None:
    async def two_accounts(work: UnitOfWork) -> None:
        ani = await add_member(work, clock, 1)
        for name in ("shop_a", "shop_b"):
            work.session.add(
                AffiliateAccount(
                    tiktok_username=name,
                    shop_status=ShopStatus.ACTIVE,
                    holder_member_id=ani.id,
                    created_at=clock.now(),
                )
            )

    await expect_refusal(uow, two_accounts)


async def test_no_one_is_their_own_leader_and_one_open_link_per_member(
    uow: UnitOfWorkFactory, clock: FrozenClock
) -> None:
    async def self_led(work: UnitOfWork) -> None:
        ani = await add_member(work, clock, 1)
        work.session.add(
            LeaderLink(
                member_id=ani.id,
                leader_member_id=ani.id,
                source=LeaderSource.ADMIN,
                valid_from=clock.now(),
            )
        )

    await expect_refusal(uow, self_led)

    async def two_open(work: UnitOfWork) -> None:
        ani, budi, cici = [await add_member(work, clock, i) for i in (1, 2, 3)]
        for leader in (budi, cici):
            work.session.add(
                LeaderLink(
                    member_id=ani.id,
                    leader_member_id=leader.id,
                    source=LeaderSource.REFERRAL,
                    valid_from=clock.now(),
                )
            )

    await expect_refusal(uow, two_open)


async def test_a_structure_must_sum_to_100_percent(
    uow: UnitOfWorkFactory, clock: FrozenClock
) -> None:
    async def wrong(work: UnitOfWork) -> None:
        work.session.add(
            CommissionStructure(
                tier_id=2,
                member_bp=5500,
                leader_bp=500,
                owner_bp=3000,
                effective_from=date(2027, 1, 1),
                created_at=clock.now(),
            )
        )

    await expect_refusal(uow, wrong)


async def test_one_active_holding_of_a_plan_per_member(
    uow: UnitOfWorkFactory, clock: FrozenClock
) -> None:
    async def twice(work: UnitOfWork) -> None:
        ani = await add_member(work, clock, 1)
        for _ in range(2):
            work.session.add(
                Membership(
                    member_id=ani.id,
                    plan_id=1,
                    status=MembershipStatus.ACTIVE,
                    list_price=97_000,
                    activated_at=clock.now(),
                    created_at=clock.now(),
                )
            )
            await work.session.flush()

    await expect_refusal(uow, twice)


async def test_a_commission_is_credited_to_the_ledger_once_per_kind(
    uow: UnitOfWorkFactory, clock: FrozenClock
) -> None:
    async def twice(work: UnitOfWork) -> None:
        ani = await add_member(work, clock, 1)
        rep = report(ani, clock, date(2026, 1, 10))
        work.session.add(rep)
        await work.session.flush()
        commission = Commission(
            report_id=rep.id,
            member_id=ani.id,
            total=10,
            member_share=5,
            leader_share=0,
            owner_share=5,
            created_at=clock.now(),
        )
        work.session.add(commission)
        await work.session.flush()
        for _ in range(2):
            work.session.add(
                LedgerEntry(
                    member_id=ani.id,
                    kind=LedgerKind.MEMBER_SHARE,
                    amount=5,
                    commission_id=commission.id,
                    created_at=clock.now(),
                )
            )
            await work.session.flush()

    await expect_refusal(uow, twice)


async def test_an_unknown_status_is_refused(uow: UnitOfWorkFactory, clock: FrozenClock) -> None:
    from sqlalchemy import text

    async def bogus(work: UnitOfWork) -> None:
        ani = await add_member(work, clock, 1)
        await work.session.execute(
            text(
                "INSERT INTO payment_requests (member_id, plan_id, status, quote_kind, "
                "list_price, credit, amount, days_carried, replaces_base, quoted_at, "
                "created_at, updated_at) VALUES (:m, 1, 'paid_maybe', 'new', 1, 0, 1, 0, "
                "false, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"
            ),
            {"m": ani.id},
        )

    await expect_refusal(uow, bogus)
