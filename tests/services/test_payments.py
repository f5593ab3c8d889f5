"""Buying, upgrading and renewing: frozen quotes and one-time admin decisions."""

from __future__ import annotations

import asyncio
import dataclasses
import hashlib
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select, update

from domain.membership import MembershipStatus
from domain.pricing import NotOfferedReason, QuoteKind, UpgradeMode
from domain.states import PaymentStatus, ProofRejectReason
from kernel.actor import Actor
from services.members import MemberService, TelegramProfile
from services.payments import (
    PaymentError,
    PaymentProblem,
    PaymentService,
    PaymentView,
    ProofFile,
)
from storage.models import (
    Membership,
    OutboxMessage,
    PaymentMethod,
    PaymentProof,
    PaymentRequest,
    Plan,
)
from storage.uow import UnitOfWorkFactory
from tests.kit.clock import FrozenClock

ANI, BUDI = 1001, 1002
ADMINS = (Actor(9001, "Admin Satu"), Actor(9002, "Admin Dua"), Actor(9003, "Admin Tiga"))
BASIC_LIFETIME, VIP_LIFETIME = 1, 2


def proof(n: int) -> ProofFile:
    digest = hashlib.sha256(str(n).encode()).hexdigest()
    return ProofFile(
        telegram_file_id=f"file-{n}",
        file_unique_id=f"uniq-{n}",
        sha256=digest,
        perceptual_hash=hashlib.md5(str(n).encode()).hexdigest()[:16],
        size_bytes=1000,
        width=800,
        height=1200,
        image_format="JPEG",
    )


@pytest.fixture
async def payments(uow: UnitOfWorkFactory, clock: FrozenClock) -> PaymentService:
    members = MemberService(uow, clock, "id")
    await members.register(TelegramProfile(ANI, "Ani"), None)
    await members.register(TelegramProfile(BUDI, "Budi", language_code="en"), None)
    async with uow() as work:
        work.session.add(
            PaymentMethod(code="bca", kind="bank", label="BCA", account_number="123", position=1)
        )
        await work.commit()
    return PaymentService(uow, clock, ZoneInfo("Asia/Jakarta"), "id")


async def start(
    payments: PaymentService, telegram_id: int, plan_id: int, mode: UpgradeMode | None = None
) -> PaymentView:
    """Open a request and choose the (only) payment method, as the member does in chat."""
    view = await payments.start_purchase(telegram_id, plan_id, mode)
    methods = await payments.methods()
    view, _ = await payments.choose_method(telegram_id, view.id, methods[0].id)
    return view


async def add_plan(
    uow: UnitOfWorkFactory, clock: FrozenClock, code: str, tier_id: int, days: int, price: int
) -> int:
    async with uow() as work:
        plan = Plan(
            code=code,
            tier_id=tier_id,
            duration_days=days,
            price=price,
            is_active=True,
            position=50,
            created_at=clock.now(),
        )
        work.session.add(plan)
        await work.session.flush()
        plan_id = plan.id
        await work.commit()
    return plan_id


async def active_plans(uow: UnitOfWorkFactory, telegram_id: int) -> dict[int, Membership]:
    async with uow() as work:
        member = await work.members.by_telegram_id(telegram_id)
        assert member is not None
        rows = await work.session.execute(
            select(Membership).where(
                Membership.member_id == member.id, Membership.status == MembershipStatus.ACTIVE
            )
        )
        return {m.plan_id: m for m in rows.scalars()}


async def messages(uow: UnitOfWorkFactory, chat_id: int) -> list[OutboxMessage]:
    async with uow() as work:
        rows = await work.session.execute(
            select(OutboxMessage).where(OutboxMessage.chat_id == chat_id).order_by(OutboxMessage.id)
        )
        return list(rows.scalars())


async def buy(
    payments: PaymentService,
    telegram_id: int,
    plan_id: int,
    n: int,
    mode: UpgradeMode | None = None,
    admin: Actor = ADMINS[0],
) -> int:
    view = await start(payments, telegram_id, plan_id, mode)
    await payments.attach_proof(telegram_id, proof(n))
    decision = await payments.approve(view.id, admin)
    assert decision.applied
    return view.id


