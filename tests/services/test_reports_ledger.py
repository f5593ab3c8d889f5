"""Reports, validation, commissions, balances, payouts and leaders, through the services."""

from __future__ import annotations

import asyncio
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select, text, update

from domain.commission import FULL_BP
from domain.reports import ReportRejectReason
from domain.states import ReportStatus
from kernel.dates import day_param
from services.leaders import LeaderProblem, LeaderServiceError
from services.ledger import LedgerProblem, LedgerServiceError, check_ledger
from services.members import TelegramProfile
from services.reports import ReportError, ReportProblem
from storage.models import Commission, LedgerEntry, OutboxMessage, Payout, Report
from storage.uow import UnitOfWorkFactory
from tests.kit.clock import FrozenClock
from tests.services.reportkit import (
    ADMIN,
    ADMIN_CHAT,
    BASIC_CITRA,
    LEADER_LINA,
    NOBODY,
    OTHER_ADMIN,
    VIP_ANI,
    VIP_BUDI,
    World,
    figures,
    make_world,
    shots,
)


@pytest.fixture
async def world(uow: UnitOfWorkFactory, clock: FrozenClock) -> World:
    w = await make_world(uow, clock)
    await w.join(LEADER_LINA, "Lina", "vip_lifetime")
    code = await w.code(LEADER_LINA)
    await w.join(VIP_ANI, "Ani", "vip_lifetime", payload=f"ref_{code}")
    await w.join(VIP_BUDI, "Budi", "vip_lifetime")
    await w.join(BASIC_CITRA, "Citra", "basic_lifetime")
    await w.join(NOBODY, "Nobody", None)
    return w


async def commissions(world: World) -> list[Commission]:
    async with world.uow() as work:
        return list((await work.session.execute(select(Commission))).scalars())


async def test_the_seed_example_a_vip_with_a_leader_earns_55_000_and_the_leader_5_000(
    world: World,
) -> None:
    report = await world.report(VIP_ANI, 100_000)
    outcome = await world.reports.validate(report, 1, ADMIN)
    assert outcome.applied and outcome.commission and outcome.commission.split
    split = outcome.commission.split
    assert (split.member, split.leader, split.owner) == (55_000, 5_000, 40_000)
    ani = await world.texts(VIP_ANI)
    assert ani[-1][0] == "reports.validated_paid" and ani[-1][1]["share"] == "Rp 55.000"
    lina = await world.texts(LEADER_LINA)
    assert lina[-1][0] == "reports.leader_share" and lina[-1][1]["share"] == "Rp 5.000"
    ani_balance = await world.ledger.balance(await world.member_id(VIP_ANI))
    assert (ani_balance.total_commission, ani_balance.member_share, ani_balance.available) == (
        100_000,
        55_000,
        55_000,
    )
    lina_balance = await world.ledger.balance(await world.member_id(LEADER_LINA))
    assert (lina_balance.leader_share, lina_balance.member_share, lina_balance.available) == (
        5_000,
        0,
        5_000,
    )


async def test_without_a_leader_the_owner_keeps_the_leader_part(world: World) -> None:
    report = await world.report(VIP_BUDI, 100_000)
    outcome = await world.reports.validate(report, 1, ADMIN)
    assert outcome.commission and outcome.commission.split
    assert outcome.commission.split.leader == 0 and outcome.commission.split.owner == 45_000
    assert [k for k, _ in await world.texts(LEADER_LINA)].count("reports.leader_share") == 0


