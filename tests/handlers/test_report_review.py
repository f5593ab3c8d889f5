"""Report cards in the admin group: Validate, Adjust amount, Reject with a reason;
who may tap, forged and stale taps, races; /reports with "validate all" and a member's
history. Every test checks what the admins or the member read and what the database holds.
"""

from __future__ import annotations

import asyncio
import copy

import pytest

from kernel.actor import Actor
from kernel.admin_input import MemberRef
from tests.handlers.conftest import ADMIN_CHAT, BotUnderTest
from tests.handlers.reviewkit import (
    CARD_BUTTONS,
    NOT_FOUND,
    ONLY_ADMINS,
    REASON_BUTTONS,
    actions,
    command,
    commissions,
    member_id,
    report_rows,
    say,
    submit,
    vip_member,
)
from tests.handlers.shopkit import (
    OWNER_ID,
    admin_group,
    current,
    deliver,
    find_button,
    press,
    send,
    start,
    tap,
)
from tests.kit.faketelegram import JSON
from tests.kit.images import receipt_jpeg
from tests.kit.units_of_work import counting_handlers

ANI, BUDI, CITRA = 501, 502, 503


def labels(app: BotUnderTest, message: JSON) -> list[str]:
    return [text for text, _ in app.core.buttons(message)]


def snapshot(app: BotUnderTest, message: JSON) -> JSON:
    return copy.deepcopy(current(app, message))


def last_text(app: BotUnderTest, chat_id: int) -> str:
    sent = app.core.last_sent(chat_id)
    assert sent is not None
    return str(sent.get("text") or sent.get("caption") or "")


async def statuses(app: BotUnderTest) -> list[str]:
    return [str(r.status) for r in await report_rows(app)]


async def setup(app: BotUnderTest, commission: int = 100_000) -> tuple[dict[str, JSON], JSON, JSON]:
    """The admin group, Ani (VIP) and her report's card."""
    people = admin_group(app)
    ani = await vip_member(app, ANI, "Ani")
    card = await submit(app, ani, commission)
    return people, ani, card


# ---------------------------------------------------------------------- the card


async def test_the_card_shows_the_member_the_figures_and_three_buttons(app: BotUnderTest) -> None:
    admin_group(app)
    ani = await vip_member(app, ANI, "Ani")
    links = tuple(f"https://www.tiktok.com/@ani/video/{n:020d}" for n in range(7))
    card = await submit(app, ani, 100_000, shots=3, links=links)
    caption = card["caption"]
    assert caption.startswith("📊 Laporan harian #R1 · v1\n👤 Ani (-, id 501) · VIP\n")
    assert "🔗 www.tiktok.com/@ani/video/00000000000000000000\n" in caption
    assert "… dan 2 link lain" in caption
    assert "👁 12.500 views · 🛒 7 order · penjualan Rp 1.250.000" in caption
    assert caption.endswith("💵 Komisi diklaim: Rp 100.000")
    assert "photo" in card
    assert labels(app, card) == CARD_BUTTONS
    shots = [
        m["caption"] for m in app.core.sent_to(ADMIN_CHAT) if "screenshot" in m.get("caption", "")
    ]
    assert shots == ["📎 Laporan #R1: screenshot 2 dari 3", "📎 Laporan #R1: screenshot 3 dari 3"]


# ---------------------------------------------------------------------- validate


async def test_validate_pays_the_member_and_the_leader_and_closes_the_card(
    app: BotUnderTest,
) -> None:
    people = admin_group(app)
    ani = await vip_member(app, ANI, "Ani")
    await start(app, BUDI, "Budi")
    await app.container.leaders.set_leader(
        await member_id(app, ANI), await member_id(app, BUDI), _owner()
    )
    card = await submit(app, ani, 100_000)
    answer = await tap(app, people["admin"], card, "Validasi")
    assert answer == {"text": "Divalidasi. Member sudah diberi tahu."}
    closed = current(app, card)
    assert closed["caption"].endswith(
        "✅ Divalidasi oleh Dewi pada 10 Jan 2026 10.00: Rp 100.000\n"
        "Bagi hasil: member Rp 55.000 · leader Rp 5.000 · owner Rp 40.000"
    )
    assert labels(app, closed) == ["👤 Member"]  # a closed card keeps the member
    assert await statuses(app) == ["validated"]
    (made,) = await commissions(app)
    assert (made.member_share, made.leader_share, made.owner_share) == (55_000, 5_000, 40_000)
    await deliver(app)
    assert "Rp 55.000" in last_text(app, ANI)
    assert "Rp 5.000" in last_text(app, BUDI)


