"""Admin tools: member lookup, grants and revokes by hand, the catalog and payment methods.

Run on SQLite and PostgreSQL. The seeded catalog: basic_lifetime (id 1, Rp 97.000) and
vip_lifetime (id 2, Rp 299.000).
"""

from __future__ import annotations

import asyncio
from datetime import date, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from domain.membership import MembershipStatus
from domain.money import MoneyError, MoneyParseError
from domain.states import PaymentMethodKind, PaymentStatus
from kernel.actor import Actor
from kernel.admin_input import (
    AdminProblem,
    AdminToolError,
    MemberRef,
    NewMethod,
    parse_duration,
    parse_member_ref,
    parse_method,
    parse_price,
)
from kernel.dates import day_param
from services.members import MemberService, TelegramProfile
from services.payments import PaymentService
from storage.models import (
    AdminAction,
    Membership,
    MembershipEvent,
    OutboxMessage,
    PaymentMethod,
    PaymentRequest,
    Plan,
    PlanPriceChange,
)
from storage.repos.catalog import CatalogRepository
from storage.uow import UnitOfWorkFactory
from tests.kit.admin_tools import AdminTools
from tests.kit.clock import FrozenClock

ANI, BUDI = 1001, 1002
OWNER = Actor(9000, "Pak Owner")
ADMIN = Actor(9001, "Admin Satu")
BASIC_LIFETIME, VIP_LIFETIME = 1, 2
JAKARTA = ZoneInfo("Asia/Jakarta")


@pytest.fixture
async def tools(uow: UnitOfWorkFactory, clock: FrozenClock) -> AdminTools:
    members = MemberService(uow, clock, "id")
    await members.register(TelegramProfile(ANI, "Ani", "Lestari", username="Ani_Kreator"), None)
    await members.register(TelegramProfile(BUDI, "Budi", language_code="en"), None)
    return AdminTools(uow, clock, JAKARTA, "id")


def ani() -> MemberRef:
    return MemberRef(telegram_id=ANI)


def budi() -> MemberRef:
    return MemberRef(telegram_id=BUDI)


async def rows(uow: UnitOfWorkFactory, model: Any, *where: Any) -> list[Any]:
    async with uow() as work:
        result = await work.session.execute(select(model).where(*where).order_by(model.id))
        return list(result.scalars())


async def count(uow: UnitOfWorkFactory, model: Any) -> int:
    async with uow() as work:
        return int((await work.session.execute(select(func.count(model.id)))).scalar_one())


async def memberships(uow: UnitOfWorkFactory, telegram_id: int) -> list[Membership]:
    async with uow() as work:
        member = await work.members.by_telegram_id(telegram_id)
        assert member is not None
    return await rows(uow, Membership, Membership.member_id == member.id)


async def refused(problem: AdminProblem, call: Any) -> AdminToolError:
    with pytest.raises(AdminToolError) as caught:
        await call
    assert caught.value.problem is problem
    return caught.value


# ---------------------------------------------------------------------------- parsing


def test_a_member_is_named_by_telegram_id_or_username() -> None:
    assert parse_member_ref("123456789") == MemberRef(telegram_id=123456789)
    assert parse_member_ref(" @Ani_Kreator ") == MemberRef(username="Ani_Kreator")
    assert parse_member_ref("ani_kreator") == MemberRef(username="ani_kreator")
    for bad in ("", "@", "0", "-5", "@1abc", "ani kreator", "@a", "x" * 40, "12ab"):
        with pytest.raises(AdminToolError) as caught:
            parse_member_ref(bad)
        assert caught.value.problem is AdminProblem.BAD_MEMBER_REF


def test_durations_are_days_from_1_to_3650_or_lifetime() -> None:
    assert parse_duration("30") == 30
    assert parse_duration("180d") == 180
    assert parse_duration("3650") == 3650
    assert parse_duration("Lifetime") is None
    for bad in ("0", "3651", "-1", "thirty", "1.5", "", "30x"):
        with pytest.raises(AdminToolError) as caught:
            parse_duration(bad)
        assert caught.value.problem is AdminProblem.BAD_DURATION


