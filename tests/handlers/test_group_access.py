"""VIP access to the discussion group, through real updates: the personal invite, join
requests by the right and the wrong person, removal when VIP ends, missing rights."""

from __future__ import annotations

import pytest

from bot.sending import SendLimits
from domain.states import InviteStatus
from kernel.actor import Actor
from kernel.admin_input import MemberRef
from tests.handlers.conftest import ADMIN_CHAT, BotUnderTest
from tests.handlers.groupkit import (
    GROUP,
    actions,
    feed_pending,
    group_app,
    invite_url,
    invites,
    join,
    make_group_app,
    settle,
)
from tests.handlers.reviewkit import vip_member
from tests.handlers.shopkit import OWNER_ID, send, start, texts
from tests.kit.admin_tools import AdminTools
from tests.kit.clock import FrozenClock
from tests.kit.units_of_work import counting_handlers

__all__ = ["group_app"]

OWNER = Actor(OWNER_ID, "Owner")


async def test_a_new_vip_gets_a_personal_join_request_link(group_app: BotUnderTest) -> None:
    app = group_app
    ani = await vip_member(app, 501, "Ani")
    await settle(app)
    created = app.core.calls_of("createChatInviteLink")
    assert len(created) == 1
    params = created[0].params
    assert params["creates_join_request"] is True or params["creates_join_request"] == "true"
    assert "member_limit" not in params
    url = invite_url(app, ani)
    # The grant and the invite come as one message.
    told = texts(app, 501)[-1]
    assert "Kamu sekarang anggota VIP Seumur Hidup" in told
    assert "Ini undangan pribadimu ke grup diskusi VIP" in told
    assert not any("Kamu sekarang anggota" in t for t in texts(app, 501)[:-1])
    [row] = await invites(app)
    assert row.invite_link == url and row.status == InviteStatus.ISSUED
    # The link expires after INVITE_TTL_HOURS (24 by default).
    assert (row.expires_at - app.container.clock.now()).total_seconds() == 24 * 3600


async def test_the_holder_is_approved_and_the_link_is_revoked(group_app: BotUnderTest) -> None:
    app = group_app
    ani = await vip_member(app, 501, "Ani")
    await settle(app)
    url = invite_url(app, ani)
    await join(app, ani, url)
    assert app.core.member_status(GROUP, 501) == "member"
    assert "Kamu sudah masuk grup diskusi VIP" in texts(app, 501)[-1]
    [row] = await invites(app)
    assert row.status == InviteStatus.USED and row.used_at is not None
    await settle(app)
    revoked = app.core.calls_of("revokeChatInviteLink")
    assert [c.params["invite_link"] for c in revoked] == [url]


async def test_a_leaked_link_gets_someone_else_nowhere(group_app: BotUnderTest) -> None:
    app = group_app
    ani = await vip_member(app, 501, "Ani")
    budi = await start(app, 502, "Budi")
    await settle(app)
    url = invite_url(app, ani)
    await join(app, budi, url)
    assert app.core.member_status(GROUP, 502) != "member"
    assert app.core.calls_of("declineChatJoinRequest")
    assert "link undangan itu milik orang lain" in texts(app, 502)[-1]
    # The link still works for its holder.
    [row] = await invites(app)
    assert row.status == InviteStatus.ISSUED
    await join(app, ani, url)
    assert app.core.member_status(GROUP, 501) == "member"


async def test_another_vip_cannot_use_a_friends_link(group_app: BotUnderTest) -> None:
    app = group_app
    ani = await vip_member(app, 501, "Ani")
    citra = await vip_member(app, 503, "Citra")
    await settle(app)
    await join(app, citra, invite_url(app, ani))
    assert app.core.member_status(GROUP, 503) != "member"
    await join(app, citra, invite_url(app, citra))
    assert app.core.member_status(GROUP, 503) == "member"


async def test_a_stranger_without_a_bot_link_is_declined(group_app: BotUnderTest) -> None:
    app = group_app
    stranger = app.core.user(509, "Stranger", language_code="en")
    await send(app, app.core.join_request(GROUP, stranger))
    assert app.core.calls_of("declineChatJoinRequest")
    assert "only accepts requests through a personal invite" in texts(app, 509)[-1]


