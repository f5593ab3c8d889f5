"""Who may be in the discussion group, on SQLite and PostgreSQL: invites follow VIP
access, everything is withdrawn when it ends (once), join requests are judged."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from domain.states import InviteStatus, ShopStatus
from kernel.actor import Actor
from kernel.admin_input import MemberRef
from services.access import AccessService, GroupConfig, JoinVerdict, set_presence
from services.members import MemberService, TelegramProfile
from storage.models import AffiliateAccount, AffiliateAssignment, GroupInvite, OutboxMessage
from storage.uow import UnitOfWorkFactory
from tests.kit.admin_tools import AdminTools
from tests.kit.clock import FrozenClock

ZONE = ZoneInfo("Asia/Jakarta")
GROUP, ADMIN_CHAT = -100555, -100777
OWNER = Actor(9001, "Owner")
ANI, BUDI = 1001, 1002


@dataclass
class Setup:
    uow: UnitOfWorkFactory
    clock: FrozenClock
    members: MemberService
    tools: AdminTools
    access: AccessService

    async def join(self, telegram_id: int, name: str, *plans: str) -> int:
        await self.members.register(TelegramProfile(telegram_id, name), None)
        for plan in plans:
            await self.grant(telegram_id, plan)
        async with self.uow() as work:
            member = await work.members.by_telegram_id(telegram_id)
            assert member is not None
            return member.id

    async def grant(self, telegram_id: int, plan: str) -> None:
        await self.tools.grant(MemberRef(telegram_id=telegram_id), plan, "test", OWNER)

    async def revoke(self, telegram_id: int, plan: str) -> None:
        await self.tools.revoke(MemberRef(telegram_id=telegram_id), plan, "test", OWNER)

    async def rows(
        self, kind: str | None = None, chat_id: int | None = None
    ) -> list[OutboxMessage]:
        query = select(OutboxMessage).order_by(OutboxMessage.id)
        if kind is not None:
            query = query.where(OutboxMessage.kind == kind)
        if chat_id is not None:
            query = query.where(OutboxMessage.chat_id == chat_id)
        async with self.uow() as work:
            return list((await work.session.execute(query)).scalars())

    async def inside(self, telegram_id: int) -> None:
        async with self.uow() as work:
            await set_presence(work, GROUP, telegram_id, "member", self.clock.now())
            await work.commit()

    async def issue(self, member_id: int, link: str, hours: int = 24) -> int:
        async with self.uow() as work:
            row = GroupInvite(
                member_id=member_id,
                invite_link=link,
                status=InviteStatus.ISSUED,
                created_at=self.clock.now(),
                expires_at=self.clock.now() + timedelta(hours=hours),
            )
            work.session.add(row)
            await work.session.flush()
            invite_id = row.id
            await work.commit()
            return invite_id

    async def give_account(self, member_id: int, username: str = "ani_shop") -> int:
        async with self.uow() as work:
            account = AffiliateAccount(
                tiktok_username=username,
                shop_status=ShopStatus.ACTIVE,
                holder_member_id=member_id,
                assigned_at=self.clock.now(),
                created_at=self.clock.now(),
            )
            work.session.add(account)
            await work.session.flush()
            work.session.add(
                AffiliateAssignment(
                    account_id=account.id, member_id=member_id, assigned_at=self.clock.now()
                )
            )
            account_id = account.id
            await work.commit()
            return account_id


@pytest.fixture
def setup(uow: UnitOfWorkFactory, clock: FrozenClock) -> Setup:
    config = GroupConfig(GROUP, ADMIN_CHAT, "id", ZONE, renew_callback="menu:shop")
    return Setup(
        uow,
        clock,
        MemberService(uow, clock, "id"),
        AdminTools(uow, clock, ZONE, "id", group=config),
        AccessService(uow, clock, config),
    )


async def test_becoming_vip_queues_one_invite(setup: Setup) -> None:
    await setup.join(ANI, "Ani", "vip_lifetime")
    [invite] = await setup.rows("group_invite")
    assert invite.chat_id == ANI and invite.status == "pending"
    status = await setup.access.status(ANI)
    assert status.has_access and not status.inside and status.invite_queued


async def test_a_basic_member_gets_no_invite(setup: Setup) -> None:
    await setup.join(ANI, "Ani", "basic_lifetime")
    assert await setup.rows("group_invite") == []
    assert not (await setup.access.status(ANI)).has_access


async def test_someone_already_inside_gets_no_invite(setup: Setup) -> None:
    await setup.members.register(TelegramProfile(ANI, "Ani"), None)
    await setup.inside(ANI)
    await setup.grant(ANI, "vip_lifetime")
    assert await setup.rows("group_invite") == []


async def test_revoking_vip_withdraws_everything_once(setup: Setup) -> None:
    member_id = await setup.join(ANI, "Ani", "vip_lifetime")
    await setup.inside(ANI)
    await setup.issue(member_id, "https://t.me/+old")
    account_id = await setup.give_account(member_id)
    await setup.revoke(ANI, "vip_lifetime")

    [removal] = await setup.rows("group_remove")
    assert removal.chat_id == ANI and removal.member_id == member_id
    [revoke] = await setup.rows("revoke_link")
    assert revoke.params == {"link": "https://t.me/+old"}
    # One message: the revocation, with what it took away.
    [told] = [r for r in await setup.rows("message", ANI) if "revoked" in r.text_key]
    assert told.text_key == "tools.notice_revoked_access"
    assert told.params["access"] == {
        "key": "access.lost_removed_with_account",
        "params": {"username": "ani_shop"},
    }
    assert told.buttons is not None
    assert not [r for r in await setup.rows("message", ANI) if r.text_key.startswith("access.")]
    alerts = await setup.rows("message", ADMIN_CHAT)
    assert [r.text_key for r in alerts] == ["access.account_returned"]
    async with setup.uow() as work:
        account = await work.session.get(AffiliateAccount, account_id)
        assert account is not None and account.holder_member_id is None
        closed = await work.session.execute(
            select(AffiliateAssignment.unassign_reason).where(
                AffiliateAssignment.account_id == account_id
            )
        )
        assert closed.scalar_one() == "revoked"
        invite = (await work.session.execute(select(GroupInvite))).scalar_one()
        assert invite.status == InviteStatus.REVOKED

    # Nothing is left to withdraw: a second sync (another change) adds nothing.
    before = len(await setup.rows())
    await setup.grant(ANI, "basic_lifetime")
    assert len(await setup.rows()) == before + 1  # only the grant notice


async def test_losing_vip_but_keeping_basic_still_removes(setup: Setup) -> None:
    await setup.join(ANI, "Ani", "basic_lifetime", "vip_lifetime")
    await setup.inside(ANI)
    await setup.revoke(ANI, "vip_lifetime")
    assert len(await setup.rows("group_remove")) == 1
    status = await setup.access.status(ANI)
    assert not status.has_access


async def test_a_basic_member_losing_basic_hears_nothing_about_the_group(setup: Setup) -> None:
    await setup.join(ANI, "Ani", "basic_lifetime")
    await setup.revoke(ANI, "basic_lifetime")
    assert [r for r in await setup.rows() if r.text_key.startswith("access.")] == []


async def test_join_verdicts(setup: Setup, clock: FrozenClock) -> None:
    ani = await setup.join(ANI, "Ani", "vip_lifetime")
    await setup.join(BUDI, "Budi", "vip_lifetime")
    link = "https://t.me/+ani"
    invite_id = await setup.issue(ani, link)
    decide = setup.access.decide_join
    assert (await decide(-1, ANI, link)).verdict is JoinVerdict.NOT_OURS
    assert (await decide(GROUP, ANI, None)).verdict is JoinVerdict.NOT_OURS
    assert (await decide(GROUP, ANI, "https://t.me/+made-by-hand")).verdict is JoinVerdict.NOT_OURS
    assert (await decide(GROUP, BUDI, link)).verdict is JoinVerdict.NOT_HOLDER
    assert (await decide(GROUP, 4242, link)).verdict is JoinVerdict.NOT_HOLDER
    approved = await decide(GROUP, ANI, link)
    assert approved.verdict is JoinVerdict.APPROVE and approved.invite_id == invite_id
    assert await setup.access.joined(invite_id, ANI)
    assert not await setup.access.joined(invite_id, ANI)  # the same approval twice
    assert (await decide(GROUP, ANI, link)).verdict is JoinVerdict.USED
    assert len(await setup.rows("revoke_link")) == 1
    assert (await setup.access.status(ANI)).inside

    other = await setup.issue(ani, "https://t.me/+ani2", hours=1)
    clock.advance(hours=2)
    assert (await decide(GROUP, ANI, "https://t.me/+ani2")).verdict is JoinVerdict.EXPIRED
    assert other


async def test_a_holder_whose_vip_ended_is_declined(setup: Setup) -> None:
    ani = await setup.join(ANI, "Ani", "vip_lifetime")
    await setup.revoke(ANI, "vip_lifetime")
    # An invite issued by hand after the revocation (or a stale one): access decides.
    await setup.issue(ani, "https://t.me/+late")
    assert (await setup.access.decide_join(GROUP, ANI, "https://t.me/+late")).verdict is (
        JoinVerdict.NO_ACCESS
    )


async def test_reconcile_removes_outsiders_once_a_day_and_spares_admins(
    uow: UnitOfWorkFactory, clock: FrozenClock
) -> None:
    config = GroupConfig(GROUP, ADMIN_CHAT, "id", ZONE, exempt_ids=frozenset({9001}))
    setup = Setup(
        uow,
        clock,
        MemberService(uow, clock, "id"),
        AdminTools(uow, clock, ZONE, "id", group=config),
        AccessService(uow, clock, config),
    )
    await setup.join(ANI, "Ani", "vip_lifetime")
    await setup.join(BUDI, "Budi", "basic_lifetime")
    for telegram_id in (ANI, BUDI, 5555, 9001):
        await setup.inside(telegram_id)
    dry = await setup.access.reconcile(dry_run=True)
    assert sorted(t for t, _ in dry.outsiders) == [BUDI, 5555] and dry.queued == 0
    assert await setup.rows("group_remove") == []
    live = await setup.access.reconcile(dry_run=False)
    assert live.queued == 2
    again = await setup.access.reconcile(dry_run=False)
    assert again.queued == 0
    removals = await setup.rows("group_remove")
    assert sorted(r.chat_id for r in removals) == [BUDI, 5555]
    told = [r for r in await setup.rows("message", BUDI) if r.text_key.startswith("access.")]
    assert len(told) == 1
    async with uow() as work:
        count = await work.session.execute(
            select(func.count())
            .select_from(OutboxMessage)
            .where(OutboxMessage.chat_id == ADMIN_CHAT)
        )
        assert count.scalar_one() == 2  # one dry-run report, one removal report
    # The next night, removals still waiting (no rights yet) are not queued again.
    clock.advance(days=1)
    assert (await setup.access.reconcile(dry_run=False)).queued == 0
    assert len(await setup.rows("group_remove")) == 2


async def test_the_admins_read_about_the_member_not_a_message_meant_for_them(
    setup: Setup,
) -> None:
    from kernel.i18n import Translator

    member_id = await setup.join(ANI, "Dewi", "vip_lifetime")
    await setup.give_account(member_id)
    await setup.revoke(ANI, "vip_lifetime")

    [alert] = await setup.rows("message", ADMIN_CHAT)
    i18n = Translator.load()
    text = i18n.t(alert.text_key, "id", **alert.params)
    assert text.startswith("↩️ Akses VIP Dewi dicabut oleh admin, jadi akun TikTok")
    assert "kamu" not in text
    english = i18n.t(alert.text_key, "en", **alert.params)
    assert english.startswith("↩️ An admin revoked Dewi's VIP access, so TikTok account")
