"""Findings of a review of services/reports/, services/ledger/ and services/leaders/.

Each test states what SPEC (or the service's own docstring) promises; each failed before
its fix and now guards it. Races that only existed on PostgreSQL (SQLite serialises every
transaction with BEGIN IMMEDIATE on one connection) run on both backends.

The races are made deterministic by pausing one service call inside its transaction (a
wrapper around a repository method: `LeaderRepository.open_links`,
`LedgerRepository.structures`) until the other call has finished; on SQLite the other
call cannot even start meanwhile, so the pause gives up after a moment.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from sqlalchemy import select

from kernel.admin_input import MemberRef
from services.leaders import LeaderProblem, LeaderServiceError
from services.ledger import LedgerProblem, LedgerServiceError, check_ledger
from storage.models import Commission, LeaderLink, LedgerEntry
from storage.repos.leaders import LeaderRepository
from storage.repos.ledger import LedgerRepository
from storage.uow import UnitOfWorkFactory
from tests.kit.clock import FrozenClock
from tests.services.reportkit import (
    ADMIN,
    BASIC_CITRA,
    LEADER_LINA,
    NOBODY,
    OTHER_ADMIN,
    VIP_ANI,
    VIP_BUDI,
    World,
    make_world,
)

PAUSE_S = 1.5


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


def pausing(
    original: Callable[..., Awaitable[Any]], calls_to_pause: int, resume: asyncio.Event
) -> tuple[Callable[..., Awaitable[Any]], asyncio.Event]:
    """`original`, whose first `calls_to_pause` calls wait (after running) until `resume`
    is set or PAUSE_S passed; `paused` is set once they have all arrived."""
    paused = asyncio.Event()
    arrived = 0

    async def wrapper(*args: Any, **kwargs: Any) -> Any:
        nonlocal arrived
        result = await original(*args, **kwargs)
        if arrived < calls_to_pause:
            arrived += 1
            if arrived == calls_to_pause:
                paused.set()
            try:
                await asyncio.wait_for(resume.wait(), PAUSE_S)
            except TimeoutError:
                pass
        return result

    return wrapper, paused


# ---------------------------------------------------------------------------- leaders


def both_read_open_links_first(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make each set_leader read the open links, then wait until the other has read
    them too (on SQLite the other cannot start: the wait gives up after PAUSE_S)."""
    original = LeaderRepository.open_links
    both_read = asyncio.Event()
    reads = 0

    async def read_then_wait(repository: LeaderRepository) -> Any:
        nonlocal reads
        result = await original(repository)
        reads += 1
        if reads == 2:
            both_read.set()
        try:
            await asyncio.wait_for(both_read.wait(), PAUSE_S)
        except TimeoutError:
            pass
        return result

    monkeypatch.setattr(LeaderRepository, "open_links", read_then_wait)


async def open_links(world: World) -> dict[int, int]:
    async with world.uow() as work:
        rows = await work.session.execute(
            select(LeaderLink.member_id, LeaderLink.leader_member_id).where(
                LeaderLink.valid_to.is_(None)
            )
        )
        return {member: leader for member, leader in rows.all()}


def has_loop(links: dict[int, int]) -> bool:
    for start in links:
        seen, current = set(), links.get(start)
        while current is not None and current not in seen:
            if current == start:
                return True
            seen.add(current)
            current = links.get(current)
    return False


async def test_two_admins_cannot_close_a_three_member_loop_at_the_same_moment(
    world: World,
    monkeypatch: pytest.MonkeyPatch,
    request: pytest.FixtureRequest,
    backend: str,
) -> None:
    """SPEC "Leaders": no chain of leaders loops. set_leader (services/leaders/:177-186)
    locks only the member being changed, then checks for a loop against the open links
    it reads (READ COMMITTED). Ani is led by Lina (referral). Admin 1 sets "Lina's
    leader is Budi" (locks Lina) while admin 2 sets "Budi's leader is Ani" (locks Budi):
    neither sees the other's link, both checks pass. Admin 1's insert waits on Budi's
    row lock (FK key-share) until admin 2 commits, then commits without re-checking:
    Ani → Lina → Budi → Ani. Fix: take one lock that serialises leader changes (e.g.
    `pg_advisory_xact_lock`, or lock every member on both chains in id order) before
    `check_leader`, or re-check after the insert."""
    lina, ani, budi = [await world.member_id(t) for t in (LEADER_LINA, VIP_ANI, VIP_BUDI)]
    assert await open_links(world) == {ani: lina}
    both_read_open_links_first(monkeypatch)
    results = await asyncio.gather(
        world.leaders.set_leader(lina, budi, ADMIN),
        world.leaders.set_leader(budi, ani, OTHER_ADMIN),
        return_exceptions=True,
    )
    links = await open_links(world)
    assert not has_loop(links), (links, results)