async def test_a_new_member_buys_basic_lifetime_for_its_list_price(
    payments: PaymentService, uow: UnitOfWorkFactory
) -> None:
    view = await start(payments, ANI, BASIC_LIFETIME)
    assert (view.kind, view.amount, view.status) == (QuoteKind.NEW, 97_000, "awaiting_proof")
    receipt = await payments.attach_proof(ANI, proof(1))
    assert receipt.request_id == view.id and receipt.duplicate_of_proof_id is None
    decision = await payments.approve(view.id, ADMINS[0])
    assert decision.applied and decision.status == PaymentStatus.APPROVED
    held = await active_plans(uow, ANI)
    assert list(held) == [BASIC_LIFETIME] and held[BASIC_LIFETIME].expires_at is None
    received, told = await messages(uow, ANI)
    assert told.text_key == "payment.approved_lifetime" and told.language == "id"
    # "Proof received" was queued with the admin card, in the same commit as the proof.
    assert (received.text_key, received.language) == ("proof.received", "id")
    assert received.params == {"request": view.id}
    assert received.dedupe_key == f"payment:{view.id}:received:1"


async def test_basic_lifetime_upgrades_to_vip_lifetime_for_the_difference(
    payments: PaymentService, uow: UnitOfWorkFactory
) -> None:
    await buy(payments, ANI, BASIC_LIFETIME, 1)
    view = await start(payments, ANI, VIP_LIFETIME)
    assert (view.kind, view.amount, view.credit) == (QuoteKind.LIFETIME_DIFFERENCE, 202_000, 97_000)
    await payments.attach_proof(ANI, proof(2))
    await payments.approve(view.id, ADMINS[1])
    assert list(await active_plans(uow, ANI)) == [VIP_LIFETIME]
    async with uow() as work:
        basic = (
            await work.session.execute(
                select(Membership).where(Membership.plan_id == BASIC_LIFETIME)
            )
        ).scalar_one()
        assert basic.status == MembershipStatus.UPGRADED and basic.replaced_by_id is not None


async def test_a_quote_once_given_keeps_its_price_when_the_owner_changes_it(
    payments: PaymentService, uow: UnitOfWorkFactory
) -> None:
    view = await start(payments, ANI, VIP_LIFETIME)
    async with uow() as work:
        await work.session.execute(
            update(Plan).where(Plan.id == VIP_LIFETIME).values(price=399_000)
        )
        await work.commit()
    await payments.attach_proof(ANI, proof(1))
    await payments.approve(view.id, ADMINS[0])
    async with uow() as work:
        request = await work.session.get(PaymentRequest, view.id)
        assert request is not None and request.amount == 299_000
    assert (await active_plans(uow, ANI))[VIP_LIFETIME].list_price == 299_000


async def test_a_member_has_one_open_request_and_can_cancel_it(payments: PaymentService) -> None:
    first = await start(payments, ANI, BASIC_LIFETIME)
    with pytest.raises(PaymentError) as refused:
        await start(payments, ANI, VIP_LIFETIME)
    assert refused.value.problem is PaymentProblem.OPEN_REQUEST
    assert refused.value.detail.id == first.id
    cancelled = await payments.cancel(ANI)
    assert cancelled.status == PaymentStatus.CANCELLED
    again = await start(payments, ANI, VIP_LIFETIME)
    assert again.id != first.id
    with pytest.raises(PaymentError):
        await payments.approve(10_000, ADMINS[0])


async def test_two_taps_on_buy_at_once_open_one_request(
    payments: PaymentService, uow: UnitOfWorkFactory
) -> None:
    results = await asyncio.gather(
        *(payments.start_purchase(ANI, BASIC_LIFETIME) for _ in range(5)), return_exceptions=True
    )
    opened = [r for r in results if not isinstance(r, Exception)]
    assert len(opened) == 1
    assert all(
        isinstance(r, PaymentError) and r.problem is PaymentProblem.OPEN_REQUEST
        for r in results
        if isinstance(r, Exception)
    )
    async with uow() as work:
        count = await work.session.execute(select(func.count(PaymentRequest.id)))
        assert count.scalar_one() == 1