async def test_an_expired_link_is_declined_and_a_new_one_can_be_asked_for(
    group_app: BotUnderTest,
) -> None:
    app = group_app
    ani = await vip_member(app, 501, "Ani")
    await settle(app)
    url = invite_url(app, ani)
    app.container.clock.advance(hours=25)  # type: ignore[attr-defined]
    # Telegram itself refuses an expired link; a request already pending when it
    # expired still reaches the bot, which declines it.
    app.core.invite_links[url].obj.pop("expire_date", None)
    await join(app, ani, url)
    assert app.core.member_status(GROUP, 501) != "member"
    assert "sudah tidak berlaku" in texts(app, 501)[-1]
    status = await app.container.access.request_invite(501)
    assert status.invite_queued
    await settle(app)
    fresh = invite_url(app, ani)
    assert fresh != url
    await join(app, ani, fresh)
    assert app.core.member_status(GROUP, 501) == "member"


async def test_the_same_join_request_delivered_twice_joins_once(group_app: BotUnderTest) -> None:
    app = group_app
    ani = await vip_member(app, 501, "Ani")
    await settle(app)
    await feed_pending(app)
    update = app.core.join_via_link(ani, invite_url(app, ani))
    app.core.take_update(update["update_id"])
    await send(app, update)
    await send(app, update)
    assert len(app.core.calls_of("approveChatJoinRequest")) == 1
    welcome = [t for t in texts(app, 501) if "Kamu sudah masuk grup" in t]
    assert len(welcome) == 1
    assert not any("sudah pernah dipakai" in t for t in texts(app, 501))


async def test_revoking_vip_removes_the_member_and_tells_them(group_app: BotUnderTest) -> None:
    app = group_app
    ani = await vip_member(app, 501, "Ani")
    await settle(app)
    await join(app, ani, invite_url(app, ani))
    before = len(texts(app, 501))
    await app.container.memberships.revoke(
        MemberRef(telegram_id=501), "vip_lifetime", "refund", OWNER
    )
    await settle(app)
    assert [c.params["user_id"] for c in app.core.calls_of("banChatMember")] == [501]
    unban = app.core.calls_of("unbanChatMember")
    assert unban and unban[0].params.get("only_if_banned") in (True, "true")
    # Out, but not banned: they can come back after renewing.
    assert app.core.member_status(GROUP, 501) == "left"
    # One message: the revocation with its reason and what it took away.
    (told,) = texts(app, 501)[before:]
    assert "Keanggotaan VIP Seumur Hidup kamu dihentikan oleh admin.\nAlasan: refund" in told
    assert "Kamu juga dikeluarkan dari grup diskusi VIP." in told
    # Once removed, running the outbox again removes nobody a second time.
    await settle(app)
    assert len(app.core.calls_of("banChatMember")) == 1


async def test_a_renewal_before_the_removal_runs_cancels_it(group_app: BotUnderTest) -> None:
    app = group_app
    ani = await vip_member(app, 501, "Ani")
    await settle(app)
    await join(app, ani, invite_url(app, ani))
    tools = AdminTools.of(app.container)
    await tools.revoke(MemberRef(telegram_id=501), "vip_lifetime", "mistake", OWNER)
    await tools.grant(MemberRef(telegram_id=501), "vip_lifetime", "undo", OWNER)
    await settle(app)
    assert app.core.calls_of("banChatMember") == []
    assert app.core.member_status(GROUP, 501) == "member"
    [removal] = await actions(app, "group_remove")
    assert removal.status == "skipped"


async def test_a_member_who_never_joined_is_not_banned(group_app: BotUnderTest) -> None:
    app = group_app
    await vip_member(app, 501, "Ani")
    await settle(app)
    await app.container.memberships.revoke(
        MemberRef(telegram_id=501), "vip_lifetime", "refund", OWNER
    )
    await settle(app)
    assert app.core.calls_of("banChatMember") == []
    [row] = await invites(app)
    assert row.status == InviteStatus.REVOKED
    # The unused link is revoked at Telegram too, so it is useless if it leaked.
    assert len(app.core.calls_of("revokeChatInviteLink")) == 1