def _owner() -> Actor:
    return Actor(OWNER_ID, "Owner")


async def test_validate_without_a_leader_gives_the_owner_the_leader_part(app: BotUnderTest) -> None:
    people, _, card = await setup(app)
    await tap(app, people["other"], card, "Validasi")
    assert current(app, card)["caption"].endswith(
        "Bagi hasil: member Rp 55.000 · leader Rp 0 · owner Rp 45.000"
    )


async def test_a_basic_member_is_validated_without_commission(app: BotUnderTest) -> None:
    people = admin_group(app)
    citra = await vip_member(app, CITRA, "Citra", plan="basic_lifetime")
    card = await submit(app, citra, 100_000)
    await tap(app, people["admin"], card, "Validasi")
    assert current(app, card)["caption"].endswith(
        "Rp 100.000\nTanpa komisi untuk tingkat ini (sebagai VIP member akan dapat Rp 55.000)."
    )
    assert await statuses(app) == ["validated"]
    assert await commissions(app) == []


# ---------------------------------------------------------------------- adjust


async def test_adjust_validates_the_typed_amount(app: BotUnderTest) -> None:
    people, _, card = await setup(app)
    answer = await tap(app, people["admin"], card, "Ubah nominal")
    assert answer == {}
    prompt = app.core.last_sent(ADMIN_CHAT)
    assert prompt is not None
    assert prompt["text"].startswith(
        "Dewi, ketik nominal komisi yang benar untuk laporan #R1 (diklaim Rp 100.000)"
    )
    assert labels(app, current(app, card)) == CARD_BUTTONS  # others may still decide
    reply = await say(app, people["admin"], "Rp 80.000")
    assert reply == "Laporan #R1 divalidasi dengan nominal Rp 80.000. Member sudah diberi tahu."
    assert current(app, card)["caption"].endswith(
        "✅ Divalidasi oleh Dewi pada 10 Jan 2026 10.00: Rp 80.000 (diklaim Rp 100.000)\n"
        "Bagi hasil: member Rp 44.000 · leader Rp 0 · owner Rp 36.000"
    )
    assert labels(app, current(app, card)) == ["👤 Member"]  # a closed card keeps the member
    (row,) = await report_rows(app)
    assert (row.status, row.commission_validated) == ("validated", 80_000)
    (made,) = await commissions(app)
    assert made.total == 80_000


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("delapan puluh ribu", "“delapan puluh ribu” bukan jumlah rupiah."),
        ("-5000", "Nominal tidak boleh negatif (“-5000”)."),
        ("200jt", "“200jt” terlalu besar: maksimal Rp 100.000.000."),
        ("12,5", "Rupiah tanpa sen"),
    ],
)
async def test_a_bad_amount_says_what_is_accepted_and_keeps_waiting(
    app: BotUnderTest, typed: str, expected: str
) -> None:
    people, _, card = await setup(app)
    await tap(app, people["admin"], card, "Ubah nominal")
    reply = await say(app, people["admin"], typed)
    assert reply.startswith(expected)
    assert reply.endswith("Ketik lagi nominalnya, atau batal untuk membatalkan.")
    assert await statuses(app) == ["submitted"]
    assert await commissions(app) == []
    await say(app, people["admin"], "85rb")  # still waiting
    assert [r.commission_validated for r in await report_rows(app)] == [85_000]