def test_prices_are_read_as_people_type_them() -> None:
    for text, value in (
        ("1250000", 1_250_000),
        ("1.250.000", 1_250_000),
        ("Rp 1.250.000", 1_250_000),
        ("250rb", 250_000),
        ("1,5jt", 1_500_000),
    ):
        assert parse_price(text) == value
    for text, code in (
        ("", MoneyError.EMPTY),
        ("abc", MoneyError.NOT_A_NUMBER),
        ("-5000", MoneyError.NEGATIVE),
        ("500", MoneyError.TOO_SMALL),
        ("2000jt", MoneyError.TOO_LARGE),
        ("12,5", MoneyError.FRACTION),
        ("1.500rb", MoneyError.AMBIGUOUS),
    ):
        with pytest.raises(MoneyParseError) as caught:
            parse_price(text)
        assert caught.value.code is code, text


def test_payment_methods_are_checked_part_by_part() -> None:
    bank = parse_method("bank  BCA |  Budi   Santoso | 123 456 7890")
    assert bank == NewMethod(PaymentMethodKind.BANK, "BCA", "Budi Santoso", "123 456 7890")
    wallet = parse_method("EWALLET DANA | Budi | +62 812-3456-7890")
    assert wallet.kind is PaymentMethodKind.EWALLET and wallet.account_number == "+62 812-3456-7890"
    assert parse_method("qris QRIS Toko Budi").label == "QRIS Toko Budi"
    for text, problem in (
        ("crypto BTC | a | 1", AdminProblem.BAD_METHOD_KIND),
        ("bank BCA 123", AdminProblem.BAD_METHOD_FORMAT),
        ("bank BCA | Budi", AdminProblem.BAD_METHOD_FORMAT),
        ("bank BCA | Budi | 1 | 2", AdminProblem.BAD_METHOD_FORMAT),
        ("qris QRIS | Budi", AdminProblem.BAD_METHOD_FORMAT),
        ("bank  | Budi | 1234567", AdminProblem.BAD_LABEL),
        ("bank " + "B" * 65 + " | Budi | 1234567", AdminProblem.BAD_LABEL),
        ("qris", AdminProblem.BAD_LABEL),
        ("bank BCA |  | 1234567", AdminProblem.BAD_ACCOUNT_NAME),
        ("bank BCA | " + "n" * 129 + " | 1234567", AdminProblem.BAD_ACCOUNT_NAME),
        ("bank BCA | Budi | 12ab3456", AdminProblem.BAD_ACCOUNT_NUMBER),
        ("bank BCA | Budi | 1234", AdminProblem.BAD_ACCOUNT_NUMBER),
        ("bank BCA | Budi | " + "1" * 65, AdminProblem.BAD_ACCOUNT_NUMBER),
    ):
        with pytest.raises(AdminToolError) as caught:
            parse_method(text)
        assert caught.value.problem is problem, text


# ---------------------------------------------------------------------------- lookup


