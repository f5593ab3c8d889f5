"""What a member reads and taps around buying, approvals and renewals (issue 15, part 6):
short screens, one message per change, and a button for the next step."""

from __future__ import annotations

from bot.jobs import run_lifecycle
from kernel.actor import Actor
from kernel.admin_input import MemberRef
from tests.handlers.conftest import BotUnderTest
from tests.handlers.groupkit import GROUP, group_app, invite_url, join, settle
from tests.handlers.shopkit import (
    add_method,
    add_plan,
    admin_group,
    cards,
    deliver,
    open_shop,
    payment_rows,
    send,
    start,
    submit_proof,
    tap,
    texts,
)
from tests.kit.faketelegram import JSON
from tests.kit.images import receipt_jpeg
from tests.kit.units_of_work import counting_handlers

__all__ = ["group_app"]

ANI = 601
OWNER = Actor(1, "Owner")

BASIC_FACILITIES = "Materi membuat konten dengan AI"
VIP_FACILITIES = "Semua fasilitas Basic"


def labels(app: BotUnderTest, message: JSON) -> list[str]:
    return [text for text, _ in app.core.buttons(message)]


async def approve_latest(app: BotUnderTest) -> None:
    """Dewi approves the newest payment card; the outbox delivers what follows."""
    people = admin_group(app)
    answer = await tap(app, people["admin"], cards(app)[-1], "Setujui")
    assert answer["text"].startswith("Disetujui."), answer
    await deliver(app)


async def test_the_catalog_shows_each_tiers_facilities_once_with_its_plans_under_it(
    app: BotUnderTest,
) -> None:
    await add_method(app)
    await add_plan(app, "vip_30", "vip", 30, 500_000, 30)
    await add_plan(app, "vip_180", "vip", 180, 1_500_000, 40)
    ani = await start(app, ANI, "Ani")

    catalog = await open_shop(app, ani)

    text = catalog["text"]
    assert text.count(VIP_FACILITIES) == 1
    assert text.count(BASIC_FACILITIES) == 1
    vip_part = text[text.index(VIP_FACILITIES) :]
    assert "• VIP 30 hari — Rp 500.000" in vip_part
    assert "• VIP 180 hari — Rp 1.500.000" in vip_part
    assert "• VIP Seumur Hidup — Rp 299.000" in vip_part
    assert "VIP 30 hari — Rp 500.000" in labels(app, catalog)


async def test_with_one_payment_method_continue_to_pay_goes_straight_to_where_to_pay(
    app: BotUnderTest,
) -> None:
    await add_method(app)
    ani = await start(app, ANI, "Ani")
    catalog = await open_shop(app, ani)
    await tap(app, ani, catalog, "Basic")
    quote = app.core.last_sent(ANI)
    assert quote is not None

    opened = counting_handlers(app.container)
    await tap(app, ani, quote, "Lanjut bayar")
    assert opened.opened == 1  # the request and its only method, in one unit of work

    shown = texts(app, ANI)
    assert not any("Pilih metode pembayaran" in t for t in shown)
    pay = app.core.last_sent(ANI)
    assert pay is not None
    assert "Transfer tepat Rp 97.000 ke:" in pay["text"]
    assert "BCA" in pay["text"] and "1234567890" in pay["text"]
    assert labels(app, pay) == ["✖️ Batalkan pembayaran"]  # nothing to change to
    (row,) = await payment_rows(app)
    assert row.method_id is not None and row.status == "awaiting_proof"


async def test_with_two_payment_methods_the_member_still_chooses(app: BotUnderTest) -> None:
    await add_method(app)
    await add_method(app, "DANA", number="0812000111")
    ani = await start(app, ANI, "Ani")
    catalog = await open_shop(app, ani)
    await tap(app, ani, catalog, "Basic")
    quote = app.core.last_sent(ANI)
    assert quote is not None

    await tap(app, ani, quote, "Lanjut bayar")

    methods = app.core.last_sent(ANI)
    assert methods is not None and "Pilih metode pembayaran" in methods["text"]
    assert labels(app, methods) == ["BCA", "DANA", "✖️ Batalkan pembayaran"]