async def test_a_photo_while_adjusting_asks_for_text(app: BotUnderTest) -> None:
    people, _, card = await setup(app)
    await tap(app, people["admin"], card, "Ubah nominal")
    await send(app, app.core.group_photo(ADMIN_CHAT, people["admin"], receipt_jpeg(1, 1)))
    assert last_text(app, ADMIN_CHAT).startswith("Ketik nominal komisi laporan #R1 sebagai teks")
    assert await statuses(app) == ["submitted"]


@pytest.mark.parametrize("word", ["batal", "cancel", "/cancel"])
async def test_adjust_can_be_called_off(app: BotUnderTest, word: str) -> None:
    people, _, card = await setup(app)
    await tap(app, people["admin"], card, "Ubah nominal")
    reply = await say(app, people["admin"], word)
    assert reply == "Oke, ubah nominal laporan #R1 dibatalkan. Kartunya tetap menunggu keputusan."
    assert await say(app, people["admin"], "80000") == ""  # just chat now
    assert await statuses(app) == ["submitted"]
    assert labels(app, current(app, card)) == CARD_BUTTONS


async def test_back_on_the_card_calls_off_adjusting(app: BotUnderTest) -> None:
    people, _, card = await setup(app)
    await tap(app, people["admin"], card, "Ubah nominal")
    await tap(app, people["admin"], current(app, card), "Tolak")
    await tap(app, people["admin"], current(app, card), "Kembali")
    assert labels(app, current(app, card)) == CARD_BUTTONS
    assert await say(app, people["admin"], "80000") == ""
    assert await statuses(app) == ["submitted"]


async def test_an_amount_typed_after_another_admin_validated_changes_nothing(
    app: BotUnderTest,
) -> None:
    people, _, card = await setup(app)
    await tap(app, people["admin"], card, "Ubah nominal")
    await tap(app, people["other"], card, "Validasi")
    reply = await say(app, people["admin"], "80000")
    assert reply.startswith("Laporan #R1 sudah divalidasi oleh Eko pada 10 Jan 2026")
    assert [r.commission_validated for r in await report_rows(app)] == [100_000]
    assert len(await commissions(app)) == 1


# ---------------------------------------------------------------------- one unit of work


async def test_every_tap_and_typed_answer_on_a_card_is_one_unit_of_work(
    app: BotUnderTest,
) -> None:
    """Each update decides (or reads) and reads the card it shows in ONE transaction."""
    people, ani, card = await setup(app)
    admin = people["admin"]
    opened = counting_handlers(app.container)
    seen = []
    await tap(app, admin, card, "Ubah nominal")
    seen.append(opened.opened)
    assert await say(app, admin, "Rp 80.000") == (
        "Laporan #R1 divalidasi dengan nominal Rp 80.000. Member sudah diberi tahu."
    )
    seen.append(opened.opened)
    late = await press(app, people["other"], card, find_button(app, card, "Validasi"), strict=False)
    assert late["text"].startswith("Laporan #R1 sudah divalidasi oleh Dewi")  # a stale screen
    seen.append(opened.opened)
    app.container.clock.advance(days=1)  # type: ignore[attr-defined]
    card2 = await submit(app, ani, 30_000, seed=5)
    opened.opened = 0
    await tap(app, admin, card2, "Tolak")
    seen.append(opened.opened)
    await tap(app, admin, current(app, card2), "Tulis alasan sendiri")
    seen.append(opened.opened)
    assert await say(app, admin, "Link salah") == (
        "Laporan #R2 ditolak dengan alasan kamu. Member sudah diberi tahu."
    )
    seen.append(opened.opened)
    app.container.clock.advance(days=1)  # type: ignore[attr-defined]
    card3 = await submit(app, ani, 10_000, seed=6)
    opened.opened = 0
    assert await tap(app, admin, card3, "Validasi") == {
        "text": "Divalidasi. Member sudah diberi tahu."
    }
    seen.append(opened.opened)
    await press(app, people["other"], card3, find_button(app, card3, "Tolak"), strict=False)
    seen.append(opened.opened)
    await command(app, admin, f"/reports {ANI}")
    seen.append(opened.opened)
    assert seen == [1, 2, 3, 1, 2, 3, 1, 2, 3]


