"""One unit of work per member action in the shop and the group: a Pay button, the open
request, changing the payment method and asking for a group invite each read what
their screen shows in one transaction, and refuse as the separate reads they replace."""

from __future__ import annotations

import pytest

from domain.invites import InviteRefusal
from domain.states import PaymentStatus
from services.access import AccessService, GroupConfig
from services.payments import MethodChoice, PaymentError, PaymentProblem
from storage.uow import UnitOfWorkFactory
from tests.kit.clock import FrozenClock
from tests.services.memberkit import (
    ADMIN_CHAT,
    ANI,
    BASIC_LIFETIME,
    BUDI,
    NOBODY,
    RECEIPT,
    VIP_LIFETIME,
    ZONE,
    Setup,
    make_setup,
)


@pytest.fixture
def setup(uow: UnitOfWorkFactory, clock: FrozenClock) -> Setup:
    return make_setup(uow, clock)


# ---------------------------------------------------------------- a Pay button


async def test_a_pay_button_opens_the_request_with_the_methods_in_one_unit_of_work(
    setup: Setup,
) -> None:
    await setup.join(ANI, "Ani")
    mandiri = await setup.add_method("mandiri", "Mandiri", 2)
    bca = await setup.add_method("bca", "BCA", 1)
    counted = setup.counting()
    choice = await setup.payments.begin_purchase(ANI, BASIC_LIFETIME)
    assert counted.opened == 1
    assert choice.request.plan_id == BASIC_LIFETIME
    assert choice.request.status == PaymentStatus.AWAITING_PROOF
    assert choice.request.method_id is None and choice.request.amount == 97_000
    assert [m.id for m in choice.methods] == [bca, mandiri]
    assert choice.methods == tuple(await setup.payments.methods())
    assert await setup.payments.open_request(ANI) == choice.request


async def test_a_pay_button_without_any_method_opens_nothing(setup: Setup) -> None:
    await setup.join(ANI, "Ani")
    counted = setup.counting()
    with pytest.raises(PaymentError) as refused:
        await setup.payments.begin_purchase(ANI, BASIC_LIFETIME)
    assert counted.opened == 1
    assert refused.value.problem is PaymentProblem.NO_METHODS
    assert await setup.open_requests() == 0


async def test_no_method_is_said_before_anything_else(setup: Setup) -> None:
    with pytest.raises(PaymentError) as refused:
        await setup.payments.begin_purchase(NOBODY, BASIC_LIFETIME)
    assert refused.value.problem is PaymentProblem.NO_METHODS


async def test_a_pay_button_with_a_request_open_hands_back_that_request_and_the_methods(
    setup: Setup,
) -> None:
    await setup.join(ANI, "Ani")
    bca = await setup.add_method("bca", "BCA", 1)
    first = await setup.payments.start_purchase(ANI, BASIC_LIFETIME)
    counted = setup.counting()
    with pytest.raises(PaymentError) as refused:
        await setup.payments.begin_purchase(ANI, VIP_LIFETIME)
    assert counted.opened == 1
    assert refused.value.problem is PaymentProblem.OPEN_REQUEST
    detail = refused.value.detail
    assert isinstance(detail, MethodChoice)
    assert detail.request == first
    assert [m.id for m in detail.methods] == [bca]
    assert await setup.open_requests() == 1


@pytest.mark.parametrize(
    ("telegram_id", "plan_id", "problem"),
    [
        (ANI, 10_000, PaymentProblem.PLAN_UNAVAILABLE),
        (NOBODY, BASIC_LIFETIME, PaymentProblem.NOT_REGISTERED),
    ],
)
async def test_a_pay_button_is_refused_as_start_purchase_refuses(
    setup: Setup, telegram_id: int, plan_id: int, problem: PaymentProblem
) -> None:
    await setup.join(ANI, "Ani")
    await setup.add_method("bca", "BCA", 1)
    with pytest.raises(PaymentError) as refused:
        await setup.payments.begin_purchase(telegram_id, plan_id)
    assert refused.value.problem is problem
    with pytest.raises(PaymentError) as before:
        await setup.payments.start_purchase(telegram_id, plan_id)
    assert before.value.problem is problem
    assert await setup.open_requests() == 0


# ------------------------------------------------------- the open request, its method


async def test_the_open_request_comes_with_the_methods_in_one_unit_of_work(
    setup: Setup,
) -> None:
    await setup.join(ANI, "Ani")
    bca = await setup.add_method("bca", "BCA", 1)
    counted = setup.counting()
    assert await setup.payments.open_request_with_methods(ANI) is None
    assert await setup.payments.open_request_with_methods(NOBODY) is None
    assert counted.opened == 2
    view = await setup.payments.start_purchase(ANI, BASIC_LIFETIME)
    counted = setup.counting()
    choice = await setup.payments.open_request_with_methods(ANI)
    assert counted.opened == 1
    assert choice is not None and choice.request == view
    assert [m.id for m in choice.methods] == [bca]


