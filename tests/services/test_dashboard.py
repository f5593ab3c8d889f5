"""/me in one unit of work: the member's plans, their open payment and, for an active
VIP, the group, their affiliate account and their commission, read in one transaction
and the same as the four separate reads it replaces."""

from __future__ import annotations

from datetime import timedelta

import pytest

from domain.states import InviteStatus, ShopStatus
from services.affiliates import AffiliateService
from services.ledger import LedgerService
from services.payments import PaymentError, PaymentProblem
from storage.models import AffiliateAccount, GroupInvite
from storage.uow import UnitOfWorkFactory
from tests.kit.clock import FrozenClock
from tests.services.memberkit import (
    ADMIN_CHAT,
    ANI,
    BASIC_LIFETIME,
    NOBODY,
    ZONE,
    Setup,
    make_setup,
)


@pytest.fixture
def setup(uow: UnitOfWorkFactory, clock: FrozenClock) -> Setup:
    return make_setup(uow, clock)


async def hold_account(setup: Setup, member_id: int, **fields: object) -> None:
    async with setup.uow() as work:
        work.session.add(
            AffiliateAccount(
                tiktok_username="ani_shop",
                shop_status=ShopStatus.ACTIVE,
                holder_member_id=member_id,
                assigned_at=setup.clock.now(),
                created_at=setup.clock.now(),
                **fields,
            )
        )
        await work.commit()


async def test_me_for_a_member_without_plans_is_one_unit_of_work(setup: Setup) -> None:
    await setup.join(ANI, "Ani")
    counted = setup.counting()
    mine = await setup.dashboards.dashboard(ANI)
    assert counted.opened == 1
    assert mine.overview.tier is None and mine.overview.holdings == ()
    assert mine.overview.open_request is None
    assert mine.vip is None


async def test_me_for_a_basic_member_has_no_vip_part(setup: Setup) -> None:
    await setup.join(ANI, "Ani", "basic_lifetime")
    counted = setup.counting()
    mine = await setup.dashboards.dashboard(ANI)
    assert counted.opened == 1
    assert mine.overview.tier is not None and mine.overview.tier.code == "basic"
    assert [h.plan.id for h in mine.overview.holdings] == [BASIC_LIFETIME]
    assert mine.vip is None


async def test_me_for_a_vip_reads_plans_group_account_and_balance_in_one_unit_of_work(
    setup: Setup,
) -> None:
    member_id = await setup.join(ANI, "Ani")
    await setup.payments.start_purchase(ANI, BASIC_LIFETIME)  # anything open shows too
    await setup.grant(ANI, "vip_lifetime")
    await hold_account(setup, member_id, shop_name="Toko Ani")
    counted = setup.counting()
    mine = await setup.dashboards.dashboard(ANI)
    assert counted.opened == 1
    assert mine.overview.tier is not None and mine.overview.tier.code == "vip"
    assert mine.overview.open_request is not None
    assert mine.overview.open_request.plan_id == BASIC_LIFETIME
    vip = mine.vip
    assert vip is not None
    assert vip.group.has_access and vip.group.configured and not vip.group.inside
    assert vip.group.invite_queued  # granting VIP queued one
    assert vip.account is not None and vip.account.username == "ani_shop"
    assert vip.account.shop_name == "Toko Ani"
    assert vip.balance.available == 0 and vip.balance.pending_reports == 0


async def test_me_says_what_the_separate_reads_it_replaces_say(setup: Setup) -> None:
    member_id = await setup.join(ANI, "Ani", "vip_lifetime")
    await setup.inside(ANI)
    await hold_account(
        setup, member_id, yellow_cart=True, yellow_cart_verified_at=setup.clock.now()
    )
    mine = await setup.dashboards.dashboard(ANI)
    assert mine.overview == await setup.payments.overview(ANI)
    assert mine.vip is not None
    assert mine.vip.group == await setup.access.status(ANI)
    affiliates = AffiliateService(setup.uow, setup.clock, ZONE, "id", admin_chat_id=ADMIN_CHAT)
    assert mine.vip.account == await affiliates.account_of(ANI)
    ledger = LedgerService(setup.uow, setup.clock, ZONE, "id")
    assert mine.vip.balance == await ledger.balance_for(ANI)


async def test_me_shows_a_live_invite(setup: Setup) -> None:
    member_id = await setup.join(ANI, "Ani", "vip_lifetime")
    await setup.invites_sent()
    async with setup.uow() as work:
        work.session.add(
            GroupInvite(
                member_id=member_id,
                invite_link="https://t.me/+ani",
                status=InviteStatus.ISSUED,
                created_at=setup.clock.now(),
                expires_at=setup.clock.now() + timedelta(hours=24),
            )
        )
        await work.commit()
    mine = await setup.dashboards.dashboard(ANI)
    assert mine.vip is not None and mine.vip.account is None
    assert mine.vip.group.invite_link == "https://t.me/+ani"
    assert not mine.vip.group.invite_queued


async def test_me_for_someone_never_registered_is_refused_as_before(setup: Setup) -> None:
    with pytest.raises(PaymentError) as refused:
        await setup.dashboards.dashboard(NOBODY)
    assert refused.value.problem is PaymentProblem.NOT_REGISTERED