# ---------------------------------------------------------------------- reject


@pytest.mark.parametrize("language", ["id", "en"])
async def test_reject_with_a_listed_reason_tells_the_member_why(
    app: BotUnderTest, language: str
) -> None:
    people = admin_group(app)
    ani = await vip_member(app, ANI, "Ani", language=language)
    card = await submit(app, ani)
    await tap(app, people["admin"], card, "Tolak")
    assert labels(app, current(app, card)) == REASON_BUTTONS
    answer = await tap(app, people["admin"], current(app, card), "Angka tidak cocok")
    assert answer == {"text": "Ditolak. Member sudah diberi tahu."}
    closed = current(app, card)
    assert closed["caption"].endswith(
        "❌ Ditolak oleh Dewi pada 10 Jan 2026 10.00.\n"
        "Alasan: Angka di laporan tidak sama dengan screenshot dashboard TikTok."
    )
    assert labels(app, closed) == ["👤 Member"]  # a closed card keeps the member
    (row,) = await report_rows(app)
    assert (row.status, row.reject_reason) == ("rejected", "mismatch")
    await deliver(app)
    told = last_text(app, ANI)
    if language == "en":
        assert "The figures in the report don't match the TikTok dashboard screenshots." in told
    else:
        assert "Angka di laporan tidak sama dengan screenshot dashboard TikTok." in told


async def test_reject_with_a_written_reason(app: BotUnderTest) -> None:
    people, _, card = await setup(app)
    await tap(app, people["admin"], card, "Tolak")
    await tap(app, people["admin"], current(app, card), "Tulis alasan sendiri")
    prompt = app.core.last_sent(ADMIN_CHAT)
    assert prompt is not None and prompt["text"].startswith(
        "Dewi, tulis alasan penolakan laporan #R1"
    )
    note = "Link video ke-2 bukan milik akun kamu <cek>"
    reply = await say(app, people["admin"], note)
    assert reply == "Laporan #R1 ditolak dengan alasan kamu. Member sudah diberi tahu."
    assert current(app, card)["caption"].endswith(f"Alasan: {note}")
    (row,) = await report_rows(app)
    assert (row.status, row.reject_reason) == ("rejected", note)
    await deliver(app)
    assert note in last_text(app, ANI)


@pytest.mark.parametrize("what", ["photo", "command", "too long"])
async def test_anything_but_a_short_text_while_writing_asks_for_text(
    app: BotUnderTest, what: str
) -> None:
    people, _, card = await setup(app)
    admin = people["admin"]
    await tap(app, admin, card, "Tolak")
    await tap(app, admin, current(app, card), "Tulis alasan sendiri")
    update = {
        "photo": lambda: app.core.group_photo(ADMIN_CHAT, admin, receipt_jpeg(5, 3)),
        "command": lambda: app.core.group_text(ADMIN_CHAT, admin, "/validate"),
        "too long": lambda: app.core.group_text(ADMIN_CHAT, admin, "x" * 501),
    }[what]()
    await send(app, update)
    assert last_text(app, ADMIN_CHAT) == (
        "Tulis alasannya sebagai teks ya (maksimal 500 huruf), atau ketik batal untuk membatalkan."
    )
    assert await statuses(app) == ["submitted"]
    await say(app, admin, "Screenshot terpotong")
    assert await statuses(app) == ["rejected"]


# ---------------------------------------------------------------------- who may tap


@pytest.mark.parametrize("label", ["Validasi", "Ubah nominal", "Tolak"])
async def test_a_non_admin_is_refused_and_nothing_changes(app: BotUnderTest, label: str) -> None:
    people, _, card = await setup(app)
    before = snapshot(app, card)
    answer = await tap(app, people["stranger"], card, label)
    assert answer == {"text": ONLY_ADMINS, "show_alert": True}
    assert current(app, card) == before
    assert await statuses(app) == ["submitted"]
    assert await commissions(app) == []


