"""Finding members by a part of their name or username (the admin console's search)."""

from __future__ import annotations

from zoneinfo import ZoneInfo

import pytest

from kernel.admin_input import AdminProblem, AdminToolError
from services.members import MemberLookupService, MemberService, TelegramProfile
from storage.uow import UnitOfWorkFactory
from tests.kit.clock import FrozenClock
from tests.services.reportkit import ADMIN, VIP_ANI, VIP_BUDI, figures, make_world, shots


async def members(uow: UnitOfWorkFactory, clock: FrozenClock) -> MemberLookupService:
    register = MemberService(uow, clock, "id")
    for telegram_id, first, last, username in (
        (1001, "Ani", "Lestari", None),
        (1002, "Kania", None, "kania_shop"),
        (1003, "Budi", "Santoso", "ANI_fans"),
        (1004, "Dewi", None, "dewi_100%"),
        (1005, "Eko", None, "eko_x"),
    ):
        await register.register(TelegramProfile(telegram_id, first, last, username), None)
    return MemberLookupService(uow, clock, ZoneInfo("Asia/Jakarta"), "id")


async def test_a_part_of_a_name_or_username_finds_members_by_first_name(
    uow: UnitOfWorkFactory, clock: FrozenClock
) -> None:
    lookup = await members(uow, clock)
    found = await lookup.search("  aNi ", 0, 10)
    assert found.total == 3
    assert [m.name for m in found.members] == ["Ani Lestari", "Budi Santoso", "Kania"]
    assert [m.name for m in (await lookup.search("lestari", 0, 10)).members] == ["Ani Lestari"]
    assert [m.name for m in (await lookup.search("ani les", 0, 10)).members] == ["Ani Lestari"]


async def test_pages_split_the_matches_and_count_them_all(
    uow: UnitOfWorkFactory, clock: FrozenClock
) -> None:
    lookup = await members(uow, clock)
    first, second = await lookup.search("ani", 0, 2), await lookup.search("ani", 2, 2)
    assert (first.total, second.total) == (3, 3)
    assert [m.telegram_id for m in first.members + second.members] == [1001, 1003, 1002]


async def test_percent_and_underscore_match_only_themselves(
    uow: UnitOfWorkFactory, clock: FrozenClock
) -> None:
    lookup = await members(uow, clock)
    assert [m.telegram_id for m in (await lookup.search("0%", 0, 10)).members] == [1004]
    assert (await lookup.search("%", 0, 10)).total == 1
    assert [m.telegram_id for m in (await lookup.search("o_x", 0, 10)).members] == [1005]
    assert (await lookup.search("nobody", 0, 10)).total == 0


async def test_an_id_or_username_finds_exactly_that_member(
    uow: UnitOfWorkFactory, clock: FrozenClock
) -> None:
    lookup = await members(uow, clock)
    assert [m.name for m in (await lookup.search("1002", 0, 8)).members] == ["Kania"]
    assert [m.name for m in (await lookup.search("@KANIA_shop", 0, 8)).members] == ["Kania"]
    with pytest.raises(AdminToolError) as missing:
        await lookup.search("4242", 0, 8)
    assert missing.value.problem is AdminProblem.MEMBER_NOT_FOUND
    with pytest.raises(AdminToolError) as bad:
        await lookup.search("@a!", 0, 8)
    assert bad.value.problem is AdminProblem.BAD_MEMBER_REF


async def test_the_admin_home_counts_the_reports_waiting_for_validation(
    uow: UnitOfWorkFactory, clock: FrozenClock
) -> None:
    world = await make_world(uow, clock)
    await world.join(VIP_ANI, "Ani", "vip_lifetime")
    await world.join(VIP_BUDI, "Budi", "vip_lifetime")
    assert await world.reports.waiting_count() == 0
    first = await world.reports.submit(VIP_ANI, world.today(), figures(), shots())
    await world.report(VIP_BUDI)
    assert await world.reports.waiting_count() == 2
    await world.reports.validate(first.id, first.version, ADMIN)
    assert await world.reports.waiting_count() == 1
