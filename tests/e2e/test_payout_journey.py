"""End to end over HTTP: an admin finds a member by name and pays them out with buttons
only (/menu → 🔎 → the name → the card → 💸 Payout → all → BCA → no reference → yes);
the member is told and /balance shows it paid.

The member earns the balance the ordinary way first: VIP, a report, an admin's
validation (55% of Rp 100.000), and an earlier payout of Rp 10.000 by the typed command,
which is what makes BCA a method button."""

from __future__ import annotations

import re

import pytest

from tests.e2e.conftest import ADMIN_CHAT, RunningBot, reply
from tests.e2e.test_purchase_journey import button
from tests.kit.faketelegram import JSON, FakeTelegram
from tests.kit.images import receipt_jpeg

pytestmark = pytest.mark.e2e
WAIT = 60.0  # generous: two busy cores, a real process, HTTP both ways
ANI, OWNER, DEWI = 831, 832, 833


async def screen_with(core: FakeTelegram, message: JSON, label: str) -> JSON:
    """The console edits its screen in place: wait until `message` shows a button whose
    label contains `label` (that step's own button), and return the message as it is."""
    chat, message_id = message["chat"]["id"], message["message_id"]

    def shown() -> JSON | None:
        for sent in core.sent_to(chat):
            if sent["message_id"] == message_id and any(
                label in text for text, _ in core.buttons(sent)
            ):
                return sent
        return None

    return await core.wait_for(shown, WAIT, what=f"a button {label!r} on message {message_id}")


async def screen_saying(core: FakeTelegram, message: JSON, about: str) -> JSON:
    """Wait until `message` (edited in place) says `about`."""
    chat, message_id = message["chat"]["id"], message["message_id"]

    def shown() -> JSON | None:
        for sent in core.sent_to(chat):
            if sent["message_id"] == message_id and about in (sent.get("text") or ""):
                return sent
        return None

    return await core.wait_for(shown, WAIT, what=f"{about!r} on message {message_id}")


async def earn_a_balance(core: FakeTelegram, ani: JSON, dewi: JSON) -> None:
    """Ani becomes VIP, reports Rp 100.000 of commission, Dewi validates it (Ani's share
    Rp 55.000) and pays Rp 10.000 of it by the typed /payout (method BCA)."""
    granted = await reply(
        core,
        ADMIN_CHAT,
        lambda: core.group_text(ADMIN_CHAT, dewi, f"/grant {ANI} vip_lifetime paid by transfer"),
        "diberikan ke",
        WAIT,
    )
    assert "VIP" in granted["text"], granted["text"]
    await core.wait_for(
        lambda: any("VIP" in m.get("text", "") for m in core.sent_to(ANI)),
        WAIT,
        what="the membership notice",
    )
    steps = [
        ("/report", "video"),
        ("1", "link"),
        ("https://vt.tiktok.com/ZSpay1/", "views"),
        ("9.000", "order"),
        ("4", "penjualan"),
        ("500rb", "komisi"),
        ("Rp 100.000", "screenshot"),
    ]
    for text, expected in steps:
        before = {m["message_id"] for m in core.sent_to(ANI)}
        core.private_text(ani, text)
        await core.wait_for(
            lambda e=expected, b=before: any(
                e in m.get("text", "").lower()
                for m in core.sent_to(ANI)
                if m["message_id"] not in b
            ),
            WAIT,
            what=f"the question after {text!r}",
        )
    received = await reply(
        core, ANI, lambda: core.private_photo(ani, receipt_jpeg(4, 31)), "📸", WAIT
    )
    summary = await reply(
        core,
        ANI,
        lambda: core.press(ani, received, button(core, received, "Selesai")),
        "Ringkasan laporan",
        WAIT,
    )
    await reply(
        core,
        ANI,
        lambda: core.press(ani, summary, button(core, summary, "Kirim")),
        "terkirim",
        WAIT,
    )

    def card() -> JSON | None:
        cards = [m for m in core.sent_to(ADMIN_CHAT) if "#R1" in m.get("caption", "")]
        return cards[-1] if cards else None

    found = await core.wait_for(card, WAIT, what="the report card")
    told = await reply(
        core,
        ANI,
        lambda: core.press(dewi, found, button(core, found, "Validasi")),
        "divalidasi",
        WAIT,
    )
    assert "Rp 55.000" in told["text"], told["text"]
    paid = await reply(
        core,
        ADMIN_CHAT,
        lambda: core.group_text(ADMIN_CHAT, dewi, f"/payout {ANI} | 10rb | BCA | TRX-EARLY"),
        "tercatat",
        WAIT,
    )
    assert "Rp 10.000" in paid["text"], paid["text"]
    await core.wait_for(
        lambda: any("TRX-EARLY" in m.get("text", "") for m in core.sent_to(ANI)),
        WAIT,
        what="the first payout's notice",
    )