async def test_odd_amounts_split_into_integers_that_sum_exactly(world: World) -> None:
    report = await world.report(VIP_ANI, 33_333)
    outcome = await world.reports.validate(report, 1, ADMIN)
    assert outcome.commission and outcome.commission.split
    s = outcome.commission.split
    assert (s.member, s.leader) == (33_333 * 55 // 100, 33_333 * 5 // 100)
    assert s.member + s.leader + s.owner == 33_333


async def test_a_basic_report_is_validated_earns_nothing_and_is_told_what_vip_pays(
    world: World,
) -> None:
    report = await world.report(BASIC_CITRA, 100_000)
    outcome = await world.reports.validate(report, 1, ADMIN)
    assert outcome.applied and outcome.status == ReportStatus.VALIDATED
    assert await commissions(world) == []
    key, params = (await world.texts(BASIC_CITRA))[-1]
    assert key == "reports.validated_no_commission" and params["would"] == "Rp 55.000"
    balance = await world.ledger.balance(await world.member_id(BASIC_CITRA))
    assert balance.available == 0 and balance.validated_reports == 1


async def test_someone_without_a_membership_cannot_report(world: World) -> None:
    with pytest.raises(ReportError) as error:
        await world.reports.can_report(NOBODY)
    assert error.value.problem is ReportProblem.NO_MEMBERSHIP
    with pytest.raises(ReportError):
        await world.reports.submit(NOBODY, world.today(), figures(), shots())


async def test_twenty_concurrent_validations_create_one_commission(world: World) -> None:
    report = await world.report(VIP_ANI, 100_000)
    admins = [ADMIN, OTHER_ADMIN] * 10
    outcomes = await asyncio.gather(*(world.reports.validate(report, 1, admin) for admin in admins))
    assert sum(o.applied for o in outcomes) == 1
    assert len(await commissions(world)) == 1
    late = [o for o in outcomes if not o.applied]
    assert all(o.status == ReportStatus.VALIDATED and o.decided_by_name for o in late)
    assert [k for k, _ in await world.texts(VIP_ANI)].count("reports.validated_paid") == 1
    assert [k for k, _ in await world.texts(LEADER_LINA)].count("reports.leader_share") == 1


async def test_a_replaced_report_cannot_be_validated_from_the_old_card(world: World) -> None:
    first = await world.reports.submit(VIP_ANI, world.today(), figures(100_000), shots(2))
    second = await world.reports.submit(VIP_ANI, world.today(), figures(80_000), shots(1, "t"))
    assert second.id == first.id and second.version == 2 and second.replaced
    stale = await world.reports.validate(first.id, 1, ADMIN)
    assert not stale.applied and stale.status == ReportStatus.SUBMITTED and stale.version == 2
    assert await commissions(world) == []
    fresh = await world.reports.validate(first.id, 2, ADMIN)
    assert fresh.applied and fresh.validated_amount == 80_000
    assert second.screenshots == 1


async def test_a_validated_report_cannot_be_replaced(world: World) -> None:
    report = await world.report(VIP_ANI)
    await world.reports.validate(report, 1, ADMIN)
    with pytest.raises(ReportError) as error:
        await world.reports.submit(VIP_ANI, world.today(), figures(1), shots())
    assert error.value.problem is ReportProblem.ALREADY_VALIDATED
    with pytest.raises(ReportError) as error:
        await world.reports.can_report(VIP_ANI)
    assert error.value.problem is ReportProblem.ALREADY_VALIDATED


async def test_a_rejected_report_can_be_sent_again_and_validated(world: World) -> None:
    report = await world.report(VIP_ANI)
    rejected = await world.reports.reject(report, 1, ADMIN, code=ReportRejectReason.UNREADABLE)
    assert rejected.applied and rejected.status == ReportStatus.REJECTED
    key, params = (await world.texts(VIP_ANI))[-1]
    assert key == "reports.rejected" and params["reason"] == {"key": "report_reason.unreadable"}
    again = await world.reports.reject(report, 1, OTHER_ADMIN, note="dobel")
    assert not again.applied and again.decided_by_name == ADMIN.name
    view = await world.reports.submit(VIP_ANI, world.today(), figures(), shots())
    assert view.version == 2 and view.status == ReportStatus.SUBMITTED
    assert (await world.reports.validate(report, 2, ADMIN)).applied


async def test_adjusting_validates_at_the_corrected_amount(world: World) -> None:
    report = await world.report(VIP_ANI, 100_000)
    outcome = await world.reports.validate(report, 1, ADMIN, amount=60_000)
    assert outcome.commission and outcome.commission.split
    assert outcome.commission.split.member == 33_000
    key, params = (await world.texts(VIP_ANI))[-1]
    assert key == "reports.validated_paid"
    assert params["adjusted"] == {
        "key": "reports.adjusted_note",
        "params": {"claimed": "Rp 100.000"},
    }
    with pytest.raises(ReportError):
        await world.reports.validate(report, 1, ADMIN, amount=-1)


async def test_only_today_or_yesterday_can_be_reported(world: World) -> None:
    with pytest.raises(ReportError) as error:
        await world.reports.submit(VIP_ANI, world.today() - timedelta(days=2), figures(), shots())
    assert error.value.problem is ReportProblem.DAY_PASSED
    view = await world.reports.submit(
        VIP_ANI, world.today() - timedelta(days=1), figures(), shots()
    )
    assert view.report_date == world.today() - timedelta(days=1)


async def test_screenshots_one_to_five(world: World) -> None:
    for n, problem in ((0, ReportProblem.NO_SCREENSHOTS), (6, ReportProblem.TOO_MANY_SCREENSHOTS)):
        with pytest.raises(ReportError) as error:
            await world.reports.submit(VIP_ANI, world.today(), figures(), shots(n))
        assert error.value.problem is problem


async def test_the_admin_card_comes_after_the_extra_screenshots(world: World) -> None:
    await world.report(VIP_ANI, n=3)
    async with world.uow() as work:
        rows = await work.session.execute(
            select(OutboxMessage)
            .where(OutboxMessage.chat_id == ADMIN_CHAT)
            .order_by(OutboxMessage.id)
        )
        sent = list(rows.scalars())
    assert [m.text_key for m in sent] == [
        "report_review.screenshot",
        "report_review.screenshot",
        "report_review.card",
    ]
    card = sent[-1]
    assert card.photo_file_id == "s-file-0" and card.buttons is not None
    assert card.params["name"] == "Ani" and card.params["commission"] == "Rp 100.000"


async def test_the_leader_and_tier_count_as_of_the_report_day(
    world: World, clock: FrozenClock
) -> None:
    day_one = world.today()
    await world.report(VIP_BUDI)  # Budi has no leader on day one
    clock.advance(days=1)
    budi = await world.member_id(VIP_BUDI)
    lina = await world.member_id(LEADER_LINA)
    await world.leaders.set_leader(budi, lina, ADMIN)
    async with world.uow() as work:
        report_id = (
            await work.session.execute(select(Report.id).where(Report.report_date == day_one))
        ).scalar_one()
    outcome = await world.reports.validate(report_id, 1, ADMIN)
    assert outcome.commission and outcome.commission.leader_member_id is None
    today_report = await world.report(VIP_BUDI)
    outcome = await world.reports.validate(today_report, 1, ADMIN)
    assert outcome.commission and outcome.commission.leader_member_id == lina


async def test_a_new_structure_applies_from_its_date_and_not_before(
    world: World, clock: FrozenClock
) -> None:
    start = world.today() + timedelta(days=1)
    row = await world.ledger.add_structure("vip", 6000, 500, 3500, start, ADMIN)
    assert row.effective_from == start
    old = await world.report(VIP_BUDI, 100_000)
    clock.advance(days=1)
    new = await world.report(VIP_BUDI, 100_000)
    first = await world.reports.validate(old, 1, ADMIN)
    second = await world.reports.validate(new, 1, ADMIN)
    assert first.commission and first.commission.split and first.commission.split.member == 55_000
    assert second.commission and second.commission.split
    assert second.commission.split.member == 60_000
    rows = await world.ledger.structures()
    vip = [r for r in rows if r.tier_code == "vip"]
    assert [(r.effective_from, r.effective_to) for r in vip] == [
        (date(2025, 12, 20), start),
        (start, None),
    ]


@pytest.mark.parametrize(
    ("shares", "start_days", "problem"),
    [
        ((6000, 500, 3000), 1, LedgerProblem.SUM_NOT_100),
        ((6000, 500, 3500), -1, LedgerProblem.STARTS_IN_PAST),
    ],
)
async def test_a_bad_structure_is_refused(
    world: World, shares: tuple[int, int, int], start_days: int, problem: LedgerProblem
) -> None:
    with pytest.raises(LedgerServiceError) as error:
        await world.ledger.add_structure(
            "vip", *shares, world.today() + timedelta(days=start_days), ADMIN
        )
    assert error.value.problem is problem
    assert sum(shares) != FULL_BP or problem is LedgerProblem.STARTS_IN_PAST


async def test_overlapping_structures_are_refused(world: World) -> None:
    later = world.today() + timedelta(days=30)
    await world.ledger.add_structure("vip", 6000, 500, 3500, later, ADMIN)
    with pytest.raises(LedgerServiceError) as error:
        await world.ledger.add_structure("vip", 5000, 500, 4500, later - timedelta(days=5), ADMIN)
    assert error.value.problem is LedgerProblem.OVERLAP


async def test_a_structure_starts_tomorrow_at_the_earliest(world: World) -> None:
    """Reports are dated today at the latest, so a split from tomorrow can never
    contradict a commission already made (or one being made right now)."""
    await world.reports.validate(await world.report(VIP_BUDI), 1, ADMIN)
    with pytest.raises(LedgerServiceError) as error:
        await world.ledger.add_structure("vip", 6000, 500, 3500, world.today(), ADMIN)
    assert error.value.problem is LedgerProblem.STARTS_IN_PAST
    tomorrow = world.today() + timedelta(days=1)
    assert error.value.params == {"earliest": day_param(tomorrow)}


async def test_payouts_never_exceed_what_is_available(world: World) -> None:
    ani = await world.member_id(VIP_ANI)
    await world.reports.validate(await world.report(VIP_ANI, 100_000), 1, ADMIN)
    with pytest.raises(LedgerServiceError) as error:
        await world.ledger.payout(ani, 60_000, "BCA", None, ADMIN)
    assert error.value.problem is LedgerProblem.EXCEEDS_AVAILABLE
    paid = await world.ledger.payout(ani, 20_000, "BCA", "TRX-1", ADMIN)
    assert paid.available_after == 35_000
    everything = await world.ledger.payout(ani, None, "DANA", None, ADMIN)
    assert everything.amount == 35_000 and everything.available_after == 0
    with pytest.raises(LedgerServiceError) as error:
        await world.ledger.payout(ani, None, "DANA", None, ADMIN)
    assert error.value.problem is LedgerProblem.NOTHING_AVAILABLE
    balance = await world.ledger.balance(ani)
    assert (balance.paid, balance.available, balance.member_share) == (55_000, 0, 55_000)
    key, params = (await world.texts(VIP_ANI))[-1]
    assert key == "ledger.paid_out" and params["amount"] == "Rp 35.000"


async def test_concurrent_payouts_never_overdraw(world: World) -> None:
    ani = await world.member_id(VIP_ANI)
    await world.reports.validate(await world.report(VIP_ANI, 100_000), 1, ADMIN)
    results = await asyncio.gather(
        *(world.ledger.payout(ani, 20_000, "BCA", None, ADMIN) for _ in range(5)),
        *(world.ledger.payout(ani, None, "BCA", None, OTHER_ADMIN) for _ in range(3)),
        return_exceptions=True,
    )
    paid = sum(r.amount for r in results if not isinstance(r, BaseException))
    errors = [r for r in results if isinstance(r, BaseException)]
    assert all(isinstance(e, LedgerServiceError) for e in errors)
    assert paid <= 55_000
    assert (await world.ledger.balance(ani)).available == 55_000 - paid


async def test_the_same_payout_command_twice_pays_once(world: World) -> None:
    ani = await world.member_id(VIP_ANI)
    await world.reports.validate(await world.report(VIP_ANI, 100_000), 1, ADMIN)
    first, second = await asyncio.gather(
        world.ledger.payout(ani, 10_000, "BCA", None, ADMIN, request_key="chat:1:msg:5"),
        world.ledger.payout(ani, 10_000, "BCA", None, ADMIN, request_key="chat:1:msg:5"),
    )
    assert {first.applied, second.applied} == {True, False}
    assert (await world.ledger.balance(ani)).available == 45_000


async def test_the_ledger_is_append_only_in_the_database(world: World) -> None:
    await world.reports.validate(await world.report(VIP_ANI), 1, ADMIN)
    for statement in (
        update(LedgerEntry).values(amount=1),
        update(Commission).values(total=1),
        text("DELETE FROM ledger_entries"),
    ):
        async with world.uow() as work:
            with pytest.raises(Exception, match="append-only"):
                await work.session.execute(statement)
                await work.commit()
    async with world.uow() as work:
        assert (
            await work.session.execute(select(func.count()).select_from(LedgerEntry))
        ).scalar() == 2


@pytest.mark.breaks_ledger
async def test_check_ledger_finds_a_payout_larger_than_the_earnings(world: World) -> None:
    clean = await check_ledger(world.uow)
    assert clean.ok
    ani = await world.member_id(VIP_ANI)
    async with world.uow() as work:
        work.session.add(
            Payout(member_id=ani, amount=5, method="x", created_by=1, created_at=world.clock.now())
        )
        await work.session.flush()
        payout_id = (await work.session.execute(select(func.max(Payout.id)))).scalar_one()
        work.session.add(
            LedgerEntry(
                member_id=ani,
                kind="payout",
                amount=-5,
                payout_id=payout_id,
                created_at=world.clock.now(),
            )
        )
        await work.commit()
    broken = await check_ledger(world.uow)
    assert not broken.ok
    assert any("negative" in b for b in broken.breaches)
    assert any("more than earned" in b for b in broken.breaches)


async def test_a_referral_link_makes_a_new_member_the_leaders_sub_once(world: World) -> None:
    lina_code = await world.code(LEADER_LINA)
    assert [k for k, _ in await world.texts(LEADER_LINA)].count("leaders.new_sub_by_link") == 1
    budi_code = await world.code(VIP_BUDI)
    # Ani already has a leader: a second link changes nothing.
    view = await world.members.register(TelegramProfile(VIP_ANI, "Ani"), f"ref_{budi_code}")
    assert view.joined_leader is None
    history = await world.leaders.history(await world.member_id(VIP_ANI))
    assert [h.leader_name for h in history] == ["Lina"]
    # Lina cannot become the sub of her own sub (a loop), nor her own leader.
    lina = await world.member_id(LEADER_LINA)
    ani = await world.member_id(VIP_ANI)
    with pytest.raises(LeaderServiceError) as error:
        await world.leaders.set_leader(lina, ani, ADMIN)
    assert error.value.problem is LeaderProblem.LOOP
    with pytest.raises(LeaderServiceError) as error:
        await world.leaders.set_leader(lina, lina, ADMIN)
    assert error.value.problem is LeaderProblem.SELF
    assert lina_code != budi_code


async def test_an_admin_change_is_dated_and_kept(world: World, clock: FrozenClock) -> None:
    ani = await world.member_id(VIP_ANI)
    budi = await world.member_id(VIP_BUDI)
    clock.advance(days=3)
    change = await world.leaders.set_leader(ani, budi, ADMIN)
    assert (change.old_leader, change.new_leader) == ("Lina", "Budi")
    history = await world.leaders.history(ani)
    assert [(h.leader_name, h.valid_to is None) for h in history] == [
        ("Budi", True),
        ("Lina", False),
    ]
    assert history[1].valid_to == history[0].valid_from == clock.now()
    with pytest.raises(LeaderServiceError) as error:
        await world.leaders.set_leader(ani, budi, ADMIN)
    assert error.value.problem is LeaderProblem.SAME
    removed = await world.leaders.set_leader(ani, None, ADMIN)
    assert removed.new_leader is None
    with pytest.raises(LeaderServiceError) as error:
        await world.leaders.set_leader(ani, None, ADMIN)
    assert error.value.problem is LeaderProblem.NO_LEADER


async def test_a_leader_sees_the_team(world: World) -> None:
    await world.reports.validate(await world.report(VIP_ANI, 100_000), 1, ADMIN)
    team = await world.leaders.team(LEADER_LINA)
    assert team is not None
    assert [
        (s.name, s.tier.code if s.tier else None, s.reports_this_month, s.leader_share)
        for s in team.subs
    ] == [("Ani", "vip", 1, 5_000)]
    assert team.leader_share_total == 5_000


async def test_the_reminder_goes_once_to_vips_who_have_not_reported(world: World) -> None:
    await world.report(VIP_BUDI)
    assert await world.reports.remind_missing() == 2  # Lina and Ani; Budi reported
    assert await world.reports.remind_missing() == 0
    for telegram_id, expected in ((VIP_ANI, 1), (LEADER_LINA, 1), (VIP_BUDI, 0), (BASIC_CITRA, 0)):
        keys = [k for k, _ in await world.texts(telegram_id)]
        assert keys.count("reports.reminder") == expected


async def test_bulk_validation_validates_exactly_the_listed_reports(world: World) -> None:
    a = await world.report(VIP_ANI)
    b = await world.report(VIP_BUDI)
    listing = await world.reports.pending(ADMIN)
    assert [line.report_id for line in listing.lines] == [a, b] and listing.batch_id
    await world.reports.submit(VIP_BUDI, world.today(), figures(1), shots())  # replaced since
    c = await world.report(BASIC_CITRA)  # arrived since
    result = await world.reports.validate_batch(listing.batch_id, ADMIN)
    assert (result.validated, result.skipped, result.first_use) == (1, 1, True)
    assert [(line.report_id, line.skipped) for line in result.lines] == [(a, None), (b, "replaced")]
    again = await world.reports.validate_batch(listing.batch_id, OTHER_ADMIN)
    assert (again.validated, again.first_use) == (0, False)
    async with world.uow() as work:
        statuses = dict((await work.session.execute(select(Report.id, Report.status))).all())
    assert statuses == {a: "validated", b: "submitted", c: "submitted"}