async def test_a_forged_reason_from_a_non_admin_rejects_nothing(app: BotUnderTest) -> None:
    people, _, card = await setup(app)
    assert find_button(app, card, "Tolak") == "rep:reject:1:1:-"
    answer = await press(app, people["stranger"], card, "rep:reason:1:1:mismatch", strict=False)
    assert answer == {"text": ONLY_ADMINS, "show_alert": True}
    assert await statuses(app) == ["submitted"]


# ---------------------------------------------------------------------- twice, at once


async def test_the_same_tap_twice_validates_once(app: BotUnderTest) -> None:
    people, _, card = await setup(app)
    data = find_button(app, card, "Validasi")
    both = [app.core.press(people["admin"], card, data) for _ in range(2)]
    app.container.clock.advance(seconds=1)  # type: ignore[attr-defined]
    await asyncio.gather(*(app.send(u) for u in both))
    answers = sorted(
        app.core.callback_answers[u["callback_query"]["id"]].get("text", "") for u in both
    )
    assert answers == [
        "Divalidasi. Member sudah diberi tahu.",
        "Laporan #R1 sudah divalidasi oleh Dewi pada 10 Jan 2026 10.00. Tidak ada yang berubah.",
    ]
    assert len(await commissions(app)) == 1
    assert await actions(app, "validate_report") == 1


async def test_two_admins_at_once_one_commission_and_the_second_hears_who(
    app: BotUnderTest,
) -> None:
    people, _, card = await setup(app)
    await tap(app, people["admin"], card, "Tolak")
    reasons = snapshot(app, card)
    validate = find_button(app, card, "Validasi")
    dewi = app.core.press(people["admin"], reasons, find_button(app, reasons, "Tanggal salah"))
    eko = app.core.press(people["other"], reasons, validate, strict=False)
    app.container.clock.advance(seconds=1)  # type: ignore[attr-defined]
    await asyncio.gather(app.send(dewi), app.send(eko))
    answers = {
        app.core.callback_answers[u["callback_query"]["id"]].get("text", "") for u in (dewi, eko)
    }
    assert len(answers) == 2
    (row,) = await report_rows(app)
    if row.status == "validated":
        assert len(await commissions(app)) == 1
        assert any(a.startswith("Laporan #R1 sudah divalidasi oleh Eko") for a in answers)
    else:
        assert await commissions(app) == []
        assert any(a.startswith("Laporan #R1 sudah ditolak oleh Dewi") for a in answers)


async def test_a_second_admin_after_the_first_is_told_who_and_the_card_stays_right(
    app: BotUnderTest,
) -> None:
    people, _, card = await setup(app)
    stale = snapshot(app, card)
    await tap(app, people["admin"], card, "Validasi")
    closed = current(app, card)["caption"]
    late = await press(app, people["other"], stale, find_button(app, stale, "Tolak"), strict=False)
    assert late == {
        "text": "Laporan #R1 sudah divalidasi oleh Dewi pada 10 Jan 2026 10.00."
        " Tidak ada yang berubah.",
        "show_alert": True,
    }
    assert current(app, card)["caption"].startswith(closed.split("\n\n")[0])
    assert "Divalidasi oleh Dewi" in current(app, card)["caption"]
    assert await statuses(app) == ["validated"]


# ---------------------------------------------------------------------- stale and forged