async def test_without_invite_rights_the_admins_are_alerted_once(
    db_url: str, clock: FrozenClock
) -> None:
    app = await make_group_app(db_url, clock, bot_rights={"can_invite_users": False})
    try:
        await vip_member(app, 501, "Ani")
        await vip_member(app, 502, "Budi")
        await settle(app)
        alerts = [t for t in texts(app, ADMIN_CHAT) if "Bot tidak bisa mengelola grup" in t]
        assert len(alerts) == 1
        assert "hak mengundang lewat link" in alerts[0]
        # The invites wait (retried later), nothing is lost.
        pending = [a for a in await actions(app, "group_invite") if a.status == "pending"]
        assert len(pending) == 2
        app.core.set_member_status(GROUP, app.core.bot_id, "administrator")
        clock.advance(minutes=5)
        await settle(app)
        made = [c for c in app.core.calls_of("createChatInviteLink") if c.error is None]
        assert len(made) == 2
    finally:
        await app.container.close()


async def test_without_ban_rights_a_removal_waits_and_admins_are_alerted(
    db_url: str, clock: FrozenClock
) -> None:
    app = await make_group_app(db_url, clock)
    try:
        ani = await vip_member(app, 501, "Ani")
        await settle(app)
        await join(app, ani, invite_url(app, ani))
        app.core.set_member_status(
            GROUP, app.core.bot_id, "administrator", can_restrict_members=False
        )
        await app.container.memberships.revoke(
            MemberRef(telegram_id=501), "vip_lifetime", "refund", OWNER
        )
        await settle(app)
        assert app.core.member_status(GROUP, 501) == "member"
        assert any("hak mengeluarkan" in t for t in texts(app, ADMIN_CHAT))
        [removal] = await actions(app, "group_remove")
        assert removal.status == "pending"
        app.core.set_member_status(GROUP, app.core.bot_id, "administrator")
        clock.advance(minutes=5)
        await settle(app)
        assert app.core.member_status(GROUP, 501) == "left"
    finally:
        await app.container.close()


@pytest.mark.parametrize("missing", ["can_invite_users", "can_restrict_members"])
async def test_the_rights_check_names_what_is_missing(
    db_url: str, clock: FrozenClock, missing: str
) -> None:

    app = await make_group_app(db_url, clock, bot_rights={missing: False})
    try:
        found = await app.container.group_actions.check_rights()
        assert found == [
            "access.right_invite" if missing == "can_invite_users" else "access.right_restrict"
        ]
        await app.container.group_actions.check_rights()
        await settle(app)
        assert len([t for t in texts(app, ADMIN_CHAT) if "Yang kurang" in t]) == 1
    finally:
        await app.container.close()


async def test_join_requests_to_other_chats_are_left_alone(group_app: BotUnderTest) -> None:
    app = group_app
    ani = app.core.user(501, "Ani")
    other = -100888
    app.core.make_group(other, "Other")
    await send(app, app.core.join_request(other, ani))
    assert app.core.calls_of("approveChatJoinRequest") == []
    assert app.core.calls_of("declineChatJoinRequest") == []


async def test_an_approved_vip_payment_brings_the_invite(group_app: BotUnderTest) -> None:
    from tests.handlers.shopkit import add_method, submit_proof, tap
    from tests.kit.images import receipt_jpeg

    app = group_app
    await add_method(app)
    ani = await start(app, 501, "Ani")
    card = await submit_proof(app, ani, receipt_jpeg(1, 1), plan_label="VIP")
    dewi = app.core.user(7002, "Dewi")
    await tap(app, dewi, card, "Setujui")
    await settle(app)
    url = invite_url(app, ani)
    await join(app, ani, url)
    assert app.core.member_status(GROUP, 501) == "member"


async def me(app: BotUnderTest, user: dict[str, object]) -> dict[str, object]:
    await send(app, app.core.command(user, "/me"))
    shown = app.core.last_sent(int(user["id"]))  # type: ignore[arg-type]
    assert shown is not None
    return shown