async def test_member_card_shows_profile_tier_memberships_and_payments(
    tools: AdminTools, uow: UnitOfWorkFactory, clock: FrozenClock
) -> None:
    await tools.add_plan("vip", 30, 150_000, OWNER)
    await tools.grant(ani(), "basic_lifetime", "paid cash", ADMIN)
    clock.advance(days=1)
    await tools.grant(ani(), "vip_30d", "promo", ADMIN)
    await tools.revoke(ani(), "vip_30d", "mistake", ADMIN)
    clock.advance(days=1)
    vip = await tools.grant(ani(), "vip_30d", "promo again", ADMIN)
    payments = PaymentService(uow, clock, JAKARTA, "id")
    request = await payments.start_purchase(ANI, VIP_LIFETIME)

    by_name = await tools.member_card(MemberRef(username="ANI_KREATOR"))
    card = await tools.member_card(ani())
    assert by_name == card
    assert (card.telegram_id, card.name, card.username, card.language) == (
        ANI,
        "Ani Lestari",
        "Ani_Kreator",
        "id",
    )
    assert card.tier is not None and card.tier.code == "vip"
    shown = [(m.plan.code, m.status) for m in card.memberships]
    # Active first (newest first), then ended ones.
    assert shown == [
        ("vip_30d", MembershipStatus.ACTIVE),
        ("basic_lifetime", MembershipStatus.ACTIVE),
        ("vip_30d", MembershipStatus.CANCELLED),
    ]
    active_vip = card.memberships[0]
    assert active_vip.id == vip.membership_id and active_vip.remaining_days == 30
    assert active_vip.granted_by == ADMIN.telegram_id and not active_vip.lapsed
    assert card.memberships[1].remaining_days is None and card.memberships[1].expires_at is None
    assert card.memberships[2].ended_at is not None and card.memberships[2].end_reason == "revoked"
    assert [(p.id, p.amount, p.status) for p in card.payments] == [
        (request.id, request.amount, PaymentStatus.AWAITING_PROOF)
    ]
    assert card.hidden_memberships == 0

    clock.advance(days=31)
    lapsed = (await tools.member_card(ani())).memberships[0]
    assert lapsed.lapsed and lapsed.remaining_days is None
    assert (await tools.member_card(ani())).tier.code == "basic"  # type: ignore[union-attr]


async def test_member_card_caps_memberships_and_payments_at_ten(
    tools: AdminTools, uow: UnitOfWorkFactory, clock: FrozenClock
) -> None:
    await tools.add_plan("vip", 7, 50_000, OWNER)
    for n in range(12):
        await tools.grant(budi(), "vip_7d", f"round {n}", ADMIN)
        await tools.revoke(budi(), "vip_7d", f"end {n}", ADMIN)
        clock.advance(hours=1)
    payments = PaymentService(uow, clock, JAKARTA, "id")
    for _ in range(11):
        await payments.start_purchase(BUDI, BASIC_LIFETIME)
        await payments.cancel(BUDI)
    card = await tools.member_card(budi())
    assert len(card.memberships) == 10 and card.hidden_memberships == 2
    assert card.tier is None
    ids = [m.id for m in card.memberships]
    assert ids == sorted(ids, reverse=True)
    assert len(card.payments) == 10
    assert [p.status for p in card.payments] == [PaymentStatus.CANCELLED] * 10


async def test_an_unknown_member_is_named_in_the_refusal(tools: AdminTools) -> None:
    error = await refused(AdminProblem.MEMBER_NOT_FOUND, tools.member_card(MemberRef(4242)))
    assert error.params == {"given": "4242"}
    error = await refused(
        AdminProblem.MEMBER_NOT_FOUND, tools.member_card(MemberRef(username="nobody_here"))
    )
    assert error.params == {"given": "@nobody_here"}


# ---------------------------------------------------------------------------- grant


async def test_granting_a_lifetime_plan_records_everything_in_one_go(
    tools: AdminTools, uow: UnitOfWorkFactory, clock: FrozenClock
) -> None:
    result = await tools.grant(ani(), "VIP_LIFETIME", "  paid by transfer to owner  ", ADMIN)
    assert result.expires_at is None and not result.renewed and result.plan.code == "vip_lifetime"
    [row] = await memberships(uow, ANI)
    assert (row.status, row.plan_id, row.expires_at, row.activated_at) == (
        MembershipStatus.ACTIVE,
        VIP_LIFETIME,
        None,
        clock.now(),
    )
    assert (row.granted_by, row.grant_reason, row.list_price) == (
        ADMIN.telegram_id,
        "paid by transfer to owner",
        299_000,
    )
    [event] = await rows(uow, MembershipEvent)
    assert (event.membership_id, event.kind, event.actor_telegram_id, event.reason) == (
        row.id,
        "granted",
        ADMIN.telegram_id,
        "paid by transfer to owner",
    )
    [action] = await rows(uow, AdminAction)
    assert (action.actor_telegram_id, action.action, action.target, action.created_at) == (
        ADMIN.telegram_id,
        "membership.grant",
        f"member:{ANI}",
        clock.now(),
    )
    assert action.details["name"] == "Admin Satu"
    assert action.details["plan"] == "vip_lifetime"
    assert action.details["reason"] == "paid by transfer to owner"
    [told] = await rows(uow, OutboxMessage)
    assert (told.chat_id, told.text_key, told.language) == (
        ANI,
        "tools.notice_granted_lifetime",
        "id",
    )
    assert told.params["plan"]["key"] == "plan.lifetime"


