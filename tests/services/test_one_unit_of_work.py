"""One unit of work per admin action (issue 12): the calls an admin command or tap makes
look the member up, change and read back what the screen shows in ONE transaction, and
answer exactly as the separate calls they replace did. Each test counts the units of
work the call opens through the real factory."""

from __future__ import annotations

import pytest

from domain.reports import ReportRejectReason
from domain.states import ReportStatus
from kernel.admin_input import AdminProblem, AdminToolError, MemberRef
from services.leaders import LeaderProblem, LeaderServiceError
from services.ledger import LedgerProblem, LedgerServiceError
from services.members import TelegramProfile
from services.reports import ReportError, ReportProblem
from storage.uow import UnitOfWorkFactory
from tests.kit.clock import FrozenClock
from tests.kit.units_of_work import counting
from tests.services.reportkit import (
    ADMIN,
    NOBODY,
    OTHER_ADMIN,
    VIP_ANI,
    VIP_BUDI,
    World,
    make_world,
)

ANI = MemberRef(telegram_id=VIP_ANI)
BUDI = MemberRef(telegram_id=VIP_BUDI)
STRANGER = MemberRef(username="nobody_here")


@pytest.fixture
async def world(uow: UnitOfWorkFactory, clock: FrozenClock) -> World:
    w = await make_world(uow, clock)
    await w.join(VIP_ANI, "Ani", "vip_lifetime")
    await w.join(VIP_BUDI, "Budi", "vip_lifetime")
    await w.join(NOBODY, "Nobody", None)
    return w


def not_found(caught: pytest.ExceptionInfo[AdminToolError], given: str) -> bool:
    error = caught.value
    return error.problem is AdminProblem.MEMBER_NOT_FOUND and error.params == {"given": given}


# ---------------------------------------------------------------------------- /ledger, /payout


async def test_the_ledger_of_a_member_by_reference_is_one_unit_of_work(world: World) -> None:
    report = await world.report(VIP_ANI, 100_000)
    await world.reports.validate(report, 1, ADMIN)
    opened = counting(world.ledger)
    shown = await world.ledger.member_balance(ANI)
    assert opened.opened == 1
    assert (shown.name, shown.telegram_id, shown.username) == ("Ani", VIP_ANI, None)
    assert shown.balance == await world.ledger.balance(await world.member_id(VIP_ANI))
    assert shown.balance.available == 55_000


async def test_the_ledger_of_a_username_nobody_has_is_member_not_found(world: World) -> None:
    opened = counting(world.ledger)
    with pytest.raises(AdminToolError) as caught:
        await world.ledger.member_balance(STRANGER)
    assert not_found(caught, "@nobody_here") and opened.opened == 1


async def test_a_payout_by_reference_is_one_unit_of_work(world: World) -> None:
    await world.members.register(TelegramProfile(VIP_ANI, "Ani", username="Ani_Kreator"), None)
    await world.reports.validate(await world.report(VIP_ANI, 100_000), 1, ADMIN)
    opened = counting(world.ledger)
    done = await world.ledger.payout_to(
        MemberRef(username="ani_kreator"), 20_000, "BCA", "TRX 1", ADMIN, request_key="c:1"
    )
    assert opened.opened == 1
    assert (done.applied, done.member_name, done.amount, done.available_after) == (
        True,
        "Ani",
        20_000,
        35_000,
    )
    again = await world.ledger.payout_to(ANI, 20_000, "BCA", "TRX 1", ADMIN, request_key="c:1")
    assert (again.applied, again.payout_id) == (False, done.payout_id)
    assert opened.opened == 2


async def test_a_payout_to_nobody_says_so_before_any_other_refusal(world: World) -> None:
    """As when /payout looked the member up first: not found, however bad the rest."""
    opened = counting(world.ledger)
    with pytest.raises(AdminToolError) as caught:
        await world.ledger.payout_to(STRANGER, 20_000, "", None, ADMIN)
    assert not_found(caught, "@nobody_here") and opened.opened == 1
    with pytest.raises(LedgerServiceError) as refused:
        await world.ledger.payout_to(ANI, 20_000, "", None, ADMIN)
    assert refused.value.problem is LedgerProblem.METHOD_MISSING
    with pytest.raises(LedgerServiceError) as refused:
        await world.ledger.payout_to(ANI, None, "BCA", None, ADMIN)
    assert refused.value.problem is LedgerProblem.NOTHING_AVAILABLE
    assert refused.value.params == {"name": "Ani"}


# ---------------------------------------------------------------------------- leaders


async def test_setting_a_leader_by_references_is_one_unit_of_work(world: World) -> None:
    opened = counting(world.leaders)
    change = await world.leaders.set_leader_of(ANI, BUDI, ADMIN)
    assert opened.opened == 1
    assert (change.member_name, change.old_leader, change.new_leader) == ("Ani", None, "Budi")
    removed = await world.leaders.set_leader_of(ANI, None, OTHER_ADMIN)
    assert (removed.old_leader, removed.new_leader) == ("Budi", None)
    assert opened.opened == 2
    with pytest.raises(LeaderServiceError) as refused:
        await world.leaders.set_leader_of(ANI, None, ADMIN)
    assert refused.value.problem is LeaderProblem.NO_LEADER