async def test_two_crossing_leader_changes_end_in_one_change_and_a_clear_refusal(
    world: World,
    monkeypatch: pytest.MonkeyPatch,
    request: pytest.FixtureRequest,
    backend: str,
) -> None:
    """Same race with two members: "Budi's leader is Citra" and "Citra's leader is Budi"
    at once. On PostgreSQL each transaction holds its member row FOR UPDATE and then
    needs the other's row (FK key-share of the new link / outbox row): a deadlock, so
    one admin gets a raw `DeadlockDetectedError` (an internal error in the bot) instead
    of the LOOP refusal; the loop itself is avoided only by accident. Same fix as above
    (one serialising lock taken first)."""
    budi, citra = await world.member_id(VIP_BUDI), await world.member_id(BASIC_CITRA)
    both_read_open_links_first(monkeypatch)
    results = await asyncio.gather(
        world.leaders.set_leader(budi, citra, ADMIN),
        world.leaders.set_leader(citra, budi, OTHER_ADMIN),
        return_exceptions=True,
    )
    assert not has_loop(await open_links(world)), results
    refused = [r for r in results if isinstance(r, BaseException)]
    assert len(refused) == 1 and isinstance(refused[0], LeaderServiceError), results
    assert refused[0].problem is LeaderProblem.LOOP


async def test_each_leader_change_tells_the_new_leader_even_within_one_second(
    world: World,
) -> None:
    """SPEC "Leaders": admins can assign or change a member's leader; the service
    promises "Both members are told". services/leaders/:223-247 keys the messages by
    `leader:{member}:{unix second}:member|leader`, and the outbox drops a message whose
    dedupe key exists. So changing Budi's leader to Lina and then (same second: a
    correction, a retry, a script) to Ani queues nothing for the second change: Ani is
    never told she has a new sub and Budi is not told his leader is now Ani.
    Fix: key by the new link's id (or include the new leader's id)."""
    budi, lina, ani = [await world.member_id(t) for t in (VIP_BUDI, LEADER_LINA, VIP_ANI)]
    await world.leaders.set_leader(budi, lina, ADMIN)
    world.clock.advance(milliseconds=300)
    await world.leaders.set_leader(budi, ani, ADMIN)
    ani_keys = [k for k, _ in await world.texts(VIP_ANI)]
    budi_said = [
        p.get("leader") for k, p in await world.texts(VIP_BUDI) if k == "leaders.you_have_leader"
    ]
    assert budi_said == ["Lina", "Ani"] and "leaders.new_sub" in ani_keys


# ---------------------------------------------------------------------------- structures


async def test_a_structure_cannot_start_on_a_day_already_validated_without_commission(
    world: World,
) -> None:
    """SPEC "Commission split": every validated report of a member whose tier on the
    report's day has a structure produces a commission. add_structure refuses a start
    on or before a day that already has commissions of the tier
    (services/ledger/:501-507), but a Basic report validated today has *no*
    commission row, so a Basic structure from today is accepted and today's validated
    Basic report now sits on a day with a structure and without its commission.
    Fix: refuse when any report of a member of that tier was validated on/after the
    start (e.g. check validated reports whose `tier_on` is the tier), or require the
    start to be after today."""
    outcome = await world.reports.validate(await world.report(BASIC_CITRA, 100_000), 1, ADMIN)
    assert outcome.applied and outcome.commission and outcome.commission.split is None
    with pytest.raises(LedgerServiceError) as error:
        await world.ledger.add_structure("basic", 3000, 0, 7000, world.today(), ADMIN)
    assert error.value.problem is LedgerProblem.STARTS_IN_PAST