async def test_a_lifetime_grant_is_refused_when_it_adds_nothing(
    tools: AdminTools, uow: UnitOfWorkFactory
) -> None:
    await tools.grant(ani(), "vip_lifetime", "paid", ADMIN)
    again = await refused(
        AdminProblem.ALREADY_HOLDS, tools.grant(ani(), "vip_lifetime", "twice", ADMIN)
    )
    assert again.params["name"] == "Ani Lestari"
    lower = await refused(
        AdminProblem.HOLDS_LIFETIME, tools.grant(ani(), "basic_lifetime", "lower", ADMIN)
    )
    assert lower.params["held"]["params"]["tier"] == {"key": "tier.vip"}
    await tools.add_plan("vip", 30, 150_000, OWNER)
    await refused(AdminProblem.HOLDS_LIFETIME, tools.grant(ani(), "vip_30d", "pointless", ADMIN))
    assert len(await memberships(uow, ANI)) == 1
    assert await count(uow, AdminAction) == 2  # the grant and the add_plan
    assert await count(uow, OutboxMessage) == 1


async def test_a_basic_lifetime_member_can_be_granted_vip_lifetime(
    tools: AdminTools, uow: UnitOfWorkFactory
) -> None:
    await tools.grant(budi(), "basic_lifetime", "paid", ADMIN)
    await tools.grant(budi(), "vip_lifetime", "upgrade paid", ADMIN)
    held = [(m.plan_id, m.status) for m in await memberships(uow, BUDI)]
    assert held == [(BASIC_LIFETIME, "active"), (VIP_LIFETIME, "active")]
    card = await tools.member_card(budi())
    assert card.tier is not None and card.tier.code == "vip"
    told = await rows(uow, OutboxMessage)
    assert [m.language for m in told] == ["en", "en"]


async def test_a_temporal_grant_starts_now_then_extends_from_the_current_expiry(
    tools: AdminTools, uow: UnitOfWorkFactory, clock: FrozenClock
) -> None:
    await tools.add_plan("vip", 30, 150_000, OWNER)
    start = clock.now()
    first = await tools.grant(ani(), "vip_30d", "paid month 1", ADMIN)
    assert first.expires_at == start + timedelta(days=30) and not first.renewed
    clock.advance(days=10)
    second = await tools.grant(ani(), "vip_30d", "paid month 2", ADMIN)
    assert second.renewed and second.membership_id == first.membership_id
    assert second.old_expires_at == start + timedelta(days=30)
    assert second.expires_at == start + timedelta(days=60)
    [row] = await memberships(uow, ANI)
    assert row.expires_at == start + timedelta(days=60) and row.status == "active"
    # The row tells how it was first created; the extension is in its history.
    assert row.grant_reason == "paid month 1"
    events = await rows(uow, MembershipEvent)
    assert [(e.kind, e.reason) for e in events] == [
        ("granted", "paid month 1"),
        ("renewed", "paid month 2"),
    ]
    assert events[1].old_expires_at == start + timedelta(days=30)
    assert events[1].new_expires_at == start + timedelta(days=60)
    told = await rows(uow, OutboxMessage)
    assert [m.text_key for m in told] == ["tools.notice_granted_until", "tools.notice_extended"]
    assert told[1].params["until"] == day_param(date(2026, 3, 11))  # "11 Mar 2026"
    assert len({m.dedupe_key for m in told}) == 2
    actions = await rows(uow, AdminAction, AdminAction.action == "membership.grant")
    assert [a.details["kind"] for a in actions] == ["granted", "renewed"]