async def test_setting_a_leader_names_the_member_not_found_first(world: World) -> None:
    with pytest.raises(AdminToolError) as caught:
        await world.leaders.set_leader_of(STRANGER, MemberRef(username="nobody_either"), ADMIN)
    assert not_found(caught, "@nobody_here")
    with pytest.raises(AdminToolError) as caught:
        await world.leaders.set_leader_of(ANI, STRANGER, ADMIN)
    assert not_found(caught, "@nobody_here")
    assert await world.leaders.history(await world.member_id(VIP_ANI)) == []


async def test_a_leader_history_by_reference_is_one_unit_of_work(world: World) -> None:
    await world.leaders.set_leader_of(ANI, BUDI, ADMIN)
    opened = counting(world.leaders)
    shown = await world.leaders.history_of(ANI)
    assert opened.opened == 1
    assert (shown.name, shown.telegram_id) == ("Ani", VIP_ANI)
    assert shown.links == await world.leaders.history(await world.member_id(VIP_ANI))
    assert [link.leader_name for link in shown.links] == ["Budi"]
    with pytest.raises(AdminToolError) as caught:
        await world.leaders.history_of(STRANGER)
    assert not_found(caught, "@nobody_here")


# ---------------------------------------------------------------------------- report cards


async def test_validate_on_card_decides_and_reads_the_card_in_one_unit_of_work(
    world: World,
) -> None:
    report = await world.report(VIP_ANI, 100_000)
    opened = counting(world.reports)
    decision = await world.reports.validate_on_card(report, 1, ADMIN, 80_000)
    assert opened.opened == 1
    outcome = decision.outcome
    assert (outcome.applied, outcome.status, outcome.validated_amount) == (
        True,
        ReportStatus.VALIDATED,
        80_000,
    )
    assert decision.card == await world.reports.card(report)
    assert (decision.card.status, decision.card.claimed) == (ReportStatus.VALIDATED, 100_000)
    late = await world.reports.validate_on_card(report, 1, OTHER_ADMIN)
    assert (late.outcome.applied, late.outcome.decided_by_name) == (False, ADMIN.name)
    assert late.card == decision.card


async def test_reject_on_card_decides_and_reads_the_card_in_one_unit_of_work(
    world: World,
) -> None:
    report = await world.report(VIP_ANI, 100_000)
    opened = counting(world.reports)
    decision = await world.reports.reject_on_card(
        report, 1, ADMIN, code=ReportRejectReason.DUPLICATE
    )
    assert opened.opened == 1
    assert (decision.outcome.applied, decision.outcome.status) == (True, ReportStatus.REJECTED)
    assert decision.outcome.reject_reason == ReportRejectReason.DUPLICATE.value
    assert decision.card == await world.reports.card(report)
    late = await world.reports.reject_on_card(report, 1, OTHER_ADMIN, note="lagi")
    assert (late.outcome.applied, late.outcome.decided_by) == (False, ADMIN.telegram_id)
    assert late.card == decision.card


async def test_outcome_on_card_is_the_outcome_and_the_card_in_one_unit_of_work(
    world: World,
) -> None:
    report = await world.report(VIP_ANI, 100_000)
    opened = counting(world.reports)
    decision = await world.reports.outcome_on_card(report)
    assert opened.opened == 1
    assert decision.outcome == await world.reports.outcome(report)
    assert decision.card == await world.reports.card(report)
    assert not decision.outcome.applied and decision.card.status is ReportStatus.SUBMITTED


async def test_a_report_card_of_no_report_is_not_found(world: World) -> None:
    for call in (
        world.reports.outcome_on_card(999),
        world.reports.validate_on_card(999, 1, ADMIN),
        world.reports.reject_on_card(999, 1, ADMIN, note="x"),
    ):
        with pytest.raises(ReportError) as caught:
            await call
        assert caught.value.problem is ReportProblem.NOT_FOUND


# ---------------------------------------------------------------------------- report lists


async def test_a_members_report_history_by_reference_is_one_unit_of_work(world: World) -> None:
    first = await world.report(VIP_ANI, 100_000)
    await world.reports.validate(first, 1, ADMIN)
    world.clock.advance(days=1)
    await world.report(VIP_ANI, 40_000)
    opened = counting(world.reports)
    shown = await world.reports.history_of(ANI, 15)
    assert opened.opened == 1
    assert (shown.name, shown.telegram_id, shown.total) == ("Ani", VIP_ANI, 2)
    views, total = await world.reports.history(await world.member_id(VIP_ANI), 15)
    assert (shown.reports, shown.total) == (views, total)
    assert (await world.reports.history_of(ANI, 1)).reports == views[:1]
    with pytest.raises(AdminToolError) as caught:
        await world.reports.history_of(STRANGER)
    assert not_found(caught, "@nobody_here")


async def test_the_balance_screen_is_one_unit_of_work(world: World) -> None:
    first = await world.report(VIP_ANI, 100_000)
    await world.reports.validate(first, 1, ADMIN)
    world.clock.advance(days=1)
    await world.report(VIP_ANI, 40_000)
    opened = counting(world.reports)
    screen = await world.reports.balance_with_latest(VIP_ANI, 5)
    assert opened.opened == 1
    assert screen is not None
    assert screen.balance == await world.ledger.balance_for(VIP_ANI)
    assert screen.latest == await world.reports.latest(VIP_ANI, 5)
    assert [v.status for v in screen.latest] == [ReportStatus.SUBMITTED, ReportStatus.VALIDATED]
    assert await world.reports.balance_with_latest(424242) is None
