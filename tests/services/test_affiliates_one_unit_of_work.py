"""One unit of work per admin action on affiliate accounts (issue 12): /assignaccount,
a tap on an account card, a tap on an approval card's offer and /exportaccounts each
open ONE transaction and answer as the separate calls they replace did."""

from __future__ import annotations

import pytest
from cryptography.fernet import Fernet

from domain.states import ShopStatus
from kernel.admin_input import AdminProblem, AdminToolError, MemberRef
from services.affiliates import (
    AccountRef,
    AffiliateError,
    AffiliateProblem,
    AffiliateService,
    CardChange,
)
from storage.repos.affiliates import Taking
from storage.uow import UnitOfWorkFactory
from tests.kit.clock import FrozenClock
from tests.kit.units_of_work import counting
from tests.services.reportkit import (
    ADMIN,
    ADMIN_CHAT,
    NOBODY,
    OTHER_ADMIN,
    VIP_ANI,
    VIP_BUDI,
    ZONE,
    World,
    make_world,
)

KEY = Fernet.generate_key().decode()


@pytest.fixture
async def world(uow: UnitOfWorkFactory, clock: FrozenClock) -> World:
    w = await make_world(uow, clock)
    await w.join(VIP_ANI, "Ani", "vip_lifetime")
    await w.join(VIP_BUDI, "Budi", "vip_lifetime")
    await w.join(NOBODY, "Nobody", None)
    return w


@pytest.fixture
def aff(world: World) -> AffiliateService:
    return AffiliateService(
        world.uow, world.clock, ZONE, "id", admin_chat_id=ADMIN_CHAT, keys=(KEY,)
    )


async def add(aff: AffiliateService, name: str) -> int:
    return (await aff.add(aff.new_account(name, shop_name=f"Toko {name}"), ADMIN)).id


# ---------------------------------------------------------------------------- /assignaccount


async def test_assigning_to_a_member_by_reference_is_one_unit_of_work(
    world: World, aff: AffiliateService
) -> None:
    account_id = await add(aff, "toko.ani")
    opened = counting(aff)
    done = await aff.assign_to(AccountRef(id=account_id), MemberRef(telegram_id=VIP_ANI), ADMIN)
    assert opened.opened == 1
    assert (done.account.username, done.member.name, done.member.telegram_id) == (
        "toko.ani",
        "Ani",
        VIP_ANI,
    )
    assert done.account == await aff.card(account_id)
    nxt = await add(aff, "toko.budi")
    done = await aff.assign_to(None, MemberRef(telegram_id=VIP_BUDI), ADMIN)
    assert done.account.id == nxt


async def test_assigning_to_nobody_says_so_before_the_accounts_refusals(
    aff: AffiliateService,
) -> None:
    with pytest.raises(AdminToolError) as caught:
        await aff.assign_to(AccountRef(username="no.such"), MemberRef(username="nobody_x"), ADMIN)
    assert caught.value.problem is AdminProblem.MEMBER_NOT_FOUND
    assert caught.value.params == {"given": "@nobody_x"}
    with pytest.raises(AffiliateError) as refused:
        await aff.assign_to(AccountRef(username="no.such"), MemberRef(telegram_id=VIP_ANI), ADMIN)
    assert refused.value.problem is AffiliateProblem.ACCOUNT_NOT_FOUND
    with pytest.raises(AffiliateError) as refused:
        await aff.assign_to(None, MemberRef(telegram_id=NOBODY), ADMIN)
    assert refused.value.problem is AffiliateProblem.NOT_VIP


# ---------------------------------------------------------------------------- account card taps


async def test_a_card_tap_changes_and_reads_the_card_in_one_unit_of_work(
    world: World, aff: AffiliateService
) -> None:
    account_id = await add(aff, "toko.ani")
    await aff.assign(account_id, await world.member_id(VIP_ANI), ADMIN)
    opened = counting(aff)
    tap = await aff.tap_card(account_id, CardChange.UNASSIGN, ADMIN)
    assert opened.opened == 1
    assert tap.changed and tap.refusal is None and tap.card.holder is None
    assert tap.card == await aff.card(account_id)
    again = await aff.tap_card(account_id, CardChange.UNASSIGN, OTHER_ADMIN)
    assert not again.changed and again.card == tap.card
    assert again.refusal is not None and again.refusal.problem is AffiliateProblem.NOT_ASSIGNED
    assert opened.opened == 3  # with the card read above