async def test_a_member_on_a_temporal_vip_is_nudged_to_renew_and_the_button_opens_the_quote(
    app: BotUnderTest,
) -> None:
    admin_group(app)
    await add_method(app)
    await add_plan(app, "vip_30", "vip", 30, 500_000, 30)
    ani = await start(app, ANI, "Ani")
    await submit_proof(app, ani, receipt_jpeg(0, 1), "VIP 30")
    await approve_latest(app)
    app.container.clock.advance(days=20)  # type: ignore[attr-defined]

    await send(app, app.core.command(ani, "/me"))
    me = app.core.last_sent(ANI)
    assert me is not None
    assert "tingkat tertinggi" not in me["text"]
    assert "Perpanjang VIP kamu sebelum habis: sisa harinya tidak hilang." in me["text"]
    assert "🔄 Perpanjang VIP 30 hari" in labels(app, me)

    await tap(app, ani, me, "Perpanjang VIP 30 hari")
    quote = app.core.last_sent(ANI)
    assert quote is not None
    assert quote["text"].startswith("VIP 30 hari")
    assert "Perpanjangan: Rp 500.000" in quote["text"]
    assert "✅ Lanjut bayar Rp 500.000" in labels(app, quote)

    # The shop says the same: the plan they hold is offered as a renewal.
    catalog = await open_shop(app, ani)
    assert "• VIP 30 hari — perpanjang Rp 500.000" in catalog["text"]
    assert "🔄 Perpanjang VIP 30 hari — Rp 500.000" in labels(app, catalog)


async def test_a_lifetime_vip_is_still_told_they_are_on_the_highest_tier(
    app: BotUnderTest,
) -> None:
    admin_group(app)
    await add_method(app)
    ani = await start(app, ANI, "Ani")
    await submit_proof(app, ani, receipt_jpeg(0, 1), "VIP")
    await approve_latest(app)

    await send(app, app.core.command(ani, "/me"))
    me = app.core.last_sent(ANI)
    assert me is not None
    assert "Kamu sudah di tingkat tertinggi." in me["text"]
    assert not any("Perpanjang" in label for label in labels(app, me))


async def test_the_renew_button_of_a_reminder_opens_that_plans_renewal_quote(
    app: BotUnderTest,
) -> None:
    await app.container.catalog.add_plan("vip", 30, 150_000, OWNER)
    await add_method(app)
    ani = await start(app, ANI, "Ani")
    await app.container.memberships.grant(MemberRef(telegram_id=ANI), "vip_30d", "t", OWNER)
    await deliver(app)
    app.container.clock.advance(days=27, minutes=1)  # type: ignore[attr-defined]
    assert await run_lifecycle(app.container) == (0, 1)
    await deliver(app)
    reminder = app.core.last_sent(ANI)
    assert reminder is not None and "tinggal sekitar" in reminder["text"]

    await tap(app, ani, reminder, "Perpanjang paket")

    quote = app.core.last_sent(ANI)
    assert quote is not None
    assert quote["text"].startswith("VIP 30 hari")
    assert "Perpanjangan: Rp 150.000" in quote["text"]
    assert "tidak hilang" in quote["text"]
    assert labels(app, quote) == ["✅ Lanjut bayar Rp 150.000", "⬅️ Kembali"]


async def test_an_approval_ends_with_a_menu_button_instead_of_typing_start(
    app: BotUnderTest,
) -> None:
    admin_group(app)
    await add_method(app)
    ani = await start(app, ANI, "Ani")
    await submit_proof(app, ani, receipt_jpeg(0, 1), "Basic")

    await approve_latest(app)

    approved = app.core.last_sent(ANI)
    assert approved is not None
    assert approved["text"] == (
        "✅ Pembayaran #1 disetujui!\n"
        "Kamu sekarang anggota Basic Seumur Hidup, berlaku seumur hidup."
    )
    assert labels(app, approved) == ["🏠 Menu utama"]
    await tap(app, ani, approved, "Menu utama")
    menu = app.core.last_sent(ANI)
    assert menu is not None and menu["text"].startswith("Menu utama")