async def test_a_card_of_a_replaced_report_validates_nothing(app: BotUnderTest) -> None:
    people, ani, old = await setup(app, 100_000)
    new = await submit(app, ani, 120_000, seed=2)
    assert new["caption"].startswith("📊 Laporan harian #R1 · v2 · 🔁 laporan pengganti")
    answer = await tap(app, people["admin"], old, "Validasi")
    assert answer == {
        "text": "Member sudah mengganti laporan #R1; kartu ini untuk versi lama."
        " Pakai kartu terbaru. Tidak ada yang berubah.",
        "show_alert": True,
    }
    old_now = current(app, old)
    assert old_now["caption"].endswith(
        "↩️ Member sudah mengganti laporan ini; lihat kartu yang lebih baru."
    )
    assert "Rp 100.000" in old_now["caption"]  # the old figures stay on the old card
    assert labels(app, old_now) == ["👤 Member"]  # a closed card keeps the member
    assert await statuses(app) == ["submitted"]
    assert labels(app, current(app, new)) == CARD_BUTTONS
    await tap(app, people["admin"], new, "Validasi")
    assert [r.commission_validated for r in await report_rows(app)] == [120_000]


async def test_an_amount_typed_for_a_replaced_report_validates_nothing(app: BotUnderTest) -> None:
    people, ani, old = await setup(app)
    await tap(app, people["admin"], old, "Ubah nominal")
    await submit(app, ani, 120_000, seed=2)
    reply = await say(app, people["admin"], "90000")
    assert reply.startswith("Member sudah mengganti laporan #R1")
    assert await statuses(app) == ["submitted"]
    assert await commissions(app) == []


@pytest.mark.parametrize(
    "data",
    [
        "rep:validate:999:1:-",
        "rep:reason:999:1:mismatch",
        "rep:validate:1:2:-",  # a version the card doesn't show
        "rep:adjust:999:1:-",
    ],
)
async def test_forged_ids_change_nothing(app: BotUnderTest, data: str) -> None:
    people, _, card = await setup(app)
    before = snapshot(app, card)
    answer = await press(app, people["admin"], card, data, strict=False)
    assert answer == {"text": NOT_FOUND, "show_alert": True}
    assert current(app, card) == before
    assert await statuses(app) == ["submitted"]
    assert await actions(app, "validate_report") == await actions(app, "reject_report") == 0


async def test_a_tap_carrying_another_reports_ids_leaves_this_card_alone(
    app: BotUnderTest,
) -> None:
    people, _, ani_card = await setup(app)
    budi = await vip_member(app, BUDI, "Budi")
    await submit(app, budi, seed=3)
    answer = await press(app, people["admin"], ani_card, "rep:validate:2:1:-", strict=False)
    assert answer == {"text": NOT_FOUND, "show_alert": True}
    assert await statuses(app) == ["submitted", "submitted"]


@pytest.mark.parametrize("data", ["rep:validate", "rep:nuke:1:1:-", "rep:reason:1:1:pelit"])
async def test_garbage_data_gets_the_stale_alert(app: BotUnderTest, data: str) -> None:
    people, _, card = await setup(app)
    answer = await press(app, people["admin"], card, data, strict=False)
    assert answer["show_alert"] is True
    assert await statuses(app) == ["submitted"]


async def test_a_reason_tap_without_a_reason_rejects_nothing(app: BotUnderTest) -> None:
    people, _, card = await setup(app)
    answer = await press(app, people["admin"], card, "rep:reason:1:1:-", strict=False)
    assert answer == {"text": NOT_FOUND, "show_alert": True}
    assert await statuses(app) == ["submitted"]


# ---------------------------------------------------------------------- /reports


async def test_reports_with_nothing_pending(app: BotUnderTest) -> None:
    people = admin_group(app)
    assert await command(app, people["admin"], "/reports") == (
        "Tidak ada laporan yang menunggu validasi. 🎉"
    )