async def test_a_lapsed_temporal_membership_is_extended_from_now(
    tools: AdminTools, clock: FrozenClock
) -> None:
    await tools.add_plan("vip", 30, 150_000, OWNER)
    await tools.grant(ani(), "vip_30d", "paid", ADMIN)
    clock.advance(days=45)
    again = await tools.grant(ani(), "vip_30d", "paid late", ADMIN)
    assert again.renewed and again.expires_at == clock.now() + timedelta(days=30)


async def test_the_same_temporal_grant_twice_at_once_extends_one_membership(
    tools: AdminTools, uow: UnitOfWorkFactory, clock: FrozenClock
) -> None:
    await tools.add_plan("vip", 30, 150_000, OWNER)
    results = await asyncio.gather(
        tools.grant(ani(), "vip_30d", "admin one", ADMIN),
        tools.grant(ani(), "vip_30d", "admin two", OWNER),
    )
    assert sorted(r.renewed for r in results) == [False, True]
    [row] = await memberships(uow, ANI)
    assert row.expires_at == clock.now() + timedelta(days=60)


async def test_two_extensions_at_once_both_count(
    tools: AdminTools, uow: UnitOfWorkFactory, clock: FrozenClock
) -> None:
    await tools.add_plan("vip", 30, 150_000, OWNER)
    first = await tools.grant(ani(), "vip_30d", "month 1", ADMIN)
    results = await asyncio.gather(
        tools.grant(ani(), "vip_30d", "month 2", ADMIN),
        tools.grant(ani(), "vip_30d", "month 3", OWNER),
    )
    assert all(r.renewed and r.membership_id == first.membership_id for r in results)
    # The second waits for the first's lock and extends from what the first committed.
    assert sorted(r.expires_at for r in results) == [
        clock.now() + timedelta(days=60),
        clock.now() + timedelta(days=90),
    ]
    [row] = await memberships(uow, ANI)
    assert row.expires_at == clock.now() + timedelta(days=90)


async def test_a_grant_needs_a_reason_a_known_plan_and_a_known_member(
    tools: AdminTools, uow: UnitOfWorkFactory
) -> None:
    await refused(AdminProblem.REASON_MISSING, tools.grant(ani(), "vip_lifetime", "  ", ADMIN))
    long = await refused(
        AdminProblem.REASON_TOO_LONG, tools.grant(ani(), "vip_lifetime", "x" * 501, ADMIN)
    )
    assert long.params == {"length": 501, "max": 500}
    unknown = await refused(AdminProblem.PLAN_NOT_FOUND, tools.grant(ani(), "gold", "x", ADMIN))
    assert unknown.params == {"code": "gold", "known": "basic_lifetime, vip_lifetime"}
    await refused(
        AdminProblem.MEMBER_NOT_FOUND, tools.grant(MemberRef(77), "vip_lifetime", "x", ADMIN)
    )
    assert await memberships(uow, ANI) == []
    assert await count(uow, AdminAction) == 0 and await count(uow, OutboxMessage) == 0


# ---------------------------------------------------------------------------- revoke


