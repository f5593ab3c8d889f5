"""End to end over HTTP: buy Basic with a photo, get approved, upgrade to VIP for Rp 202.000."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import ADMIN_CHAT, RunningBot, reply
from tests.kit.faketelegram import JSON, FakeTelegram
from tests.kit.images import receipt_jpeg

pytestmark = pytest.mark.e2e
WAIT = 20.0
ANI, OWNER, DEWI = 801, 802, 803


def button(core: FakeTelegram, message: JSON, label: str) -> str:
    for text, data in core.buttons(message):
        if label in text and data:
            return data
    raise AssertionError(f"no button {label!r} in {core.buttons(message)}")


async def test_basic_then_vip_through_the_real_process(bot_process: RunningBot) -> None:
    core = bot_process.core
    owner = core.user(OWNER, "Owner")
    dewi = core.user(DEWI, "Dewi")
    core.make_group(ADMIN_CHAT, "Admin", creator=owner)
    core.set_member_status(ADMIN_CHAT, DEWI, "administrator")
    ani = core.user(ANI, "Ani", language_code="id")

    # The owner sets up the bank account members pay to, in the admin group.
    added = await reply(
        core,
        ADMIN_CHAT,
        lambda: core.group_text(
            ADMIN_CHAT, owner, "/addmethod bank BCA | PT Kreator Nusantara | 1234567890"
        ),
        "Metode baru",
    )
    assert "BCA" in added["text"]

    core.command(ani, "/start")
    await core.wait_sent(ANI, count=2, timeout=WAIT)

    async def buy(plan_label: str, amount: str, photo: bytes) -> None:
        # Each step waits for its own answer: a notice of the previous approval may still
        # be on its way to Ani's chat.
        catalog = await reply(core, ANI, lambda: core.command(ani, "/buy"), "Paket yang bisa")
        quote = await reply(
            core, ANI, lambda: core.press(ani, catalog, button(core, catalog, plan_label)), "Harga"
        )
        assert f"Yang dibayar: {amount}" in quote["text"] or f"Harga: {amount}" in quote["text"]
        # The only payment method (BCA): "Lanjut bayar" goes straight to where to pay.
        pay = await reply(
            core,
            ANI,
            lambda: core.press(ani, quote, button(core, quote, f"Lanjut bayar {amount}")),
            "Transfer",
        )
        assert f"tepat {amount}" in pay["text"] and "1234567890" in pay["text"]
        receipt = await reply(core, ANI, lambda: core.private_photo(ani, photo), "Bukti")
        assert "Bukti diterima" in receipt["text"]

    async def approve(card_number: int) -> JSON:
        def card() -> JSON | None:
            cards = [m for m in core.sent_to(ADMIN_CHAT) if "caption" in m]
            return cards[card_number - 1] if len(cards) >= card_number else None

        found = await core.wait_for(card, WAIT, what=f"payment card {card_number}")
        told = await reply(
            core,
            ANI,
            lambda: core.press(dewi, found, button(core, found, "Setujui")),
            f"Pembayaran #{card_number}",
        )
        await core.wait_for(
            lambda: "Disetujui oleh Dewi" in (card() or {}).get("caption", ""), WAIT
        )
        return told

    await buy("Basic", "Rp 97.000", receipt_jpeg(0, 11))
    told = await approve(1)
    assert "Pembayaran #1 disetujui" in told["text"] and "Basic Seumur Hidup" in told["text"]

    await buy("VIP", "Rp 202.000", receipt_jpeg(2, 12))
    told = await approve(2)
    assert "VIP Seumur Hidup" in told["text"]

    me = await reply(core, ANI, lambda: core.command(ani, "/me"), "Keanggotaan kamu")
    assert "Tingkat: VIP" in me["text"]
    assert "Basic Seumur Hidup" not in me["text"]


async def test_admins_get_their_own_command_menu_in_the_admin_group(
    bot_process: RunningBot,
) -> None:
    calls = bot_process.core.calls_of("setMyCommands")
    admin_menus = [
        c
        for c in calls
        if c.params.get("scope", {}).get("chat_id") in (ADMIN_CHAT, str(ADMIN_CHAT))
    ]
    assert admin_menus, bot_process.log()
    names = [c["command"] for c in admin_menus[0].params["commands"]]
    assert names[:2] == ["menu", "pending"] and "setprice" in names
    assert all("pending" not in str(c.params["commands"]) for c in calls if c not in admin_menus)