async def test_the_vip_dashboard_shows_group_account_cart_and_commission(
    db_url: str, clock: FrozenClock
) -> None:
    from cryptography.fernet import Fernet

    app = await make_group_app(db_url, clock, CREDENTIALS_KEYS=Fernet.generate_key().decode())
    try:
        ani = await vip_member(app, 501, "Ani")
        await settle(app)
        shown = await me(app, ani)
        assert "Dashboard VIP" in shown["text"]
        assert "Undanganmu siap, berlaku sampai 11 Jan 2026" in shown["text"]
        assert any(b.get("url") for row in shown["reply_markup"]["inline_keyboard"] for b in row)
        await join(app, ani, invite_url(app, ani))
        affiliates = app.container.affiliates
        new = affiliates.new_account(
            "ani_shop", shop_name="Toko Ani", credentials=affiliates.seal("ani@mail", "rahasia")
        )
        card = await affiliates.add(new, OWNER)
        await affiliates.assign(card.id, await member_id(app, 501), OWNER)
        await affiliates.set_cart_verified(card.id, True, OWNER)
        shown = await me(app, ani)
        text = shown["text"]
        assert "Grup diskusi: Kamu sudah di dalam grup. ✅" in text
        assert "@ani_shop · toko Toko Ani (aktif)" in text
        assert "Keranjang kuning: ✅ terverifikasi 10 Jan 2026" in text
        assert "Komisi kamu: Rp 0" in text
        labels = [b["text"] for row in shown["reply_markup"]["inline_keyboard"] for b in row]
        assert "🔑 Lihat login akun TikTok" in labels
        assert "👥 Minta undangan grup" not in labels
        assert "rahasia" not in text
    finally:
        await app.container.close()


async def member_id(app: BotUnderTest, telegram_id: int) -> int:
    async with app.container.uow() as work:
        member = await work.members.by_telegram_id(telegram_id)
        assert member is not None
        return member.id


async def test_a_vip_who_left_asks_for_a_new_invite_from_me(group_app: BotUnderTest) -> None:
    from tests.handlers.shopkit import tap

    app = group_app
    ani = await vip_member(app, 501, "Ani")
    await settle(app)
    await join(app, ani, invite_url(app, ani))
    # Ani leaves the group on her own; Telegram tells the bot.
    await send(app, app.core.chat_member_update(GROUP, ani, "member", "left"))
    shown = await me(app, ani)
    assert "Kamu belum di grup" in shown["text"]
    answer = await tap(app, ani, shown, "Minta undangan grup")
    assert "Undangan sedang dikirim" in answer.get("text", "")
    await settle(app)
    fresh = invite_url(app, ani)
    await join(app, ani, fresh)
    assert app.core.member_status(GROUP, 501) == "member"
    # Asking again while inside changes nothing.
    answer = await tap(app, ani, shown, "Minta undangan grup")
    assert "sudah di dalam grup" in answer.get("text", "")


async def test_the_vip_dashboard_and_the_invite_tap_are_one_unit_of_work_each(
    group_app: BotUnderTest,
) -> None:
    from tests.handlers.shopkit import tap

    app = group_app
    ani = await vip_member(app, 501, "Ani")
    await settle(app)
    await join(app, ani, invite_url(app, ani))
    await send(app, app.core.chat_member_update(GROUP, ani, "member", "left"))
    opened = counting_handlers(app.container)
    shown = await me(app, ani)
    assert "Dashboard VIP" in shown["text"] and "Kamu belum di grup" in shown["text"]
    assert "Komisi kamu: Rp 0" in shown["text"]
    assert opened.opened == 1  # plans, open payment, group, account, balance: one read
    opened.opened = 0
    answer = await tap(app, ani, shown, "Minta undangan grup")
    assert "Undangan sedang dikirim" in answer.get("text", "")
    assert opened.opened == 1  # the check and the queued invite: one transaction
    assert len([a for a in await actions(app, "group_invite") if a.status == "pending"]) == 1