async def test_revoking_ends_the_membership_once_and_tells_the_member(
    tools: AdminTools, uow: UnitOfWorkFactory, clock: FrozenClock
) -> None:
    granted = await tools.grant(ani(), "vip_lifetime", "paid", ADMIN)
    clock.advance(hours=2)
    result = await tools.revoke(ani(), "vip_lifetime", "refunded", OWNER)
    assert result.membership_id == granted.membership_id and result.ended_at == clock.now()
    [row] = await memberships(uow, ANI)
    assert (row.status, row.end_reason, row.ended_at) == ("cancelled", "revoked", clock.now())
    events = await rows(uow, MembershipEvent)
    assert [(e.kind, e.actor_telegram_id, e.reason) for e in events] == [
        ("granted", ADMIN.telegram_id, "paid"),
        ("revoked", OWNER.telegram_id, "refunded"),
    ]
    [action] = await rows(uow, AdminAction, AdminAction.action == "membership.revoke")
    assert (action.actor_telegram_id, action.target, action.created_at) == (
        OWNER.telegram_id,
        f"member:{ANI}",
        clock.now(),
    )
    assert action.details["name"] == "Pak Owner" and action.details["reason"] == "refunded"
    told = (await rows(uow, OutboxMessage))[-1]
    assert told.text_key == "tools.notice_revoked" and told.params["reason"] == "refunded"
    assert (await tools.member_card(ani())).tier is None

    twice = await refused(
        AdminProblem.NOT_ACTIVE, tools.revoke(ani(), "vip_lifetime", "again", OWNER)
    )
    assert twice.params["status"] == {"key": "tools.status_cancelled"}
    assert twice.params["ended"] == day_param(date(2026, 1, 10))
    assert len(await rows(uow, MembershipEvent)) == 2
    assert await count(uow, AdminAction) == 2 and await count(uow, OutboxMessage) == 2


async def test_revoking_what_was_never_held_changes_nothing(
    tools: AdminTools, uow: UnitOfWorkFactory
) -> None:
    await tools.grant(ani(), "basic_lifetime", "paid", ADMIN)
    error = await refused(AdminProblem.NOT_HELD, tools.revoke(ani(), "vip_lifetime", "x", ADMIN))
    assert error.params["name"] == "Ani Lestari"
    await refused(AdminProblem.REASON_MISSING, tools.revoke(ani(), "basic_lifetime", "", ADMIN))
    await refused(AdminProblem.PLAN_NOT_FOUND, tools.revoke(ani(), "nope", "x", ADMIN))
    [row] = await memberships(uow, ANI)
    assert row.status == "active"
    assert await count(uow, AdminAction) == 1


async def test_two_revokes_at_once_end_the_membership_once(
    tools: AdminTools, uow: UnitOfWorkFactory
) -> None:
    await tools.grant(ani(), "vip_lifetime", "paid", ADMIN)
    results = await asyncio.gather(
        tools.revoke(ani(), "vip_lifetime", "one", ADMIN),
        tools.revoke(ani(), "vip_lifetime", "two", OWNER),
        return_exceptions=True,
    )
    errors = [r for r in results if isinstance(r, Exception)]
    assert len(errors) == 1
    assert isinstance(errors[0], AdminToolError)
    assert errors[0].problem is AdminProblem.NOT_ACTIVE
    revoked = await rows(uow, MembershipEvent, MembershipEvent.kind == "revoked")
    assert len(revoked) == 1


# ---------------------------------------------------------------------------- catalog


async def test_a_new_price_leaves_an_open_quote_unchanged(
    tools: AdminTools, uow: UnitOfWorkFactory, clock: FrozenClock
) -> None:
    payments = PaymentService(uow, clock, JAKARTA, "id")
    quoted = await payments.start_purchase(ANI, VIP_LIFETIME)
    assert quoted.amount == 299_000
    clock.advance(minutes=5)
    change = await tools.set_price("vip_lifetime", parse_price("Rp 349.000"), OWNER)
    assert (change.old_price, change.new_price, change.plan.price) == (299_000, 349_000, 349_000)
    async with uow() as work:
        request = await work.session.get(PaymentRequest, quoted.id)
        plan = await work.session.get(Plan, VIP_LIFETIME)
        assert request is not None and plan is not None
        assert (request.amount, request.list_price, plan.price) == (299_000, 299_000, 349_000)
    assert (await payments.open_request(ANI)).amount == 299_000  # type: ignore[union-attr]
    fresh = await payments.start_purchase(BUDI, VIP_LIFETIME)
    assert fresh.amount == 349_000
    [history] = await rows(uow, PlanPriceChange)
    assert (
        history.plan_id,
        history.old_price,
        history.new_price,
        history.changed_by,
        history.changed_at,
    ) == (VIP_LIFETIME, 299_000, 349_000, OWNER.telegram_id, clock.now())
    [action] = await rows(uow, AdminAction)
    assert (action.action, action.target, action.details["new_price"]) == (
        "catalog.set_price",
        "plan:vip_lifetime",
        349_000,
    )
    same = await refused(AdminProblem.SAME_PRICE, tools.set_price("vip_lifetime", 349_000, OWNER))
    assert same.params["price"] == 349_000
    await refused(AdminProblem.PLAN_NOT_FOUND, tools.set_price("gold", 5_000, OWNER))
    assert await count(uow, PlanPriceChange) == 1