async def test_plans_that_cannot_be_bought_are_refused_with_the_reason(
    payments: PaymentService, uow: UnitOfWorkFactory, clock: FrozenClock
) -> None:
    await buy(payments, ANI, VIP_LIFETIME, 1)
    with pytest.raises(PaymentError) as downgrade:
        await start(payments, ANI, BASIC_LIFETIME)
    assert downgrade.value.problem is PaymentProblem.NOT_OFFERED
    assert downgrade.value.detail is NotOfferedReason.DOWNGRADE
    with pytest.raises(PaymentError) as held:
        await start(payments, ANI, VIP_LIFETIME)
    assert held.value.detail is NotOfferedReason.ALREADY_LIFETIME
    retired = await add_plan(uow, clock, "vip_7", 2, 7, 50_000)
    async with uow() as work:
        await work.session.execute(update(Plan).where(Plan.id == retired).values(is_active=False))
        await work.commit()
    for plan_id in (retired, 999):
        with pytest.raises(PaymentError) as gone:
            await start(payments, BUDI, plan_id)
        assert gone.value.problem is PaymentProblem.PLAN_UNAVAILABLE
    with pytest.raises(PaymentError) as stranger:
        await start(payments, 4242, BASIC_LIFETIME)
    assert stranger.value.problem is PaymentProblem.NOT_REGISTERED


async def test_a_proof_needs_an_open_request_waiting_for_one(payments: PaymentService) -> None:
    with pytest.raises(PaymentError) as none:
        await payments.attach_proof(ANI, proof(1))
    assert none.value.problem is PaymentProblem.NO_OPEN_REQUEST
    await start(payments, ANI, BASIC_LIFETIME)
    await payments.attach_proof(ANI, proof(1))
    with pytest.raises(PaymentError) as twice:
        await payments.attach_proof(ANI, proof(2))
    assert twice.value.problem is PaymentProblem.ALREADY_SUBMITTED


async def test_a_proof_seen_before_is_flagged_not_refused(payments: PaymentService) -> None:
    await start(payments, ANI, BASIC_LIFETIME)
    first = await payments.attach_proof(ANI, proof(1))
    await start(payments, BUDI, BASIC_LIFETIME)
    reused = await payments.attach_proof(BUDI, proof(1))
    assert reused.duplicate_of_proof_id == first.proof_id


async def test_ten_taps_from_three_admins_change_the_membership_once(
    payments: PaymentService, uow: UnitOfWorkFactory
) -> None:
    view = await start(payments, ANI, VIP_LIFETIME)
    await payments.attach_proof(ANI, proof(1))
    decisions = await asyncio.gather(*(payments.approve(view.id, ADMINS[i % 3]) for i in range(10)))
    applied = [d for d in decisions if d.applied]
    assert len(applied) == 1
    winner = applied[0].decided_by
    assert all(d.decided_by == winner and d.status == PaymentStatus.APPROVED for d in decisions)
    async with uow() as work:
        count = await work.session.execute(select(func.count(Membership.id)))
        assert count.scalar_one() == 1
    keys = [m.text_key for m in await messages(uow, ANI)]
    assert keys == ["proof.received", "payment.approved_lifetime"]


async def test_a_rejected_proof_tells_the_reason_and_a_new_proof_can_follow(
    payments: PaymentService, uow: UnitOfWorkFactory
) -> None:
    view = await start(payments, BUDI, BASIC_LIFETIME)
    await payments.attach_proof(BUDI, proof(1))
    rejected = await payments.reject(view.id, ADMINS[0], note="  Nominal tidak sesuai  ")
    assert rejected.applied and rejected.status == PaymentStatus.AWAITING_PROOF
    again = await payments.reject(view.id, ADMINS[1], note="double tap")
    assert not again.applied
    received, told = await messages(uow, BUDI)
    assert (received.text_key, received.language) == ("proof.received", "en")
    assert told.text_key == "payment.rejected" and told.language == "en"
    assert told.params["reason"] == "Nominal tidak sesuai"
    await payments.attach_proof(BUDI, proof(2))
    assert (await payments.approve(view.id, ADMINS[1])).applied
    assert not (await payments.reject(view.id, ADMINS[2], note="too late")).applied
    async with uow() as work:
        statuses = (
            (await work.session.execute(select(PaymentProof.status).order_by(PaymentProof.id)))
            .scalars()
            .all()
        )
        assert statuses == ["rejected", "accepted"]


