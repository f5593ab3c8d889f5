"""End to end over HTTP: a VIP with a leader reports Rp 100.000 of commission, an admin
validates it, the member is told Rp 55.000 and the leader Rp 5.000; then a payout."""

from __future__ import annotations

import re

import pytest

from tests.e2e.conftest import ADMIN_CHAT, RunningBot, reply
from tests.e2e.test_purchase_journey import button
from tests.kit.faketelegram import JSON
from tests.kit.images import receipt_jpeg

pytestmark = pytest.mark.e2e
WAIT = 20.0
ANI, LINA, OWNER, DEWI = 811, 812, 813, 814


async def test_a_vip_with_a_leader_reports_and_both_are_paid_their_share(
    bot_process: RunningBot,
) -> None:
    core = bot_process.core
    owner = core.user(OWNER, "Owner")
    dewi = core.user(DEWI, "Dewi")
    core.make_group(ADMIN_CHAT, "Admin", creator=owner)
    core.set_member_status(ADMIN_CHAT, DEWI, "administrator")
    lina = core.user(LINA, "Lina", language_code="id")
    ani = core.user(ANI, "Ani", language_code="id")

    # Lina is a VIP and shares her invitation link; Ani joins through it.
    core.command(lina, "/start")
    await core.wait_sent(LINA, count=2, timeout=WAIT)
    team = await reply(core, LINA, lambda: core.command(lina, "/team"), "ref_")
    code = re.search(r"start=ref_([A-Z0-9]+)", team["text"])
    assert code is not None, team["text"]
    core.command(ani, f"/start ref_{code.group(1)}")
    await core.wait_sent(ANI, count=2, timeout=WAIT)
    await core.wait_for(
        lambda: any("Ani" in m.get("text", "") for m in core.sent_to(LINA)[2:]), WAIT
    )
    for telegram_id in (LINA, ANI):
        granted = await reply(
            core,
            ADMIN_CHAT,
            lambda t=telegram_id: core.group_text(
                ADMIN_CHAT, dewi, f"/grant {t} vip_lifetime paid by transfer"
            ),
            "diberikan ke",
        )
        assert "VIP" in granted["text"], granted["text"]

    for telegram_id in (LINA, ANI):
        await core.wait_for(
            lambda t=telegram_id: any("VIP" in m.get("text", "") for m in core.sent_to(t)),
            WAIT,
            what="the membership notice",
        )

    # Ani writes today's report.
    steps = [
        ("/report", "video"),
        ("2", "link"),
        ("https://vt.tiktok.com/ZSa1/\nhttps://vt.tiktok.com/ZSb2/", "views"),
        ("12.500", "order"),
        ("7", "penjualan"),
        ("850rb", "komisi"),
        ("Rp 100.000", "screenshot"),
    ]
    for text, expected in steps:
        before = len(core.sent_to(ANI))
        core.private_text(ani, text)
        await core.wait_for(
            lambda e=expected, b=before: any(
                e in m.get("text", "").lower() for m in core.sent_to(ANI)[b:]
            ),
            WAIT,
            what=f"the question after {text!r}",
        )
    received = await reply(core, ANI, lambda: core.private_photo(ani, receipt_jpeg(3, 21)), "📸")
    summary = await reply(
        core,
        ANI,
        lambda: core.press(ani, received, button(core, received, "Selesai")),
        "Ringkasan laporan",
    )
    assert "Rp 100.000" in summary["text"] and "Rp 850.000" in summary["text"]
    sent = await reply(
        core, ANI, lambda: core.press(ani, summary, button(core, summary, "Kirim")), "terkirim"
    )
    assert "terkirim" in sent["text"].lower() or "dikirim" in sent["text"].lower(), sent["text"]

    # Dewi validates the card in the admin group.
    def card() -> JSON | None:
        cards = [m for m in core.sent_to(ADMIN_CHAT) if "#R1" in m.get("caption", "")]
        return cards[-1] if cards else None

    found = await core.wait_for(card, WAIT, what="the report card")
    assert "Rp 100.000" in found["caption"] and "Ani" in found["caption"]
    lina_before = {m["message_id"] for m in core.sent_to(LINA)}
    told = await reply(
        core, ANI, lambda: core.press(dewi, found, button(core, found, "Validasi")), "divalidasi"
    )
    assert "Rp 55.000" in told["text"], told["text"]
    leader = await core.wait_for(
        lambda: next(
            (
                m
                for m in core.sent_to(LINA)
                if m["message_id"] not in lina_before and "divalidasi" in m.get("text", "")
            ),
            None,
        ),
        WAIT,
        what="the leader's share",
    )
    assert "Rp 5.000" in leader["text"] and "Ani" in leader["text"], leader["text"]
    await core.wait_for(lambda: "Dewi" in (card() or {}).get("caption", "").split("#R1")[-1], WAIT)

    # The balance says so, and a payout of everything leaves nothing available.
    balance = await reply(core, ANI, lambda: core.command(ani, "/balance"), "Komisi & saldo")
    assert "Rp 55.000" in balance["text"]
    paid = await reply(
        core,
        ADMIN_CHAT,
        lambda: core.group_text(ADMIN_CHAT, dewi, f"/payout {ANI} | semua | BCA | TRX-9"),
        "tercatat",
    )
    assert "Rp 55.000" in paid["text"], paid["text"]
    told = await core.wait_for(
        lambda: next((m for m in core.sent_to(ANI) if "TRX-9" in m.get("text", "")), None),
        WAIT,
        what="the payout message",
    )
    assert "Rp 55.000" in told["text"]