async def test_plans_are_added_after_the_others_with_a_telling_code(
    tools: AdminTools, uow: UnitOfWorkFactory, clock: FrozenClock
) -> None:
    month = await tools.add_plan("VIP", 30, 150_000, OWNER)
    year = await tools.add_plan("basic", 365, 250_000, OWNER)
    assert (month.plan.code, month.plan.duration_days, month.plan.price) == ("vip_30d", 30, 150_000)
    assert year.plan.code == "basic_365d" and year.position > month.position
    listed = await tools.plans()
    assert [p.plan.code for p in listed] == [
        "basic_lifetime",
        "vip_lifetime",
        "vip_30d",
        "basic_365d",
    ]
    assert all(p.on_sale for p in listed)
    async with uow() as work:
        on_sale = await CatalogRepository(work.session).plans_on_sale()
        assert [p.code for p in on_sale][-2:] == ["vip_30d", "basic_365d"]
    [first, _] = await rows(uow, AdminAction)
    assert (first.action, first.target, first.details["duration_days"], first.created_at) == (
        "catalog.add_plan",
        "plan:vip_30d",
        30,
        clock.now(),
    )
    exists = await refused(AdminProblem.PLAN_EXISTS, tools.add_plan("vip", 30, 99_000, OWNER))
    assert exists.params["code"] == "vip_30d"
    await refused(AdminProblem.PLAN_EXISTS, tools.add_plan("vip", None, 1_000_000, OWNER))
    tier = await refused(AdminProblem.TIER_NOT_FOUND, tools.add_plan("gold", 30, 9_000, OWNER))
    assert tier.params == {"tier": "gold", "known": "basic, vip"}
    await refused(AdminProblem.BAD_DURATION, tools.add_plan("vip", 3651, 9_000, OWNER))
    await refused(AdminProblem.BAD_DURATION, tools.add_plan("vip", 0, 9_000, OWNER))
    assert len(await tools.plans()) == 4


async def test_a_plan_with_another_code_but_the_same_tier_and_days_is_a_duplicate(
    tools: AdminTools, uow: UnitOfWorkFactory, clock: FrozenClock
) -> None:
    async with uow() as work:
        work.session.add(
            Plan(code="vip_monthly", tier_id=2, duration_days=30, price=1, created_at=clock.now())
        )
        await work.commit()
    error = await refused(AdminProblem.PLAN_EXISTS, tools.add_plan("vip", 30, 99_000, OWNER))
    assert error.params["code"] == "vip_monthly"


async def test_a_retired_plan_is_off_sale_but_held_memberships_keep_working(
    tools: AdminTools, uow: UnitOfWorkFactory, clock: FrozenClock
) -> None:
    await tools.grant(ani(), "basic_lifetime", "paid", ADMIN)
    retired = await tools.retire_plan("basic_lifetime", OWNER)
    assert not retired.on_sale and retired.retired_at == clock.now()
    payments = PaymentService(uow, clock, JAKARTA, "id")
    offers = await payments.offers(BUDI)
    assert [o.plan.code for o in offers.offers] == ["vip_lifetime"]
    card = await tools.member_card(ani())
    assert card.tier is not None and card.tier.code == "basic"
    assert card.memberships[0].status is MembershipStatus.ACTIVE
    again = await refused(AdminProblem.ALREADY_RETIRED, tools.retire_plan("basic_lifetime", OWNER))
    assert again.params["code"] == "basic_lifetime"
    await refused(AdminProblem.PLAN_EXISTS_RETIRED, tools.add_plan("basic", None, 5_000, OWNER))
    [listed, _] = await tools.plans()
    assert not listed.on_sale and listed.retired_at == clock.now()

    clock.advance(days=1)
    back = await tools.unretire_plan("basic_lifetime", OWNER)
    assert back.on_sale and back.retired_at is None
    assert len((await payments.offers(BUDI)).offers) == 2
    await refused(AdminProblem.ALREADY_ON_SALE, tools.unretire_plan("basic_lifetime", OWNER))
    await refused(AdminProblem.PLAN_NOT_FOUND, tools.retire_plan("gold", OWNER))
    actions = await rows(uow, AdminAction, AdminAction.target == "plan:basic_lifetime")
    assert [(a.action, a.created_at) for a in actions] == [
        ("catalog.retire_plan", clock.now() - timedelta(days=1)),
        ("catalog.unretire_plan", clock.now()),
    ]