async def test_changing_the_method_reads_the_request_and_the_methods_in_one_unit_of_work(
    setup: Setup,
) -> None:
    await setup.join(ANI, "Ani")
    bca = await setup.add_method("bca", "BCA", 1)
    view = await setup.payments.start_purchase(ANI, BASIC_LIFETIME)
    await setup.payments.choose_method(ANI, view.id, bca)
    counted = setup.counting()
    choice = await setup.payments.method_choice(ANI, view.id)
    assert counted.opened == 1
    assert choice.request.id == view.id and choice.request.method_id == bca
    assert [m.id for m in choice.methods] == [bca]


async def test_changing_the_method_of_another_or_no_request_is_refused(setup: Setup) -> None:
    await setup.join(ANI, "Ani")
    await setup.add_method("bca", "BCA", 1)
    for telegram_id, request_id in ((ANI, 1), (NOBODY, 1)):
        with pytest.raises(PaymentError) as refused:
            await setup.payments.method_choice(telegram_id, request_id)
        assert refused.value.problem is PaymentProblem.NO_OPEN_REQUEST
    view = await setup.payments.start_purchase(ANI, BASIC_LIFETIME)
    with pytest.raises(PaymentError) as refused:
        await setup.payments.method_choice(ANI, view.id + 1)
    assert refused.value.problem is PaymentProblem.NO_OPEN_REQUEST


async def test_changing_the_method_after_the_proof_is_refused_with_the_request(
    setup: Setup,
) -> None:
    await setup.join(ANI, "Ani")
    bca = await setup.add_method("bca", "BCA", 1)
    view = await setup.payments.start_purchase(ANI, BASIC_LIFETIME)
    await setup.payments.choose_method(ANI, view.id, bca)
    await setup.payments.attach_proof(ANI, RECEIPT)
    with pytest.raises(PaymentError) as refused:
        await setup.payments.method_choice(ANI, view.id)
    assert refused.value.problem is PaymentProblem.ALREADY_SUBMITTED
    assert refused.value.detail.id == view.id
    assert refused.value.detail.status == PaymentStatus.SUBMITTED


# ------------------------------------------------------------ asking for an invite


async def test_asking_for_an_invite_is_refused_without_vip_and_queues_nothing(
    setup: Setup,
) -> None:
    await setup.join(ANI, "Ani", "basic_lifetime")
    for telegram_id in (ANI, NOBODY):
        counted = setup.counting()
        answer = await setup.access.ask_invite(telegram_id)
        assert counted.opened == 1
        assert answer.refused is InviteRefusal.NOT_VIP
        assert not answer.status.has_access
    assert await setup.pending_invites() == 0


async def test_asking_for_an_invite_inside_the_group_is_refused(setup: Setup) -> None:
    await setup.join(ANI, "Ani", "vip_lifetime")
    await setup.invites_sent()
    await setup.inside(ANI)
    answer = await setup.access.ask_invite(ANI)
    assert answer.refused is InviteRefusal.INSIDE and answer.status.inside
    assert await setup.pending_invites() == 0


async def test_asking_for_an_invite_without_a_group_is_refused(
    setup: Setup, uow: UnitOfWorkFactory, clock: FrozenClock
) -> None:
    await setup.join(ANI, "Ani", "vip_lifetime")
    unconfigured = AccessService(uow, clock, GroupConfig(None, ADMIN_CHAT, "id", ZONE))
    answer = await unconfigured.ask_invite(ANI)
    assert answer.refused is InviteRefusal.NOT_CONFIGURED
    assert answer.status.has_access and not answer.status.configured


async def test_a_vip_outside_gets_one_invite_queued_in_one_unit_of_work(setup: Setup) -> None:
    await setup.join(ANI, "Ani", "vip_lifetime")
    await setup.invites_sent()
    counted = setup.counting()
    answer = await setup.access.ask_invite(ANI)
    assert counted.opened == 1
    assert answer.refused is None
    assert answer.status.has_access and answer.status.invite_queued
    assert answer.status == await setup.access.status(ANI)
    assert await setup.pending_invites() == 1
    again = await setup.access.ask_invite(ANI)  # a second tap: still the one on its way
    assert again.refused is None and again.status.invite_queued
    assert await setup.pending_invites() == 1


async def test_request_invite_queues_and_says_so_in_one_unit_of_work(setup: Setup) -> None:
    await setup.join(ANI, "Ani", "vip_lifetime")
    await setup.invites_sent()
    counted = setup.counting()
    status = await setup.access.request_invite(ANI)
    assert counted.opened == 1
    assert status.invite_queued and status == await setup.access.status(ANI)
    assert await setup.pending_invites() == 1
    await setup.join(BUDI, "Budi", "basic_lifetime")
    status = await setup.access.request_invite(BUDI)
    assert not status.has_access and not status.invite_queued
    assert await setup.pending_invites() == 1