async def test_a_validation_racing_a_new_structure_uses_the_structure_in_force(
    world: World,
    monkeypatch: pytest.MonkeyPatch,
    request: pytest.FixtureRequest,
    backend: str,
) -> None:
    """SPEC "Commission split": the structure is the one in force on the report's
    date. add_structure locks the tier row (services/ledger/:489-491) but
    create_commission (services/ledger/:165-168) never takes that lock, so on
    READ COMMITTED a validation that loaded the structures just before a new one
    (from today) commits still uses the old split: today's report is paid 55 % while
    the ledger's structures say 60 %, and add_structure's COMMISSIONS_AFTER check saw
    no commission yet. Fix: in create_commission, `SELECT ... FOR SHARE` the tier row
    (or the structure row) before loading the structures."""
    report = await world.report(VIP_BUDI, 100_000)
    added = asyncio.Event()
    slow_load, paused = pausing(LedgerRepository.structures, 1, added)
    monkeypatch.setattr(LedgerRepository, "structures", slow_load)

    async def add_when_paused() -> Any:
        await paused.wait()
        try:
            return await world.ledger.add_structure("vip", 6000, 500, 3500, world.today(), ADMIN)
        except LedgerServiceError as error:
            return error
        finally:
            added.set()

    outcome, structure = await asyncio.gather(
        world.reports.validate(report, 1, ADMIN), add_when_paused()
    )
    assert outcome.applied and outcome.commission and outcome.commission.split
    if isinstance(structure, LedgerServiceError):
        assert structure.problem is LedgerProblem.STARTS_IN_PAST
        return
    # The new structure was accepted for today: today's commission must follow it.
    assert outcome.commission.split.member == 60_000


# ---------------------------------------------------------------------------- tier on a day


async def test_a_report_from_a_lapsed_vip_gap_earns_no_vip_commission_after_renewal(
    world: World, clock: FrozenClock
) -> None:
    """SPEC "Commission split": the tier is the member's effective tier on the report's
    date. Citra holds Basic lifetime and VIP 30 days; VIP lapses on day 30 (memberships
    are never set to `expired`, they just pass `expires_at`). On day 33 she reports as
    Basic; on day 35 VIP is renewed, which extends the same row in place
    (admin_tools.py:588 / payments.py:963-965 `expires_at = renewal_expiry(...)`).
    tier_on (services/ledger/:99-105) sees one interval [activation, new expiry) and
    calls her VIP on day 33: validating the day-33 report pays a VIP commission for a
    day she was Basic. Fix: compute the tier on a day from the membership events
    (renewed: old → new expiry) or split renewals after a lapse into a new row."""
    await world.tools.add_plan("vip", 30, 150_000, ADMIN)
    await world.tools.grant(MemberRef(telegram_id=BASIC_CITRA), "vip_30d", "test", ADMIN)
    clock.advance(days=33)
    report = await world.report(BASIC_CITRA, 100_000)
    clock.advance(days=2)
    await world.tools.grant(MemberRef(telegram_id=BASIC_CITRA), "vip_30d", "renewal", ADMIN)
    outcome = await world.reports.validate(report, 1, ADMIN)
    assert outcome.commission is not None
    assert outcome.commission.tier is not None and outcome.commission.tier.code == "basic"
    assert outcome.commission.split is None


# ---------------------------------------------------------------------------- check_ledger


@pytest.mark.breaks_ledger
async def test_check_ledger_finds_earnings_that_belong_to_no_commission(world: World) -> None:
    """`check_ledger` promises to verify the money "from the rows"; it checks each
    commission against its entries and each payout against its entry, but never that
    each entry belongs to one (services/ledger/:578-660). A member_share entry with no
    commission (a bad script, a half-applied manual fix) passes as sound, and the payout
    service then pays the invented money out, still "OK". Fix: a breach for every
    non-payout entry without a commission (other than explicit corrections) and every
    payout entry without its payout."""
    budi = await world.member_id(VIP_BUDI)
    async with world.uow() as work:
        work.session.add(
            LedgerEntry(
                member_id=budi,
                kind="member_share",
                amount=1_000_000,
                commission_id=None,
                created_at=world.clock.now(),
            )
        )
        await work.commit()
    paid = await world.ledger.payout(budi, None, "BCA", None, ADMIN)
    assert paid.amount == 1_000_000  # the invented money went out
    async with world.uow() as work:
        assert not list((await work.session.execute(select(Commission))).scalars())
    assert not (await check_ledger(world.uow)).ok