# ---------------------------------------------------------------------------- methods


async def test_payment_methods_are_added_switched_off_and_on(
    tools: AdminTools, uow: UnitOfWorkFactory, clock: FrozenClock
) -> None:
    bca = await tools.add_method(parse_method("bank BCA | Budi Santoso | 1234567890"), OWNER)
    bca2 = await tools.add_method(parse_method("bank BCA | Sari | 9876543210"), OWNER)
    dana = await tools.add_method(parse_method("ewallet DANA (Budi) | Budi | 0812-3456"), OWNER)
    qris = await tools.add_method(
        parse_method("qris QRIS Toko Budí"), OWNER, qris_file_id="photo-big"
    )
    codes = ["bca", "bca_2", "dana_budi", "qris_toko_budi"]
    assert [m.code for m in (bca, bca2, dana, qris)] == codes
    assert qris.has_qris and qris.kind is PaymentMethodKind.QRIS and qris.account_number is None
    assert bca.position < bca2.position < dana.position < qris.position
    async with uow() as work:
        stored = await work.session.execute(select(PaymentMethod).order_by(PaymentMethod.id))
        assert [m.qris_file_id for m in stored.scalars()] == [None, None, None, "photo-big"]
    payments = PaymentService(uow, clock, JAKARTA, "id")
    assert [m.code for m in await payments.methods()] == codes

    off = await tools.set_method_active("BCA", False, OWNER)
    assert not off.active
    assert [m.code for m in await payments.methods()] == ["bca_2", "dana_budi", "qris_toko_budi"]
    listed = await tools.methods()
    assert (listed[0].code, listed[0].active) == ("bca", False)
    await refused(AdminProblem.METHOD_ALREADY_OFF, tools.set_method_active("bca", False, OWNER))
    on = await tools.set_method_active("bca", True, OWNER)
    assert on.active and len(await payments.methods()) == 4
    await refused(AdminProblem.METHOD_ALREADY_ON, tools.set_method_active("bca", True, OWNER))
    missing = await refused(
        AdminProblem.METHOD_NOT_FOUND, tools.set_method_active("ovo", True, OWNER)
    )
    assert missing.params["known"] == "bca, bca_2, dana_budi, qris_toko_budi"
    await refused(AdminProblem.QRIS_NEEDS_PHOTO, tools.add_method(parse_method("qris Lain"), OWNER))
    actions = await rows(uow, AdminAction)
    assert [a.action for a in actions] == ["payment_method.add"] * 4 + [
        "payment_method.off",
        "payment_method.on",
    ]
    assert all(a.actor_telegram_id == OWNER.telegram_id for a in actions)
    assert actions[0].details["account_number"] == "1234567890"
    assert actions[4].target == "method:bca"


async def test_a_label_without_letters_gets_a_code_from_its_kind(
    tools: AdminTools,
) -> None:
    first = await tools.add_method(parse_method("ewallet 💸 | Budi | 08123456"), OWNER)
    second = await tools.add_method(parse_method("ewallet 💸 | Sari | 08129999"), OWNER)
    assert (first.code, second.code) == ("ewallet", "ewallet_2")