async def test_a_request_without_proof_closes_after_24_hours_once(
    payments: PaymentService, uow: UnitOfWorkFactory, clock: FrozenClock
) -> None:
    waiting = await start(payments, ANI, BASIC_LIFETIME)
    submitted = await start(payments, BUDI, BASIC_LIFETIME)
    await payments.attach_proof(BUDI, proof(1))
    clock.advance(hours=23, minutes=59)
    assert await payments.expire_stale() == 0
    clock.advance(minutes=1)
    assert await payments.expire_stale() == 1
    assert await payments.expire_stale() == 0
    async with uow() as work:
        a = await work.session.get(PaymentRequest, waiting.id)
        b = await work.session.get(PaymentRequest, submitted.id)
        assert a is not None and a.status == PaymentStatus.EXPIRED
        assert b is not None and b.status == PaymentStatus.SUBMITTED
    assert [m.text_key for m in await messages(uow, ANI)] == ["payment.expired"]


async def test_renewing_a_temporal_plan_continues_where_it_ends(
    payments: PaymentService, uow: UnitOfWorkFactory, clock: FrozenClock
) -> None:
    vip_30 = await add_plan(uow, clock, "vip_30", 2, 30, 150_000)
    await buy(payments, ANI, vip_30, 1)
    first_expiry = (await active_plans(uow, ANI))[vip_30].expires_at
    assert first_expiry == clock.now() + timedelta(days=30)
    clock.advance(days=20)
    view = await start(payments, ANI, vip_30)
    assert (view.kind, view.amount) == (QuoteKind.RENEWAL, 150_000)
    await payments.attach_proof(ANI, proof(2))
    await payments.approve(view.id, ADMINS[0])
    held = await active_plans(uow, ANI)
    assert len(held) == 1 and held[vip_30].expires_at == first_expiry + timedelta(days=30)


async def test_accumulate_credits_the_remaining_days_seed_example(
    payments: PaymentService, uow: UnitOfWorkFactory, clock: FrozenClock
) -> None:
    vip_30 = await add_plan(uow, clock, "vip_30", 2, 30, 500_000)
    vip_180 = await add_plan(uow, clock, "vip_180", 2, 180, 1_500_000)
    await buy(payments, ANI, vip_30, 1)
    clock.advance(days=15)
    with pytest.raises(PaymentError) as choose:
        await start(payments, ANI, vip_180)
    assert choose.value.detail is NotOfferedReason.MODE_REQUIRED
    view = await start(payments, ANI, vip_180, UpgradeMode.ACCUMULATE)
    assert (view.amount, view.credit) == (1_250_000, 250_000)
    await payments.attach_proof(ANI, proof(2))
    await payments.approve(view.id, ADMINS[0])
    held = await active_plans(uow, ANI)
    assert list(held) == [vip_180]
    assert held[vip_180].expires_at == clock.now() + timedelta(days=180)


async def test_full_mode_carries_the_remaining_days(
    payments: PaymentService, uow: UnitOfWorkFactory, clock: FrozenClock
) -> None:
    vip_30 = await add_plan(uow, clock, "vip_30", 2, 30, 500_000)
    vip_180 = await add_plan(uow, clock, "vip_180", 2, 180, 1_500_000)
    await buy(payments, ANI, vip_30, 1)
    clock.advance(days=15)
    view = await start(payments, ANI, vip_180, UpgradeMode.FULL)
    assert (view.amount, view.days_carried) == (1_500_000, 15)
    await payments.attach_proof(ANI, proof(2))
    await payments.approve(view.id, ADMINS[0])
    assert (await active_plans(uow, ANI))[vip_180].expires_at == clock.now() + timedelta(days=195)


async def test_vip_days_on_top_of_basic_lifetime_keep_basic(
    payments: PaymentService, uow: UnitOfWorkFactory, clock: FrozenClock
) -> None:
    vip_30 = await add_plan(uow, clock, "vip_30", 2, 30, 150_000)
    await buy(payments, ANI, BASIC_LIFETIME, 1)
    view = await start(payments, ANI, vip_30)
    assert (view.kind, view.amount) == (QuoteKind.ADD_TEMPORAL, 150_000)
    await payments.attach_proof(ANI, proof(2))
    await payments.approve(view.id, ADMINS[0])
    assert set(await active_plans(uow, ANI)) == {BASIC_LIFETIME, vip_30}