async def test_an_admin_finds_a_member_by_name_and_pays_them_out_with_buttons_only(
    bot_process: RunningBot,
) -> None:
    core = bot_process.core
    owner = core.user(OWNER, "Owner")
    dewi = core.user(DEWI, "Dewi")
    core.make_group(ADMIN_CHAT, "Admin", creator=owner)
    core.set_member_status(ADMIN_CHAT, DEWI, "administrator")
    ani = core.user(ANI, "Ani Lestari", language_code="id")
    await reply(core, ANI, lambda: core.command(ani, "/start"), "Ani Lestari", WAIT)
    await earn_a_balance(core, ani, dewi)

    # The panel, 🔎, the name typed, the card: one member matches, so the card comes.
    panel = await reply(
        core, ADMIN_CHAT, lambda: core.group_text(ADMIN_CHAT, dewi, "/menu"), "Panel admin", WAIT
    )
    core.press(dewi, panel, button(core, panel, "Cari member"))
    await screen_saying(core, panel, "Ketik nama")
    card = await reply(
        core,
        ADMIN_CHAT,
        lambda: core.group_text(ADMIN_CHAT, dewi, "lestari"),
        "👤 Ani Lestari",
        WAIT,
    )
    assert "saldo Rp 45.000" in card["text"], card["text"]

    # 💸 Payout → all → BCA (remembered) → no reference → the confirmation names it all.
    core.press(dewi, card, button(core, card, "Payout"))
    amount = await screen_with(core, card, "Semua")
    assert "Rp 45.000" in button_text(core, amount, "Semua")
    core.press(dewi, amount, button(core, amount, "Semua"))
    method = await screen_with(core, card, "BCA")
    core.press(dewi, method, button(core, method, "BCA"))
    reference = await screen_with(core, card, "Tanpa referensi")
    core.press(dewi, reference, button(core, reference, "Tanpa referensi"))
    confirm = await screen_with(core, card, "Ya, bayar")
    assert "Rp 45.000" in confirm["text"] and "BCA" in confirm["text"], confirm["text"]
    assert "Ani Lestari" in confirm["text"]

    told = await reply(
        core, ANI, lambda: core.press(dewi, confirm, button(core, confirm, "Ya, bayar")),
        "Rp 45.000", WAIT,
    )  # fmt: skip
    assert "BCA" in told["text"], told["text"]
    done = await screen_saying(core, card, "tercatat")
    assert "Rp 45.000" in done["text"] and "Ani Lestari" in done["text"], done["text"]

    # ⬅️ Kartu member → 💰 Saldo: nothing left, and both payouts listed, newest first.
    core.press(dewi, done, button(core, done, "Kartu member"))
    again = await screen_with(core, card, "Saldo")
    core.press(dewi, again, button(core, again, "Saldo"))
    ledger = await screen_saying(core, card, "💸 Payout: 2, terbaru dulu:")
    payouts = [line for line in ledger["text"].split("\n") if line.startswith("• ")]
    assert [line.split(" · ", 1)[1] for line in payouts] == [
        "Rp 45.000 · BCA · ref - (#2)",
        "Rp 10.000 · BCA · ref TRX-EARLY (#1)",
    ], ledger["text"]
    assert "Tersedia: Rp 0" in ledger["text"], ledger["text"]

    balance = await reply(core, ANI, lambda: core.command(ani, "/balance"), "Komisi", WAIT)
    assert re.search(r"dibayar\D*Rp 55\.000", balance["text"]), balance["text"]
    assert re.search(r"dicairkan\D*Rp 0\b", balance["text"]), balance["text"]


def button_text(core: FakeTelegram, message: JSON, label: str) -> str:
    for text, _ in core.buttons(message):
        if label in text:
            return text
    raise AssertionError(f"no button {label!r} in {core.buttons(message)}")