async def test_a_grant_ends_with_a_menu_button_in_the_members_language(
    app: BotUnderTest,
) -> None:
    await start(app, ANI, "Ann", language="en")
    await app.container.memberships.grant(
        MemberRef(telegram_id=ANI), "basic_lifetime", "paid cash", OWNER
    )
    await deliver(app)

    granted = app.core.last_sent(ANI)
    assert granted is not None
    assert granted["text"] == (
        "🎁 You are now a Basic Lifetime member, for life (activated by an admin)."
    )
    assert labels(app, granted) == ["🏠 Main menu"]


async def test_a_vip_approval_is_one_message_with_the_group_invite(
    group_app: BotUnderTest,
) -> None:
    app = group_app
    admin_group(app)
    await add_method(app)
    ani = await start(app, ANI, "Ani")
    await submit_proof(app, ani, receipt_jpeg(0, 1), "VIP")
    before = len(app.core.sent_to(ANI))

    await approve_latest(app)
    await settle(app)

    (told,) = app.core.sent_to(ANI)[before:]
    assert told["text"].startswith(
        "✅ Pembayaran #1 disetujui!\nKamu sekarang anggota VIP Seumur Hidup, berlaku seumur hidup."
    )
    assert "Ini undangan pribadimu ke grup diskusi VIP" in told["text"]
    assert told["reply_markup"]["inline_keyboard"][0][0]["url"] == invite_url(app, ani)
    await join(app, ani, invite_url(app, ani))
    assert app.core.member_status(GROUP, ANI) == "member"


async def test_a_vip_revocation_is_one_message_with_the_reason_and_what_was_lost(
    group_app: BotUnderTest,
) -> None:
    app = group_app
    ani = await start(app, ANI, "Ani")
    await app.container.memberships.grant(MemberRef(telegram_id=ANI), "vip_lifetime", "paid", OWNER)
    await settle(app)
    await join(app, ani, invite_url(app, ani))
    before = len(app.core.sent_to(ANI))

    await app.container.memberships.revoke(
        MemberRef(telegram_id=ANI), "vip_lifetime", "dana dikembalikan", OWNER
    )
    await settle(app)

    (told,) = app.core.sent_to(ANI)[before:]
    assert told["text"] == (
        "Keanggotaan VIP Seumur Hidup kamu dihentikan oleh admin.\n"
        "Alasan: dana dikembalikan\n"
        "Kamu juga dikeluarkan dari grup diskusi VIP.\n\n"
        "Ada pertanyaan? Tulis saja di sini."
    )
    assert labels(app, told) == ["🔄 Perpanjang / beli paket"]
    assert app.core.member_status(GROUP, ANI) == "left"


async def test_a_vip_approval_still_reaches_a_member_who_got_inside_before_the_invite(
    group_app: BotUnderTest,
) -> None:
    app = group_app
    admin_group(app)
    await add_method(app)
    ani = await start(app, ANI, "Ani")
    card = await submit_proof(app, ani, receipt_jpeg(0, 1), "VIP")
    before = len(app.core.sent_to(ANI))
    people = admin_group(app)
    await tap(app, people["admin"], card, "Setujui")
    # Seen inside the group before the invite's turn came: no link is made.
    await app.container.access.record_presence(GROUP, ANI, "member")

    await settle(app)

    (told,) = app.core.sent_to(ANI)[before:]
    assert told["text"] == (
        "✅ Pembayaran #1 disetujui!\nKamu sekarang anggota VIP Seumur Hidup, berlaku seumur hidup."
    )
    assert labels(app, told) == ["🏠 Menu utama"]
    assert app.core.calls_of("createChatInviteLink") == []
