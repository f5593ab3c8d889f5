"""The whole purchase journey in chat: buy Basic, get approved, upgrade to VIP."""

from __future__ import annotations

import asyncio

from sqlalchemy import func, select

from storage.models import Membership, OutboxMessage
from tests.handlers.conftest import BotUnderTest
from tests.handlers.shopkit import (
    add_method,
    admin_group,
    buy_until_payment_screen,
    cards,
    current,
    deliver,
    find_button,
    open_shop,
    send,
    start,
    tap,
    texts,
)
from tests.kit.faketelegram import JSON
from tests.kit.images import receipt_jpeg
from tests.kit.units_of_work import counting_handlers

ANI = 501


async def test_a_member_buys_basic_then_upgrades_to_vip_for_the_difference(
    app: BotUnderTest,
) -> None:
    people = admin_group(app)
    await add_method(app)
    ani = await start(app, ANI, "Ani")

    # The catalog: both plans with their facilities and prices.
    catalog = await open_shop(app, ani)
    assert "Basic Seumur Hidup" in catalog["text"] and "Rp 97.000" in catalog["text"]
    assert "VIP Seumur Hidup" in catalog["text"] and "Rp 299.000" in catalog["text"]
    assert "keranjang kuning" in catalog["text"]

    instructions = await buy_until_payment_screen(app, ani, "Basic")
    assert "tepat Rp 97.000" in instructions["text"]
    assert "1234567890" in instructions["text"] and "PT Kreator Nusantara" in instructions["text"]

    await send(app, app.core.private_photo(ani, receipt_jpeg(0, 1)))
    await deliver(app)  # the card and the confirmation leave through the outbox
    receipt = app.core.last_sent(ANI)
    assert receipt is not None and "Bukti diterima" in receipt["text"]
    assert "#1" in receipt["text"]

    (card,) = cards(app)
    assert "Pembayaran #1" in card["caption"]
    assert "Ani" in card["caption"] and f"id {ANI}" in card["caption"]
    assert "Basic Seumur Hidup" in card["caption"] and "Rp 97.000" in card["caption"]
    assert "BCA" in card["caption"] and "⚠️" not in card["caption"]
    assert [t for t, _ in app.core.buttons(card)] == ["✅ Setujui", "❌ Tolak", "👤 Member"]

    answer = await tap(app, people["admin"], card, "Setujui")
    assert "Disetujui" in answer["text"]
    edited = current(app, card)
    assert "Disetujui oleh Dewi" in edited["caption"]
    assert [t for t, _ in app.core.buttons(edited)] == ["👤 Member"]

    await deliver(app)
    approved = app.core.last_sent(ANI)
    assert approved is not None and "Pembayaran #1 disetujui" in approved["text"]
    assert "Basic Seumur Hidup" in approved["text"]

    # The upgrade: quoted the difference, Rp 202.000, with its breakdown.
    catalog = await open_shop(app, ani)
    assert "Basic Seumur Hidup" not in catalog["text"]
    await tap(app, ani, catalog, "VIP")
    quote = app.core.last_sent(ANI)
    assert quote is not None
    assert "Rp 299.000" in quote["text"] and "−Rp 97.000" in quote["text"]
    assert "Yang dibayar: Rp 202.000" in quote["text"]
    await tap(app, ani, quote, "Lanjut bayar Rp 202.000")  # the only method: where to pay
    assert "tepat Rp 202.000" in app.core.last_sent(ANI)["text"]  # type: ignore[index]
    await send(app, app.core.private_photo(ani, receipt_jpeg(1, 2)))
    await deliver(app)
    second = cards(app)[-1]
    assert "Pembayaran #2" in second["caption"] and "Rp 202.000" in second["caption"]

    await tap(app, people["other"], second, "Setujui")
    await deliver(app)
    assert "VIP Seumur Hidup" in app.core.last_sent(ANI)["text"]  # type: ignore[index]

    await send(app, app.core.command(ani, "/me"))
    me = app.core.last_sent(ANI)
    assert me is not None
    assert "Tingkat: VIP" in me["text"]
    assert "VIP Seumur Hidup — seumur hidup" in me["text"]
    assert "Basic Seumur Hidup" not in me["text"]  # upgraded, no longer held


