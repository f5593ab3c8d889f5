"""Membership lifecycle (issue item 3): expiry at its time, reminders 3 days and 1 day
before, the nightly group reconcile. On SQLite and PostgreSQL, with the frozen clock
moved by hand; every job runs twice (and at once) to show it acts once."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select, update

from domain.membership import MembershipStatus
from kernel.actor import Actor
from kernel.admin_input import MemberRef
from kernel.i18n import Translator
from services.access import AccessService, GroupConfig, sync_access
from services.members import MemberService, TelegramProfile
from services.memberships import LifecycleService
from services.memberships import expiry as lifecycle_module
from services.payments import PaymentService, ProofFile
from storage.models import (
    AffiliateAccount,
    Member,
    Membership,
    MembershipEvent,
    OutboxMessage,
    PaymentMethod,
    Plan,
)
from storage.repos.memberships import MembershipRepository
from storage.uow import UnitOfWorkFactory
from tests.kit.admin_tools import AdminTools
from tests.kit.clock import FrozenClock

ZONE = ZoneInfo("Asia/Jakarta")
CHAT = -100999
ADMIN_CHAT = -100777
RENEW = "menu:shop"
CONFIG = GroupConfig(CHAT, ADMIN_CHAT, "id", ZONE, renew_callback=RENEW)
OWNER = Actor(9000, "Pak Owner")
ADMIN = Actor(9001, "Admin Satu")
ANI, BUDI, CITRA, STRANGER = 1001, 1002, 1003, 1999
T0 = datetime(2026, 1, 10, 3, 0, tzinfo=UTC)  # 10:00 in Jakarta
TRANSLATOR = Translator.load()


@dataclass
class Kit:
    uow: UnitOfWorkFactory
    clock: FrozenClock
    members: MemberService
    tools: AdminTools
    access: AccessService
    lifecycle: LifecycleService

    async def join(
        self, telegram_id: int, name: str, *plans: str, inside: bool = False, language: str = "id"
    ) -> int:
        await self.members.register(
            TelegramProfile(telegram_id, name, language_code=language), None
        )
        for plan in plans:
            await self.tools.grant(MemberRef(telegram_id=telegram_id), plan, "test", ADMIN)
        if inside:  # what a chat_member update said
            await self.access.record_presence(CHAT, telegram_id, "member")
        async with self.uow() as work:
            member = await work.members.by_telegram_id(telegram_id)
            assert member is not None
            return member.id

    async def give_account(self, member_id: int, username: str) -> int:
        async with self.uow() as work:
            account = AffiliateAccount(
                tiktok_username=username,
                shop_status="active",
                holder_member_id=member_id,
                assigned_at=self.clock.now(),
                created_at=self.clock.now(),
            )
            work.session.add(account)
            await work.session.flush()
            account_id = account.id
            await work.commit()
            return account_id

    async def memberships(self, member_id: int) -> list[tuple[str, Membership]]:
        async with self.uow() as work:
            rows = await work.session.execute(
                select(Plan.code, Membership)
                .join(Plan, Plan.id == Membership.plan_id)
                .where(Membership.member_id == member_id)
                .order_by(Membership.id)
            )
            return [(code, m) for code, m in rows.all()]

    async def outbox(self, after: int = 0, **where: Any) -> list[OutboxMessage]:
        async with self.uow() as work:
            query = select(OutboxMessage).where(OutboxMessage.id > after).order_by(OutboxMessage.id)
            for name, value in where.items():
                query = query.where(getattr(OutboxMessage, name) == value)
            return list((await work.session.execute(query)).scalars())

    async def last_id(self) -> int:
        async with self.uow() as work:
            found = await work.session.scalar(select(func.max(OutboxMessage.id)))
            return int(found or 0)

    async def to_member(self, telegram_id: int, after: int = 0) -> list[OutboxMessage]:
        return await self.outbox(after, chat_id=telegram_id, kind="message")

    async def removals(self, telegram_id: int, after: int = 0) -> list[OutboxMessage]:
        return await self.outbox(after, chat_id=telegram_id, kind="group_remove")

    def at(self, **delta: float) -> None:
        """Move the clock to T0 + delta (never backwards)."""
        target = T0 + timedelta(**delta)
        assert target >= self.clock.now()
        self.clock.current = target


@pytest.fixture
async def kit(uow: UnitOfWorkFactory, clock: FrozenClock) -> Kit:
    assert clock.now() == T0
    tools = AdminTools(uow, clock, ZONE, "id", group=CONFIG)
    await tools.add_plan("vip", 30, 150_000, OWNER)
    await tools.add_plan("vip", 1, 20_000, OWNER)
    return Kit(
        uow=uow,
        clock=clock,
        members=MemberService(uow, clock, "id"),
        tools=tools,
        access=AccessService(uow, clock, CONFIG),
        lifecycle=LifecycleService(uow, clock, CONFIG),
    )


def proof_file() -> ProofFile:
    return ProofFile(
        telegram_file_id="file-1",
        file_unique_id="uniq-1",
        sha256="a" * 64,
        perceptual_hash="b" * 16,
        size_bytes=1000,
        width=800,
        height=1200,
        image_format="JPEG",
    )


def render(row: OutboxMessage) -> str:
    return TRANSLATOR.t(row.text_key, row.language, **row.params)


def shown(value: dict[str, Any]) -> str:
    """A date parameter as an Indonesian reader sees it."""
    return TRANSLATOR.t(value["key"], "id", **value["params"])


def button_data(row: OutboxMessage) -> list[str | None]:
    rows = (row.buttons or {}).get("rows", [])
    return [b["callback_data"] for r in rows for b in r]


# ---------------------------------------------------------------------------- expiry


async def test_a_vip_in_the_group_is_expired_at_its_time_removed_and_told_once(kit: Kit) -> None:
    ani = await kit.join(ANI, "Ani", "vip_30d", inside=True)
    account = await kit.give_account(ani, "ani_shop")
    [(_, vip)] = await kit.memberships(ani)
    assert vip.expires_at == T0 + timedelta(days=30)

    kit.at(days=29, hours=23, minutes=59)
    assert await kit.lifecycle.expire_due() == 0
    before = await kit.last_id()
    kit.at(days=30)  # exactly at its time
    assert await kit.lifecycle.expire_due() == 1

    [(_, ended)] = await kit.memberships(ani)
    assert ended.status == MembershipStatus.EXPIRED
    assert ended.ended_at == vip.expires_at and ended.end_reason == "expired"
    async with kit.uow() as work:
        events = (
            await work.session.execute(
                select(MembershipEvent.kind).where(MembershipEvent.membership_id == vip.id)
            )
        ).scalars()
        assert list(events)[-1] == "expired"
        held = await work.session.get(AffiliateAccount, account)
        assert held is not None and held.holder_member_id is None  # back in the pool
    assert len(await kit.removals(ANI, before)) == 1
    told = await kit.to_member(ANI, before)
    assert [m.text_key for m in told] == ["access.removed_with_account"]
    assert button_data(told[0]) == [RENEW]
    admins = await kit.outbox(before, chat_id=ADMIN_CHAT)
    assert [m.text_key for m in admins] == ["access.account_returned"]

    everything = await kit.last_id()
    assert await kit.lifecycle.expire_due() == 0  # a second run: nothing more
    kit.at(days=31)
    assert await kit.lifecycle.expire_due() == 0
    assert await kit.last_id() == everything


async def test_a_membership_that_ran_out_during_downtime_ends_at_its_own_time(kit: Kit) -> None:
    budi = await kit.join(BUDI, "Budi", "vip_30d", language="en")
    before = await kit.last_id()
    kit.at(days=34, hours=5)  # the bot was down for four days
    assert await kit.lifecycle.expire_due() == 1
    [(_, ended)] = await kit.memberships(budi)
    assert ended.ended_at == T0 + timedelta(days=30)
    # Never in the group, no account: access had nothing to tell, so the lifecycle does.
    [told] = await kit.to_member(BUDI, before)
    assert told.text_key == "lifecycle.expired" and told.language == "en"
    assert told.dedupe_key == f"lifecycle-expired:{ended.id}"
    assert button_data(told) == [RENEW]
    text = render(told)
    assert "VIP 30 days" in text and "9 Feb 2026 10:00 WIB" in text
    assert await kit.lifecycle.expire_due() == 0
    assert len(await kit.to_member(BUDI, before)) == 1


async def test_two_runs_at_once_expire_remove_and_tell_once(kit: Kit) -> None:
    await kit.join(ANI, "Ani", "vip_30d", inside=True)
    await kit.join(BUDI, "Budi", "vip_30d")
    await kit.join(CITRA, "Citra", "vip_30d", inside=True)
    before = await kit.last_id()
    kit.at(days=30, seconds=1)
    other = LifecycleService(kit.uow, kit.clock, CONFIG)
    results = await asyncio.gather(
        kit.lifecycle.expire_due(), other.expire_due(), kit.lifecycle.expire_due()
    )
    assert sum(results) == 3
    for telegram_id, removals in ((ANI, 1), (BUDI, 0), (CITRA, 1)):
        assert len(await kit.removals(telegram_id, before)) == removals
        assert len(await kit.to_member(telegram_id, before)) == 1
    async with kit.uow() as work:
        expired_events = await work.session.scalar(
            select(func.count(MembershipEvent.id)).where(MembershipEvent.kind == "expired")
        )
    assert expired_events == 3


async def test_basic_lifetime_stays_when_vip_days_end_and_the_member_is_told(kit: Kit) -> None:
    citra = await kit.join(CITRA, "Citra", "basic_lifetime", "vip_30d")
    before = await kit.last_id()
    kit.at(days=30, minutes=1)
    assert await kit.lifecycle.expire_due() == 1
    status = {code: m.status for code, m in await kit.memberships(citra)}
    assert status == {
        "basic_lifetime": MembershipStatus.ACTIVE,
        "vip_30d": MembershipStatus.EXPIRED,
    }
    [told] = await kit.to_member(CITRA, before)
    assert told.text_key == "lifecycle.expired_still_holding"
    text = render(told)
    assert "VIP 30 hari" in text and "Basic Seumur Hidup" in text
    assert await kit.removals(CITRA, before) == []
    assert await kit.lifecycle.expire_due() == 0


async def test_a_renewal_before_expiry_extends_and_reminders_follow_the_new_date(kit: Kit) -> None:
    ani = await kit.join(ANI, "Ani", "vip_30d", inside=True)
    kit.at(days=27, hours=1)
    assert await kit.lifecycle.remind_expiring() == 1  # 3 days before the first period
    await kit.tools.grant(MemberRef(telegram_id=ANI), "vip_30d", "paid month 2", ADMIN)
    [(_, renewed)] = await kit.memberships(ani)
    assert renewed.expires_at == T0 + timedelta(days=60)

    kit.at(days=30, seconds=1)
    assert await kit.lifecycle.expire_due() == 0
    assert await kit.lifecycle.remind_expiring() == 0
    [(_, still)] = await kit.memberships(ani)
    assert still.status == MembershipStatus.ACTIVE and await kit.removals(ANI) == []

    kit.at(days=57, hours=1)
    assert await kit.lifecycle.remind_expiring() == 1
    kit.at(days=59, hours=1)
    assert await kit.lifecycle.remind_expiring() == 1
    assert await kit.lifecycle.remind_expiring() == 0
    reminders = [m for m in await kit.to_member(ANI) if m.text_key.startswith("lifecycle.remind")]
    assert [(m.text_key, shown(m.params["until"])) for m in reminders] == [
        ("lifecycle.remind_days", "9 Feb 2026 10.00 WIB"),
        ("lifecycle.remind_days", "11 Mar 2026 10.00 WIB"),
        ("lifecycle.remind_last_day", "11 Mar 2026 10.00 WIB"),
    ]
    kit.at(days=60)
    assert await kit.lifecycle.expire_due() == 1
    assert len(await kit.removals(ANI)) == 1


async def test_one_failing_membership_does_not_keep_the_others_active(
    kit: Kit, monkeypatch: pytest.MonkeyPatch
) -> None:
    ani = await kit.join(ANI, "Ani", "vip_30d")
    budi = await kit.join(BUDI, "Budi", "vip_30d")

    async def broken(uow: Any, member: Member, *args: Any, **kwargs: Any) -> Any:
        if member.id == ani:
            raise RuntimeError("boom")
        return await sync_access(uow, member, *args, **kwargs)

    monkeypatch.setattr(lifecycle_module, "sync_access", broken)
    kit.at(days=31)
    assert await kit.lifecycle.expire_due() == 1
    assert [m.status for _, m in await kit.memberships(ani)] == [MembershipStatus.ACTIVE]
    assert [m.status for _, m in await kit.memberships(budi)] == [MembershipStatus.EXPIRED]
    monkeypatch.undo()
    assert await kit.lifecycle.expire_due() == 1  # the next run picks it up
    [(_, ended)] = await kit.memberships(ani)
    assert ended.status == MembershipStatus.EXPIRED and ended.ended_at == T0 + timedelta(days=30)


# ------------------------------------------------------------------------- reminders


async def test_reminders_come_three_days_and_one_day_before_once_each(kit: Kit) -> None:
    await kit.join(ANI, "Ani", "vip_30d")
    await kit.join(BUDI, "Budi", "basic_lifetime")
    kit.at(days=26, hours=23)
    assert await kit.lifecycle.remind_expiring() == 0
    kit.at(days=27, minutes=1)
    assert await kit.lifecycle.remind_expiring() == 1
    assert await kit.lifecycle.remind_expiring() == 0
    kit.at(days=28, hours=12)
    assert await kit.lifecycle.remind_expiring() == 0
    kit.at(days=29, minutes=1)
    results = await asyncio.gather(kit.lifecycle.remind_expiring(), kit.lifecycle.remind_expiring())
    assert sorted(results) == [0, 1]
    kit.at(days=29, hours=23)
    assert await kit.lifecycle.remind_expiring() == 0
    told = [m for m in await kit.to_member(ANI) if m.text_key.startswith("lifecycle.")]
    assert [m.text_key for m in told] == ["lifecycle.remind_days", "lifecycle.remind_last_day"]
    assert all(button_data(m) == [RENEW] for m in told)
    assert told[0].params["days"] == 3
    assert "9 Feb 2026 10.00 WIB" in render(told[0]) and "3 hari" in render(told[0])
    assert "24 jam" in render(told[1])
    assert [m for m in await kit.to_member(BUDI) if m.text_key.startswith("lifecycle.")] == []


async def test_after_downtime_with_less_than_a_day_left_only_the_last_reminder_comes(
    kit: Kit,
) -> None:
    await kit.join(ANI, "Ani", "vip_30d")
    kit.at(days=29, hours=12)
    assert await kit.lifecycle.remind_expiring() == 1
    assert await kit.lifecycle.remind_expiring() == 0
    told = [m.text_key for m in await kit.to_member(ANI) if m.text_key.startswith("lifecycle.")]
    assert told == ["lifecycle.remind_last_day"]


async def test_members_who_blocked_the_bot_and_one_day_plans_are_not_reminded(kit: Kit) -> None:
    ani = await kit.join(ANI, "Ani", "vip_30d")
    await kit.join(BUDI, "Budi", "vip_1d")  # its whole period is inside the 1-day window
    async with kit.uow() as work:
        await work.session.execute(
            update(Member).where(Member.id == ani).values(blocked_bot_at=kit.clock.now())
        )
        await work.commit()
    kit.at(hours=1)
    assert await kit.lifecycle.remind_expiring() == 0
    kit.at(days=29, hours=1)
    assert await kit.lifecycle.remind_expiring() == 0
    kit.at(days=30)
    assert await kit.lifecycle.expire_due() == 2  # both still expire and are told
    assert len(await kit.to_member(ANI)) >= 1


# ------------------------------------------------------------------------- reconcile


async def test_the_reconcile_dry_run_only_reports_and_the_live_one_removes_once_a_day(
    kit: Kit,
) -> None:
    await kit.join(ANI, "Ani", "vip_30d", inside=True)
    await kit.join(CITRA, "Citra", "basic_lifetime", inside=True)  # got in somehow
    await kit.access.record_presence(CHAT, STRANGER, "member")
    before = await kit.last_id()

    dry = await kit.access.reconcile(dry_run=True)
    assert sorted(tid for tid, _ in dry.outsiders) == [CITRA, STRANGER] and dry.queued == 0
    assert await kit.access.reconcile(dry_run=True) is not None
    assert await kit.outbox(before, kind="group_remove") == []
    report = await kit.outbox(before, chat_id=ADMIN_CHAT)
    assert [m.text_key for m in report] == ["access.reconcile_dry_run"]
    assert await kit.to_member(CITRA, before) == []

    live = await kit.access.reconcile(dry_run=False)
    assert live.queued == 2
    again = await kit.access.reconcile(dry_run=False)
    assert again.queued == 0
    assert [len(await kit.removals(t, before)) for t in (ANI, CITRA, STRANGER)] == [0, 1, 1]
    assert [m.text_key for m in await kit.to_member(CITRA, before)] == ["access.removed"]
    admins = [m.text_key for m in await kit.outbox(before, chat_id=ADMIN_CHAT)]
    assert admins == ["access.reconcile_dry_run", "access.reconcile_removed"]


# ------------------------------------------------------------- found in other code


# PostgreSQL only: SQLite runs one write transaction at a time, so nothing interleaves.
@pytest.mark.parametrize(
    "backend", [pytest.param("postgresql", marks=pytest.mark.postgres)], indirect=True
)
async def test_a_paid_renewal_racing_the_expiry_job_keeps_the_member_active(
    kit: Kit, backend: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    ani = await kit.join(ANI, "Ani", "vip_30d")
    async with kit.uow() as work:
        work.session.add(PaymentMethod(code="bca", kind="bank", label="BCA", position=1))
        await work.commit()
    payments = PaymentService(kit.uow, kit.clock, ZONE, "id", group=CONFIG)
    [(_, vip)] = await kit.memberships(ani)
    kit.at(days=20)
    view = await payments.start_purchase(ANI, vip.plan_id)
    methods = await payments.methods()
    await payments.choose_method(ANI, view.id, methods[0].id)
    await payments.attach_proof(ANI, proof_file())
    kit.at(days=30, seconds=5)  # approved just after the expiry, before the job ran

    original = MembershipRepository.held
    armed = True

    async def held_then_expiry_job(self: MembershipRepository, member_id: int) -> Any:
        nonlocal armed
        found = await original(self, member_id)
        if armed:  # the approval has read the base; the job commits its expiry now
            armed = False
            assert await kit.lifecycle.expire_due() == 1
        return found

    monkeypatch.setattr(MembershipRepository, "held", held_then_expiry_job)
    await payments.approve(view.id, ADMIN)
    monkeypatch.undo()
    assert not armed
    rows = [m for _, m in await kit.memberships(ani)]
    assert any(m.status == MembershipStatus.ACTIVE for m in rows), [
        (m.status, m.expires_at) for m in rows
    ]