async def test_each_card_change_comes_back_with_the_card(aff: AffiliateService) -> None:
    account_id = await add(aff, "toko.ani")
    tap = await aff.tap_card(account_id, CardChange.STATUS, ADMIN, status="suspended")
    assert tap.changed and tap.card.status is ShopStatus.SUSPENDED
    same = await aff.tap_card(account_id, CardChange.STATUS, ADMIN, status="suspended")
    assert same.refusal is not None and same.refusal.problem is AffiliateProblem.SAME_STATUS
    bad = await aff.tap_card(account_id, CardChange.STATUS, ADMIN, status="-")
    assert bad.refusal is not None and bad.refusal.problem is AffiliateProblem.BAD_STATUS
    assert not bad.changed and bad.card.status is ShopStatus.SUSPENDED
    cart = await aff.tap_card(account_id, CardChange.CART_ON, ADMIN)
    assert cart.changed and cart.card.yellow_cart
    off = await aff.tap_card(account_id, CardChange.CART_OFF, ADMIN)
    assert off.changed and not off.card.yellow_cart
    twice = await aff.tap_card(account_id, CardChange.CART_OFF, ADMIN)
    assert twice.refusal is not None and twice.refusal.problem is AffiliateProblem.NOT_VERIFIED
    shown = await aff.tap_card(account_id, CardChange.SHOW, ADMIN)
    assert (shown.changed, shown.refusal, shown.card) == (False, None, off.card)


async def test_a_tap_on_the_card_of_no_account_is_account_not_found(
    aff: AffiliateService,
) -> None:
    for change in CardChange:
        with pytest.raises(AffiliateError) as caught:
            await aff.tap_card(999, change, ADMIN, status="active")
        assert caught.value.problem is AffiliateProblem.ACCOUNT_NOT_FOUND


# ---------------------------------------------------------------------------- the offer


async def test_taking_an_offer_is_one_unit_of_work(world: World, aff: AffiliateService) -> None:
    account_id = await add(aff, "toko.ani")
    ani = await world.member_id(VIP_ANI)
    opened = counting(aff)
    tap = await aff.take_offer(account_id, ani, ADMIN)
    assert opened.opened == 1
    assert tap.assigned is not None and tap.refusal is None and tap.changed_to is None
    assert tap.assigned.account == await aff.card(account_id)


async def test_an_offer_taken_meanwhile_comes_back_with_the_new_offer(
    world: World, aff: AffiliateService
) -> None:
    first, second = await add(aff, "satu.aa"), await add(aff, "dua.bb")
    ani, budi = await world.member_id(VIP_ANI), await world.member_id(VIP_BUDI)
    await aff.assign(first, budi, ADMIN)  # someone else got the offered one
    opened = counting(aff)
    tap = await aff.take_offer(first, ani, OTHER_ADMIN)
    assert opened.opened == 1
    assert tap.assigned is None and tap.refusal is not None
    assert tap.refusal.problem is AffiliateProblem.ACCOUNT_TAKEN
    assert tap.changed_to == await aff.offer_for(ani)
    assert tap.changed_to is not None and tap.changed_to.account_id == second
    assert tap.tapped_username == "satu.aa"


async def test_an_offer_refused_with_nothing_else_to_offer(
    world: World, aff: AffiliateService
) -> None:
    account_id = await add(aff, "toko.ani")
    tap = await aff.take_offer(account_id, await world.member_id(NOBODY), ADMIN)
    assert tap.assigned is None and tap.changed_to is None and tap.tapped_username is None
    assert tap.refusal is not None and tap.refusal.problem is AffiliateProblem.NOT_VIP
    assert (await aff.card(account_id)).holder is None


async def test_a_member_holding_one_already_leaves_the_transaction_readable(
    world: World, aff: AffiliateService
) -> None:
    """The unique holder column refuses a second account inside a savepoint, so the
    offer tap can still read what to offer instead (PostgreSQL aborts a transaction
    after a failed statement otherwise)."""
    first, second = await add(aff, "satu.aa"), await add(aff, "dua.bb")
    ani = await world.member_id(VIP_ANI)
    now = world.clock.now()
    async with world.uow() as work:
        assert await work.affiliates.take(first, ani, ADMIN.telegram_id, now) is Taking.TAKEN
        taking = await work.affiliates.take(second, ani, ADMIN.telegram_id, now)
        assert taking is Taking.MEMBER_HOLDS_ONE
        held = await work.affiliates.held_by(ani)
        assert held is not None and held.id == first


# ---------------------------------------------------------------------------- /exportaccounts


async def test_the_export_counts_and_writes_in_one_unit_of_work(aff: AffiliateService) -> None:
    opened = counting(aff)
    empty = await aff.export()
    assert (empty.total, empty.data, opened.opened) == (0, b"", 1)
    await add(aff, "toko.ani")
    await add(aff, "toko.budi")
    opened = counting(aff)
    export = await aff.export()
    assert opened.opened == 1
    assert export.total == 2 == (await aff.counts()).total
    assert export.data == await aff.export_csv()