async def test_ten_approve_taps_from_three_admins_change_the_membership_once(
    app: BotUnderTest,
) -> None:
    people = admin_group(app)
    await add_method(app)
    ani = await start(app, ANI, "Ani")
    await buy_until_payment_screen(app, ani, "Basic")
    await send(app, app.core.private_photo(ani, receipt_jpeg(0, 3)))
    await deliver(app)
    (card,) = cards(app)
    data = find_button(app, card, "Setujui")
    tappers = [people["admin"], people["other"], people["owner"]]
    updates = [app.core.press(tappers[i % 3], card, data) for i in range(10)]
    await asyncio.gather(*(app.send(u) for u in updates))

    answers = [app.core.callback_answers[u["callback_query"]["id"]] for u in updates]
    assert sum(1 for a in answers if a.get("text", "").startswith("Disetujui.")) == 1
    late = [a for a in answers if not a.get("text", "").startswith("Disetujui.")]
    assert len(late) == 9
    assert all("Sudah disetujui oleh" in a["text"] and a.get("show_alert") for a in late)
    async with app.container.uow() as work:
        count = await work.session.execute(select(func.count(Membership.id)))
        assert count.scalar_one() == 1
        told = await work.session.execute(
            select(OutboxMessage.text_key).where(OutboxMessage.chat_id == ANI)
        )
        # "Proof received" when the photo came, then the approval told once.
        keys = list(told.scalars())
        assert keys.count("proof.received") == 1
        assert [key for key in keys if key.startswith("payment.approved")] == [
            "payment.approved_lifetime"
        ]
        assert len(keys) == 2
    assert "Disetujui oleh" in current(app, card)["caption"]


async def test_each_step_of_buying_is_one_unit_of_work(app: BotUnderTest) -> None:
    """What one tap shows is read (and changed) in ONE transaction; only a proof photo
    takes two, on purpose: its request is checked before the image is downloaded."""
    await add_method(app)
    await add_method(app, "DANA", number="0812000111")
    ani = await start(app, ANI, "Ani")
    opened = counting_handlers(app.container)

    async def step(update: JSON) -> int:
        opened.opened = 0
        await send(app, update)
        return opened.opened

    catalog = await open_shop(app, ani)
    assert opened.opened == 1
    assert await step(app.core.press(ani, catalog, find_button(app, catalog, "Basic"))) == 1
    quote = app.core.last_sent(ANI)
    assert quote is not None
    pay = find_button(app, quote, "Lanjut bayar")
    assert await step(app.core.press(ani, quote, pay)) == 1
    methods = app.core.last_sent(ANI)
    assert methods is not None and "Pilih metode pembayaran" in methods["text"]
    assert await step(app.core.command(ani, "/me")) == 1
    assert "Langkah berikutnya: pilih metode pembayaran." in texts(app, ANI)[-1]
    # Pay again while the request waits for its method: the request and the methods.
    assert await step(app.core.press(ani, quote, pay)) == 1
    assert "Kamu masih punya pembayaran yang terbuka: #1" in texts(app, ANI)[-2]
    assert "Pilih metode pembayaran" in texts(app, ANI)[-1]
    assert await step(app.core.press(ani, methods, find_button(app, methods, "BCA"))) == 1
    instructions = app.core.last_sent(ANI)
    assert instructions is not None and "tepat Rp 97.000" in instructions["text"]
    change = find_button(app, instructions, "Ganti metode")
    assert await step(app.core.press(ani, instructions, change)) == 1
    assert "Pilih metode pembayaran" in texts(app, ANI)[-1]
    assert await step(app.core.private_photo(ani, receipt_jpeg(0, 4))) == 2
    await deliver(app)
    assert "Bukti diterima" in texts(app, ANI)[-1]