async def test_a_forged_invite_tap_from_a_basic_member_gets_nothing(
    group_app: BotUnderTest,
) -> None:
    from handlers.common.callbacks import GroupAction, GroupCallback
    from tests.handlers.shopkit import press

    app = group_app
    budi = await start(app, 502, "Budi")
    await send(app, app.core.command(budi, "/me"))
    shown = app.core.last_sent(502)
    assert shown is not None and "Dashboard VIP" not in shown["text"]
    data = GroupCallback(action=GroupAction.INVITE).pack()
    answer = await press(app, budi, shown, data, strict=False)
    assert "hanya untuk member VIP aktif" in answer.get("text", "")
    await settle(app)
    assert await actions(app, "group_invite") == []


# ----------------------------------------------------------- found in review (issue 5)


async def test_a_ban_whose_unban_failed_does_not_outlive_a_renewal(
    group_app: BotUnderTest, clock: FrozenClock
) -> None:
    app = group_app
    ani = await vip_member(app, 501, "Ani")
    await settle(app)
    await join(app, ani, invite_url(app, ani))
    tools = AdminTools.of(app.container)
    await tools.revoke(MemberRef(telegram_id=501), "vip_lifetime", "refund", OWNER)
    # Every try of the sending layer fails: the unban is left to the relay's next round.
    app.core.fail_next("unbanChatMember", 500, times=SendLimits().attempts)
    await app.container.relay.run_once()
    assert app.core.member_status(GROUP, 501) == "kicked"
    # Ani pays again before the retry: she must not stay banned.
    await tools.grant(MemberRef(telegram_id=501), "vip_lifetime", "paid again", OWNER)
    clock.advance(minutes=1)
    await settle(app)
    [removal] = await actions(app, "group_remove")
    assert removal.status == "skipped"
    assert app.core.member_status(GROUP, 501) == "left"
    await feed_pending(app)
    status = await app.container.access.request_invite(501)
    assert status.invite_queued
    await settle(app)
    await join(app, ani, invite_url(app, ani))
    assert app.core.member_status(GROUP, 501) == "member"


async def test_a_removal_that_keeps_failing_is_announced_once(
    group_app: BotUnderTest, clock: FrozenClock
) -> None:
    app = group_app
    ani = await vip_member(app, 501, "Ani")
    await settle(app)
    await join(app, ani, invite_url(app, ani))
    app.core.set_member_status(GROUP, app.core.bot_id, "administrator", can_restrict_members=False)
    await app.container.memberships.revoke(MemberRef(telegram_id=501), "vip_lifetime", "x", OWNER)

    async def retry_until_given_up() -> None:
        for _ in range(14):
            clock.advance(minutes=11)
            await settle(app)

    await retry_until_given_up()
    for _night in range(2):
        clock.advance(days=1)
        await app.container.access.reconcile(False)
        await retry_until_given_up()
    told = [t for t in texts(app, 501) if "dikeluarkan dari grup diskusi" in t]
    assert len(told) == 1
    assert app.core.member_status(GROUP, 501) == "member"  # still no right to ban


async def test_vip_ending_between_the_decision_and_the_approval_still_removes(
    group_app: BotUnderTest,
) -> None:
    app = group_app
    ani = await vip_member(app, 501, "Ani")
    await settle(app)
    url = invite_url(app, ani)
    await feed_pending(app)
    update = app.core.join_via_link(ani, url)
    app.core.take_update(update["update_id"])
    access = app.container.access
    decide = access.decide_join

    async def decide_then_revoke(*args: object) -> object:
        decision = await decide(*args)  # type: ignore[arg-type]
        await app.container.memberships.revoke(
            MemberRef(telegram_id=501), "vip_lifetime", "refund", OWNER
        )
        return decision

    access.decide_join = decide_then_revoke  # type: ignore[method-assign]
    await send(app, update)
    await settle(app)
    assert app.core.member_status(GROUP, 501) == "left"
    assert not any("Kamu sudah masuk grup" in t for t in texts(app, 501))


async def test_a_never_used_invite_is_not_called_a_removal(group_app: BotUnderTest) -> None:
    app = group_app
    await vip_member(app, 501, "Ani")
    await settle(app)
    await app.container.memberships.revoke(
        MemberRef(telegram_id=501), "vip_lifetime", "refund", OWNER
    )
    await settle(app)
    told = texts(app, 501)[-1]
    assert "Link undangan grup diskusi VIP tidak berlaku lagi." in told
    assert "dikeluarkan" not in told