async def test_a_near_identical_picture_is_flagged_but_a_merely_similar_one_is_not(
    payments: PaymentService,
) -> None:
    await start(payments, ANI, BASIC_LIFETIME)
    first = await payments.attach_proof(ANI, proof(1))
    original = proof(1).perceptual_hash
    bits = int(original, 16)

    def variant(n: int, flipped: int) -> ProofFile:
        changed = f"{bits ^ ((1 << flipped) - 1):016x}"  # flip the lowest `flipped` bits
        return dataclasses.replace(proof(n), perceptual_hash=changed)

    await start(payments, BUDI, BASIC_LIFETIME)
    recompressed = await payments.attach_proof(BUDI, variant(2, 4))
    assert recompressed.duplicate_of_proof_id == first.proof_id
    await payments.cancel(BUDI)
    await start(payments, BUDI, BASIC_LIFETIME)
    same_bank_other_receipt = await payments.attach_proof(BUDI, variant(3, 12))
    assert same_bank_other_receipt.duplicate_of_proof_id is None


async def test_an_approve_tap_decides_and_reads_the_card_in_one_transaction(
    payments: PaymentService, uow: UnitOfWorkFactory, clock: FrozenClock
) -> None:
    view = await start(payments, ANI, VIP_LIFETIME)
    receipt = await payments.attach_proof(ANI, proof(1))
    with pytest.raises(PaymentError) as foreign:  # a proof of no card of this request
        await payments.review_approve(view.id, ADMINS[0], receipt.proof_id + 99)
    assert foreign.value.problem is PaymentProblem.NOT_FOUND
    assert (await payments.card(view.id)).status == PaymentStatus.SUBMITTED
    done = await payments.review_approve(view.id, ADMINS[0], receipt.proof_id)
    assert done.decision.applied and done.decision.status == PaymentStatus.APPROVED
    assert done.decision == dataclasses.replace(done.decision, decided_by_name="Admin Satu")
    assert done.card == await payments.card(view.id)
    assert done.card.status == PaymentStatus.APPROVED and done.card.proof_id == receipt.proof_id
    assert done.reject_reason is None
    assert done.proof_decision == await payments.proof_decision(receipt.proof_id)
    late = await payments.review_approve(view.id, ADMINS[1], receipt.proof_id)
    assert not late.decision.applied
    assert late.decision == await payments.decision(view.id)
    assert late.decision.decided_by_name == "Admin Satu"
    assert late.proof_decision == await payments.proof_decision(receipt.proof_id)
    async with uow() as work:
        count = await work.session.execute(select(func.count(Membership.id)))
        assert count.scalar_one() == 1


async def test_a_reject_tap_decides_and_reads_the_reason_in_one_transaction(
    payments: PaymentService,
) -> None:
    view = await start(payments, BUDI, BASIC_LIFETIME)
    first = await payments.attach_proof(BUDI, proof(1))
    menu = await payments.review_state(view.id, first.proof_id)
    assert not menu.decision.applied and menu.card.status == PaymentStatus.SUBMITTED
    assert menu.proof_decision is None and menu.reject_reason is None
    done = await payments.review_reject(
        view.id, ADMINS[0], code=ProofRejectReason.AMOUNT, proof_id=first.proof_id
    )
    assert done.decision.applied and done.decision.status == PaymentStatus.AWAITING_PROOF
    assert done.reject_reason == "amount" == await payments.last_reject_reason(view.id)
    assert done.card == await payments.card(view.id)
    assert done.proof_decision == await payments.proof_decision(first.proof_id)
    second = await payments.attach_proof(BUDI, proof(2))
    # A note written for the first proof after the member sent a second one decides nothing.
    stale = await payments.review_reject(
        view.id, ADMINS[1], note="too late", proof_id=first.proof_id
    )
    assert not stale.decision.applied and stale.card.proof_id == second.proof_id
    assert stale.proof_decision == await payments.proof_decision(first.proof_id)
    assert stale.proof_decision is not None and stale.proof_decision.decided_by_name == "Admin Satu"
    with pytest.raises(ValueError):
        await payments.review_reject(view.id, ADMINS[0], note="  ", proof_id=second.proof_id)