async def test_reports_lists_pending_and_validates_the_listed_ones(app: BotUnderTest) -> None:
    people = admin_group(app)
    ani = await vip_member(app, ANI, "Ani")
    budi = await vip_member(app, BUDI, "Budi")
    citra = await vip_member(app, CITRA, "Citra")
    await submit(app, ani, 100_000, shots=2, seed=1)
    await submit(app, budi, 50_000, seed=2)
    await submit(app, citra, 20_000, seed=3)
    text = await command(app, people["admin"], "/reports")
    assert text == (
        "Laporan menunggu validasi: 3 · daftar #L1\n"
        "• #R1 Ani · 10 Jan 2026 · klaim Rp 100.000 · 2 screenshot\n"
        "• #R2 Budi · 10 Jan 2026 · klaim Rp 50.000 · 1 screenshot\n"
        "• #R3 Citra · 10 Jan 2026 · klaim Rp 20.000 · 1 screenshot"
    )
    listing = app.core.last_sent(ADMIN_CHAT)
    assert listing is not None
    assert labels(app, listing) == ["✅ Validasi semua (3)"]

    await submit(app, budi, 60_000, seed=4)  # Budi replaces his report after the listing
    answer = await tap(app, people["other"], listing, "Validasi semua")
    assert answer["text"] == (
        "Eko memvalidasi daftar ini: 2 laporan divalidasi, 1 dilewati (alasannya di daftar)."
    )
    assert await statuses(app) == ["validated", "submitted", "validated"]
    assert len(await commissions(app)) == 2
    assert labels(app, current(app, listing)) == []
    assert current(app, listing)["text"] == (  # the list shows what was done and skipped
        "Laporan menunggu validasi: 3 · daftar #L1\n"
        "✅ #R1 Ani · 10 Jan 2026 · klaim Rp 100.000 · 2 screenshot\n"
        "⏭ #R2 Budi · 10 Jan 2026 · klaim Rp 50.000 · 1 screenshot"
        " — dilewati: member mengirim versi baru setelah daftar dibuat\n"
        "✅ #R3 Citra · 10 Jan 2026 · klaim Rp 20.000 · 1 screenshot"
    )

    again = await press(app, people["admin"], listing, "repall:1", strict=False)
    assert again == {
        "text": "Daftar ini sudah divalidasi sebelumnya. Tidak ada yang berubah."
        " Ketik /reports untuk daftar baru.",
        "show_alert": True,
    }
    assert len(await commissions(app)) == 2

    text = await command(app, people["admin"], "/reports")
    assert "• #R2 Budi · 10 Jan 2026 · klaim Rp 60.000" in text


async def test_a_card_after_bulk_validation_says_who_validated(app: BotUnderTest) -> None:
    people, _, card = await setup(app)
    await command(app, people["admin"], "/reports")
    listing = app.core.last_sent(ADMIN_CHAT)
    assert listing is not None
    await tap(app, people["admin"], listing, "Validasi semua")
    answer = await tap(app, people["other"], card, "Validasi")
    assert answer["text"].startswith("Laporan #R1 sudah divalidasi oleh Dewi")
    assert current(app, card)["caption"].endswith(
        "✅ Divalidasi oleh Dewi pada 10 Jan 2026 10.00: Rp 100.000\n"
        "Bagi hasil: member Rp 55.000 · leader Rp 0 · owner Rp 45.000"
    )
    assert labels(app, current(app, card)) == ["👤 Member"]
    assert len(await commissions(app)) == 1


async def test_validate_all_marks_a_report_rejected_meanwhile_as_skipped_and_why(
    app: BotUnderTest,
) -> None:
    people, _, card = await setup(app)
    await command(app, people["admin"], "/reports")
    listing = app.core.last_sent(ADMIN_CHAT)
    assert listing is not None
    await tap(app, people["admin"], card, "Tolak")
    await tap(app, people["admin"], current(app, card), "Angka tidak cocok")
    answer = await tap(app, people["other"], listing, "Validasi semua")
    assert "0 laporan divalidasi, 1 dilewati" in answer["text"]
    assert current(app, listing)["text"].endswith(" — dilewati: sudah ditolak oleh Dewi")
    assert "⏭ #R1 " in current(app, listing)["text"]
    assert labels(app, current(app, listing)) == []
    assert await statuses(app) == ["rejected"]
    assert len(await commissions(app)) == 0


