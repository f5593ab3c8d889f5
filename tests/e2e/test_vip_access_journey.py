"""End to end over HTTP: a member becomes VIP, joins the discussion group through their
personal invite, gets a TikTok account, the membership expires, the member is removed
and told, and the account is back in the pool.

A bot process cannot be handed a test clock, and nobody waits 30 days: the test moves
the membership's expiry into the past in the database (what time passing would do)
and the lifecycle job, running every second here, does the rest."""

from __future__ import annotations

import re
import sqlite3
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from cryptography.fernet import Fernet

from tests.e2e.conftest import ADMIN_CHAT, RunningBot, reply, start_bot
from tests.kit.faketelegram import JSON, FakeTelegram, group_document

pytestmark = pytest.mark.e2e
WAIT = 20.0
GROUP = -1009100
ANI, OWNER, DEWI = 821, 823, 824


@pytest.fixture
async def bot_process(tmp_path: Path) -> AsyncIterator[RunningBot]:
    env = {
        "THROTTLE_BURST": "1000",
        "DISCUSSION_CHAT_ID": str(GROUP),
        "LIFECYCLE_INTERVAL_SECONDS": "1",
        "CREDENTIALS_KEYS": Fernet.generate_key().decode(),
    }
    running = await start_bot(tmp_path, "polling", env)
    try:
        yield running
    finally:
        await running.stop()
        await running.server.stop()


def invite_url(core: FakeTelegram, chat: int) -> str | None:
    for message in reversed(core.sent_to(chat)):
        for row in (message.get("reply_markup") or {}).get("inline_keyboard", []):
            for button in row:
                if "url" in button:
                    return str(button["url"])
    return None


async def test_vip_joins_gets_an_account_expires_and_is_removed(
    bot_process: RunningBot, tmp_path: Path
) -> None:
    core = bot_process.core
    owner = core.user(OWNER, "Owner")
    dewi = core.user(DEWI, "Dewi")
    core.make_group(ADMIN_CHAT, "Admin", creator=owner)
    core.set_member_status(ADMIN_CHAT, DEWI, "administrator")
    core.make_group(GROUP, "VIP Diskusi")
    ani = core.user(ANI, "Ani", language_code="id")

    # The owner adds a 30-day VIP plan; Ani starts the bot and is granted it.
    added = await reply(
        core,
        ADMIN_CHAT,
        lambda: core.group_text(ADMIN_CHAT, owner, "/addplan vip 30 150rb"),
        "Paket baru",
    )
    code = re.search(r"<code>(vip_[a-z0-9_]+)</code>|\b(vip_\w+)\b", added["text"])
    assert code is not None, added["text"]
    plan_code = code.group(1) or code.group(2)
    core.command(ani, "/start")
    await core.wait_sent(ANI, count=2, timeout=WAIT)
    granted = await reply(
        core,
        ADMIN_CHAT,
        lambda: core.group_text(ADMIN_CHAT, dewi, f"/grant {ANI} {plan_code} paid by transfer"),
        "diberikan ke",
    )
    assert "Ani" in granted["text"], granted["text"]

    # The personal invite arrives; Ani asks to join through it and is let in.
    url = await core.wait_for(lambda: invite_url(core, ANI), WAIT, what="the invite")
    assert url is not None
    core.join_via_link(ani, url)
    await core.wait_for(
        lambda: core.member_status(GROUP, ANI) == "member", WAIT, what="the approval"
    )
    await core.wait_for(
        lambda: any("masuk grup diskusi" in m.get("text", "") for m in core.sent_to(ANI)),
        WAIT,
        what="the welcome",
    )
    await core.wait_calls("revokeChatInviteLink", timeout=WAIT)

    # An admin adds a TikTok account and assigns it to Ani.
    await assign_account(core, dewi)
    await core.wait_for(
        lambda: any("@ani_shop" in m.get("text", "") for m in core.sent_to(ANI)),
        WAIT,
        what="the account notice",
    )
    me = await reply(core, ANI, lambda: core.command(ani, "/me"), "Keanggotaan kamu")
    assert "@ani_shop" in me["text"] and "sudah di dalam grup" in me["text"], me["text"]

    # Thirty days pass: the membership's end is now in the past.
    past = (datetime.now(UTC) - timedelta(minutes=1)).isoformat(sep=" ")
    with sqlite3.connect(tmp_path / "bot.db") as db:
        db.execute("UPDATE memberships SET expires_at = ? WHERE status = 'active'", (past,))
    await core.wait_for(lambda: core.member_status(GROUP, ANI) == "left", WAIT, what="the removal")
    told = await core.wait_for(
        lambda: next(
            (m for m in core.sent_to(ANI) if "dikeluarkan dari grup" in m.get("text", "")),
            None,
        ),
        WAIT,
        what="the removal message",
    )
    assert "@ani_shop" in told["text"] and "habis" in told["text"], told["text"]
    # Removed, not banned: after renewing Ani may come back.
    assert core.member_status(GROUP, ANI) != "kicked"
    with sqlite3.connect(tmp_path / "bot.db") as db:
        holder, status = db.execute(
            "SELECT a.holder_member_id, m.status FROM affiliate_accounts a, memberships m"
        ).fetchone()
    assert holder is None and status == "expired"
    pool = await reply(
        core,
        ADMIN_CHAT,
        lambda: core.group_text(ADMIN_CHAT, dewi, "/accounts available"),
        "Akun affiliate",
    )
    assert "ani_shop" in pool["text"], pool["text"]


async def assign_account(core: FakeTelegram, admin: JSON) -> None:
    """Dewi imports one account from a CSV file and assigns it to Ani."""
    csv = (
        b"tiktok_username;shop_name;shop_status;yellow_cart;login;password\n"
        b"ani_shop;Toko Ani;active;ya;ani@mail.test;rahasia-123\n"
    )
    imported = await reply(
        core,
        ADMIN_CHAT,
        lambda: group_document(
            core, ADMIN_CHAT, admin, csv, "akun.csv", "text/csv", caption="/importaccounts"
        ),
        "diimpor",  # "1 akun diimpor" or "Tidak ada yang diimpor": the assert tells which
    )
    assert "1 akun diimpor" in imported["text"], imported["text"]
    assigned = await reply(
        core,
        ADMIN_CHAT,
        lambda: core.group_text(ADMIN_CHAT, admin, f"/assignaccount @ani_shop {ANI}"),
        "Akun @ani_shop",
    )
    assert "ani_shop" in assigned["text"] and "Ani" in assigned["text"], assigned["text"]