async def test_reports_and_the_batch_button_are_for_admins_only(app: BotUnderTest) -> None:
    people, _, _ = await setup(app)
    assert await command(app, people["stranger"], "/reports") == ONLY_ADMINS
    await command(app, people["admin"], "/reports")
    listing = app.core.last_sent(ADMIN_CHAT)
    assert listing is not None
    answer = await tap(app, people["stranger"], listing, "Validasi semua")
    assert answer == {"text": ONLY_ADMINS, "show_alert": True}
    assert await statuses(app) == ["submitted"]


async def test_a_forged_batch_id_validates_nothing(app: BotUnderTest) -> None:
    people, _, _ = await setup(app)
    await command(app, people["admin"], "/reports")
    listing = app.core.last_sent(ADMIN_CHAT)
    assert listing is not None
    for data in ("repall:999", "repall:2"):
        answer = await press(app, people["admin"], listing, data, strict=False)
        assert answer == {
            "text": "Daftar ini tidak ditemukan. Ketik /reports untuk daftar baru.",
            "show_alert": True,
        }
    assert await statuses(app) == ["submitted"]


async def test_reports_of_one_member_shows_their_history(app: BotUnderTest) -> None:
    people, ani, card = await setup(app)
    await tap(app, people["admin"], card, "Ubah nominal")
    await say(app, people["admin"], "80rb")
    app.container.clock.advance(days=1)  # type: ignore[attr-defined]
    card2 = await submit(app, ani, 30_000, seed=5)
    await tap(app, people["admin"], card2, "Tolak")
    await tap(app, people["admin"], current(app, card2), "Laporan ganda")
    app.container.clock.advance(days=1)  # type: ignore[attr-defined]
    await submit(app, ani, 10_000, seed=6)
    text = await command(app, people["other"], f"/reports {ANI}")
    assert text == (
        "Riwayat laporan Ani (id 501): 3 laporan\n"
        "• #R3 12 Jan 2026 · menunggu · klaim Rp 10.000\n"
        "• #R2 11 Jan 2026 · ditolak · klaim Rp 30.000 · alasan: "
        "Laporan ini sama dengan laporan yang sudah pernah kamu kirim.\n"
        "• #R1 10 Jan 2026 · divalidasi · klaim Rp 100.000 · divalidasi Rp 80.000"
        " · bagian member Rp 44.000"
    )


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        ("@nobody_here", "Member @nobody_here tidak ditemukan."),
        ("not-a-ref!", "bukan ID Telegram atau @username."),
        ("a b", "Format: /reports"),
    ],
)
async def test_reports_of_an_unknown_or_bad_member(
    app: BotUnderTest, args: str, expected: str
) -> None:
    people = admin_group(app)
    assert expected in await command(app, people["admin"], f"/reports {args}")


async def test_reports_of_a_member_without_reports(app: BotUnderTest) -> None:
    people = admin_group(app)
    await start(app, BUDI, "Budi")
    assert await command(app, people["admin"], f"/reports {BUDI}") == (
        "Budi (id 502) belum pernah mengirim laporan."
    )


async def test_the_longest_card_still_fits_a_caption_with_its_outcome(app: BotUnderTest) -> None:
    people = admin_group(app)
    long_name = "A" * 64
    user = app.core.user(ANI, long_name, language_code="id")
    user["last_name"] = "B" * 64
    user["username"] = "u" * 32
    await send(app, app.core.command(user, "/start"))
    await app.container.memberships.grant(
        MemberRef(telegram_id=ANI), "vip_lifetime", "test", _owner()
    )
    links = tuple("https://www.tiktok.com/@" + "x" * 200 + str(n) for n in range(20))
    card = await submit(app, user, 99_999_999, links=links)
    await tap(app, people["admin"], card, "Tolak")
    await tap(app, people["admin"], current(app, card), "Tulis alasan sendiri")
    await say(app, people["admin"], "z" * 500)
    caption = current(app, card)["caption"]
    assert "… dan 15 link lain" in caption
    assert caption.endswith("Alasan: " + "z" * 149 + "…")
    assert len(caption) <= 1024
    assert labels(app, current(app, card)) == ["👤 Member"]
