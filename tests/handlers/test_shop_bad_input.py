"""The purchase flow when the member does something unexpected: the wrong kind of
message, a bad file, an old or forged button, a second purchase, a quiet day.

Every test checks what the member reads (the reply or the alert) and what the
database holds afterwards.
"""

from __future__ import annotations

import asyncio

import pytest
from PIL import Image

from handlers.member.proof import PROOF_LOCKS
from services.proof_images import ProofImage, inspect_proof
from tests.handlers.conftest import BotUnderTest
from tests.handlers.shopkit import (
    add_method,
    add_plan,
    admin_group,
    buy_until_payment_screen,
    cards,
    deliver,
    find_button,
    membership_rows,
    open_shop,
    outbox_to,
    payment_rows,
    plan_id_of,
    press,
    proof_rows,
    send,
    set_method_active,
    set_plan_on_sale,
    start,
    statuses,
    submit_proof,
    tap,
    texts,
)
from tests.kit.faketelegram import JSON
from tests.kit.images import encode, receipt, receipt_jpeg

ANI, BUDI = 501, 502
ELEVEN_MB = 11 * 1024 * 1024

WAITING = "Saya sedang menunggu foto bukti transfer untuk permintaan #1 (Rp 97.000)."
RECEIVED = "✅ Bukti diterima! Nomor permintaan: #1."
NOT_IMAGE = "File ini bukan gambar."
TOO_LARGE = "Gambarnya terlalu besar (maksimal 10 MB)."
CORRUPTED = "Gambar itu rusak atau tidak lengkap."
TOO_SMALL = "Gambar itu terlalu kecil untuk dibaca admin."
UNSUPPORTED = "Format gambar itu tidak didukung."
STALE = "Tombol ini sudah tidak berlaku. Ketik /start untuk menu terbaru."
PLAN_GONE = "Paket ini sudah tidak dijual. Lihat paket yang tersedia lewat menu 🛒 Beli."
REQUEST_CLOSED = "Permintaan ini sudah tidak aktif. Buka 🛒 Beli untuk mulai lagi."
METHOD_GONE = "Metode itu sudah tidak tersedia. Pilih metode lain ya."


def last_text(app: BotUnderTest, user_id: int) -> str:
    sent = app.core.last_sent(user_id)
    assert sent is not None
    return str(sent.get("text") or sent.get("caption") or "")


def labels(app: BotUnderTest, message: JSON) -> list[str]:
    return [text for text, _ in app.core.buttons(message)]


async def waiting_for_proof(
    app: BotUnderTest, user_id: int = ANI, name: str = "Ani", language: str = "id"
) -> JSON:
    """A member whose Basic request (#1 for the first one) waits for the proof."""
    admin_group(app)
    await add_method(app)
    user = await start(app, user_id, name, language)
    pay = "Continue to pay" if language == "en" else "Lanjut bayar"
    await buy_until_payment_screen(app, user, "Basic", pay)
    return user


async def at_method_screen(app: BotUnderTest, user: JSON, plan_label: str = "Basic") -> JSON:
    """/buy → plan → pay: the payment-method screen (with two or more methods; the
    request is open, no method yet)."""
    catalog = await open_shop(app, user)
    await tap(app, user, catalog, plan_label)
    quote = app.core.last_sent(user["id"])
    assert quote is not None
    await tap(app, user, quote, "Lanjut bayar")
    methods = app.core.last_sent(user["id"])
    assert methods is not None and "Pilih metode pembayaran" in methods["text"]
    return methods


async def approve_latest_card(app: BotUnderTest) -> None:
    people = admin_group(app)
    answer = await tap(app, people["admin"], cards(app)[-1], "Setujui")
    assert answer["text"].startswith("Disetujui."), answer
    await deliver(app)


def document(app: BotUnderTest, user: JSON, data: bytes, name: str, mime: str) -> JSON:
    return app.core.private_document(user, data, name, mime)


def tiny_png() -> bytes:
    return encode(Image.new("RGB", (20, 20), "white"), "PNG")


def truncated_jpeg() -> bytes:
    whole = receipt_jpeg(2, 5)
    return whole[: len(whole) // 2]


def padded_jpeg() -> bytes:
    """A real receipt with 11 MB of padding after it: a decodable but oversized file."""
    return receipt_jpeg(3, 6) + b"\0" * ELEVEN_MB


# ---------------------------------------------------------------------- not a proof at all


@pytest.mark.parametrize(
    ("what", "reply"),
    [
        ("text", WAITING),
        ("sticker", WAITING),
        ("pdf", NOT_IMAGE),
    ],
)
async def test_something_else_than_a_picture_while_waiting_gets_a_specific_answer(
    app: BotUnderTest, what: str, reply: str
) -> None:
    ani = await waiting_for_proof(app)
    update = {
        "text": lambda: app.core.private_text(ani, "sudah transfer ya kak"),
        "sticker": lambda: app.core.private_sticker(ani, "🙏"),
        "pdf": lambda: document(
            app, ani, b"%PDF-1.4 bukti transfer", "bukti.pdf", "application/pdf"
        ),
    }[what]()
    await send(app, update)

    answer = app.core.last_sent(ANI)
    assert answer is not None and reply in answer["text"]
    if what != "pdf":
        assert "Kirim fotonya di sini" in answer["text"]
        assert labels(app, answer) == ["✖️ Batalkan pembayaran"]
    assert await statuses(app) == ["awaiting_proof"]
    assert await proof_rows(app) == []

    await send(app, app.core.private_photo(ani, receipt_jpeg(0, 1)))
    await deliver(app)  # the confirmation comes through the outbox
    assert RECEIVED in last_text(app, ANI)
    assert await statuses(app) == ["submitted"]


async def test_the_cancel_button_under_the_waiting_reminder_cancels(app: BotUnderTest) -> None:
    ani = await waiting_for_proof(app)
    await send(app, app.core.private_text(ani, "halo?"))
    reminder = app.core.last_sent(ANI)
    assert reminder is not None
    await tap(app, ani, reminder, "Batalkan")
    assert "Permintaan #1 dibatalkan" in last_text(app, ANI)
    assert await statuses(app) == ["cancelled"]


# ---------------------------------------------------------------------- bad pictures


BAD_PICTURES = [
    ("truncated jpeg as a file", CORRUPTED),
    ("truncated jpeg as a photo", CORRUPTED),
    ("11 MB file", TOO_LARGE),
    ("11 MB photo", TOO_LARGE),
    ("11 MB file, size not declared", TOO_LARGE),
    ("20x20 photo", TOO_SMALL),
    ("20x20 png as a file", TOO_SMALL),
    ("gif as a file", UNSUPPORTED),
    ("bmp as a file", UNSUPPORTED),
    ("heic as a file", UNSUPPORTED),
    ("pdf named .jpg", "File itu tidak bisa dibaca sebagai gambar."),
]


@pytest.mark.parametrize(("case", "reply"), BAD_PICTURES, ids=[c for c, _ in BAD_PICTURES])
async def test_a_bad_picture_is_refused_with_the_reason_and_the_request_keeps_waiting(
    app: BotUnderTest, case: str, reply: str
) -> None:
    ani = await waiting_for_proof(app)
    update = {
        "truncated jpeg as a file": lambda: document(
            app, ani, truncated_jpeg(), "bukti.jpg", "image/jpeg"
        ),
        "truncated jpeg as a photo": lambda: app.core.private_photo(ani, truncated_jpeg()),
        "11 MB file": lambda: document(app, ani, padded_jpeg(), "bukti.jpg", "image/jpeg"),
        "11 MB photo": lambda: app.core.private_photo(ani, padded_jpeg()),
        "11 MB file, size not declared": lambda: document(
            app, ani, padded_jpeg(), "bukti.jpg", "image/jpeg"
        ),
        "20x20 photo": lambda: app.core.private_photo(ani, tiny_png()),
        "20x20 png as a file": lambda: document(app, ani, tiny_png(), "bukti.png", "image/png"),
        "gif as a file": lambda: document(
            app, ani, encode(receipt(0, 2), "GIF"), "bukti.gif", "image/gif"
        ),
        "bmp as a file": lambda: document(
            app, ani, encode(receipt(0, 2), "BMP"), "bukti.bmp", "image/bmp"
        ),
        "heic as a file": lambda: document(
            app,
            ani,
            b"\0\0\0\x18ftypheic\0\0\0\0mif1heic" + bytes(64),
            "IMG_0001.HEIC",
            "image/heic",
        ),
        "pdf named .jpg": lambda: document(
            app, ani, b"%PDF-1.4 bukti transfer" + bytes(64), "bukti.jpg", "image/jpeg"
        ),
    }[case]()
    if case == "11 MB file, size not declared":
        del update["message"]["document"]["file_size"]
    await send(app, update)

    assert reply in last_text(app, ANI)
    assert "Bukti diterima" not in last_text(app, ANI)
    # A size Telegram declares is checked before anything is downloaded.
    downloaded = bool(app.core.calls_of("getFile"))
    assert downloaded is (case not in ("11 MB file", "11 MB photo"))
    assert await statuses(app) == ["awaiting_proof"]
    assert await proof_rows(app) == []
    await deliver(app)
    assert cards(app) == []

    await send(app, app.core.private_photo(ani, receipt_jpeg(0, 1)))
    await deliver(app)  # the confirmation comes through the outbox
    assert RECEIVED in last_text(app, ANI)
    assert await statuses(app) == ["submitted"]


async def test_a_declared_size_over_10_mb_is_refused_without_downloading(
    app: BotUnderTest,
) -> None:
    ani = await waiting_for_proof(app)
    update = document(app, ani, receipt_jpeg(0, 1), "bukti.jpg", "image/jpeg")
    update["message"]["document"]["file_size"] = ELEVEN_MB
    await send(app, update)
    assert TOO_LARGE in last_text(app, ANI)
    assert app.core.calls_of("getFile") == []
    assert await statuses(app) == ["awaiting_proof"]


async def test_a_picture_telegram_fails_to_hand_over_is_asked_again(app: BotUnderTest) -> None:
    ani = await waiting_for_proof(app)
    app.core.fail_next("getFile", 400, "Bad Request: wrong file_id or the file is unavailable")
    await send(app, app.core.private_photo(ani, receipt_jpeg(0, 1)))
    assert "gambarnya gagal diambil dari Telegram" in last_text(app, ANI)
    assert await statuses(app) == ["awaiting_proof"]
    await send(app, app.core.private_photo(ani, receipt_jpeg(0, 1)))
    await deliver(app)  # the confirmation comes through the outbox
    assert RECEIVED in last_text(app, ANI)


@pytest.mark.parametrize(
    ("name", "mime", "image_format"),
    [
        ("bukti.jpg", "image/jpeg", "JPEG"),
        ("bukti.png", "image/png", "PNG"),
        ("bukti.webp", "image/webp", "WEBP"),
        ("Screenshot_2026.PNG", "application/octet-stream", "PNG"),
    ],
)
async def test_an_image_sent_as_a_file_is_accepted_and_the_card_is_a_document(
    app: BotUnderTest, name: str, mime: str, image_format: str
) -> None:
    ani = await waiting_for_proof(app)
    data = encode(receipt(4, 9), image_format)
    await send(app, document(app, ani, data, name, mime))
    await deliver(app)
    assert RECEIVED in last_text(app, ANI)
    assert await statuses(app) == ["submitted"]
    (proof,) = await proof_rows(app)
    assert proof.media_kind == "document" and proof.image_format == image_format
    assert (proof.width, proof.height) == (800, 1200)

    await deliver(app)
    (card,) = cards(app)
    assert "document" in card and "photo" not in card
    assert "Pembayaran #1" in card["caption"]
    assert len(app.core.calls_of("sendDocument")) == 1
    assert app.core.calls_of("sendPhoto") == []
    assert labels(app, card) == ["✅ Setujui", "❌ Tolak", "👤 Member"]


# ---------------------------------------------------------------------- a photo at the wrong time


async def test_a_photo_with_nothing_open_goes_to_the_admins_and_points_to_the_shop(
    app: BotUnderTest,
) -> None:
    await start(app, ANI, "Ani")
    ani = app.core.user(ANI)
    await send(app, app.core.private_photo(ani, receipt_jpeg(0, 1)))
    await deliver(app)
    answer = app.core.last_sent(ANI)
    assert answer is not None
    assert answer["text"].startswith("✅ Fotomu sudah diteruskan ke admin.")
    assert "tidak ada pembayaran yang menunggu bukti" in answer["text"]
    assert "🛒 Beli / Upgrade" in labels(app, answer)
    assert await payment_rows(app) == [] and await proof_rows(app) == []


async def test_a_second_photo_after_the_proof_is_already_being_checked(
    app: BotUnderTest,
) -> None:
    ani = await waiting_for_proof(app)
    await send(app, app.core.private_photo(ani, receipt_jpeg(0, 1)))
    await send(app, app.core.private_photo(ani, receipt_jpeg(0, 2)))
    assert last_text(app, ANI).startswith(
        "Bukti untuk permintaan #1 sudah kami terima dan sedang diperiksa admin."
    )
    await deliver(app)
    assert len(cards(app)) == 1
    assert len(await proof_rows(app)) == 1
    assert await statuses(app) == ["submitted"]


async def test_a_photo_before_choosing_the_method_asks_for_the_method_first(
    app: BotUnderTest,
) -> None:
    admin_group(app)
    await add_method(app)
    await add_method(app, "DANA", number="0812000111")
    ani = await start(app, ANI, "Ani")
    await at_method_screen(app, ani)

    await send(app, app.core.private_photo(ani, receipt_jpeg(0, 1)))
    ask, methods = app.core.sent_to(ANI)[-2:]
    assert ask["text"] == (
        "Sebelum mengirim bukti, pilih dulu metode pembayaran untuk permintaan #1:"
    )
    assert "Permintaan #1: Basic Seumur Hidup" in methods["text"]
    assert labels(app, methods) == ["BCA", "DANA", "✖️ Batalkan pembayaran"]
    assert await statuses(app) == ["awaiting_proof"] and await proof_rows(app) == []
    (row,) = await payment_rows(app)
    assert row.method_id is None

    await tap(app, ani, methods, "DANA")
    assert "0812000111" in last_text(app, ANI)
    await send(app, app.core.private_photo(ani, receipt_jpeg(0, 1)))
    await deliver(app)  # the confirmation comes through the outbox
    assert RECEIVED in last_text(app, ANI)


# ---------------------------------------------------------------------- one open request at a time


async def test_buying_again_shows_the_open_request_and_its_cancel_button_works(
    app: BotUnderTest,
) -> None:
    ani = await waiting_for_proof(app)
    catalog = await open_shop(app, ani)
    await tap(app, ani, catalog, "VIP")
    vip_quote = app.core.last_sent(ANI)
    assert vip_quote is not None
    await tap(app, ani, vip_quote, "Lanjut bayar")

    told = app.core.last_sent(ANI)
    assert told is not None
    assert told["text"] == (
        "Kamu masih punya pembayaran yang terbuka: #1 (Basic Seumur Hidup, Rp 97.000)"
        " — menunggu bukti transfer.\n"
        "Selesaikan atau batalkan dulu sebelum membeli yang lain."
    )
    assert labels(app, told) == ["🔁 Ganti metode", "✖️ Batalkan pembayaran"]
    assert await statuses(app) == ["awaiting_proof"]

    await tap(app, ani, told, "Batalkan")
    assert last_text(app, ANI).startswith("Permintaan #1 dibatalkan.")
    assert await statuses(app) == ["cancelled"]

    # The VIP quote's button now opens a new request.
    await tap(app, ani, vip_quote, "Lanjut bayar")
    assert "Permintaan #2: VIP Seumur Hidup" in last_text(app, ANI)
    assert await statuses(app) == ["cancelled", "awaiting_proof"]


async def test_buying_again_while_the_open_request_waits_for_its_method_shows_the_methods(
    app: BotUnderTest, caplog: pytest.LogCaptureFixture
) -> None:
    await add_method(app)
    await add_method(app, "DANA", number="0812000111")
    ani = await start(app, ANI, "Ani")
    await at_method_screen(app, ani, "Basic")
    catalog = await open_shop(app, ani)
    await tap(app, ani, catalog, "VIP")
    quote = app.core.last_sent(ANI)
    assert quote is not None
    answer = await tap(app, ani, quote, "Lanjut bayar")

    told, methods = app.core.sent_to(ANI)[-2:]
    assert told["text"].startswith(
        "Kamu masih punya pembayaran yang terbuka: #1 (Basic Seumur Hidup, Rp 97.000)"
        " — menunggu pilihan metode pembayaran."
    )
    assert "Permintaan #1: Basic Seumur Hidup" in methods["text"]
    assert labels(app, methods) == ["BCA", "DANA", "✖️ Batalkan pembayaran"]
    assert answer.get("show_alert") is not True  # no "something went wrong" apology
    assert "failed" not in caplog.text
    assert await statuses(app) == ["awaiting_proof"]


async def test_a_double_tap_on_pay_opens_one_request(app: BotUnderTest) -> None:
    await add_method(app)
    await add_method(app, "DANA", number="0812000111")
    ani = await start(app, ANI, "Ani")
    catalog = await open_shop(app, ani)
    await tap(app, ani, catalog, "Basic")
    quote = app.core.last_sent(ANI)
    assert quote is not None
    data = find_button(app, quote, "Lanjut bayar")
    both = [app.core.press(ani, quote, data) for _ in range(2)]
    app.container.clock.advance(seconds=1)  # type: ignore[attr-defined]
    await asyncio.gather(*(app.send(u) for u in both))  # one thumb, twice, at once

    assert await statuses(app) == ["awaiting_proof"]
    screens = [t for t in texts(app, ANI) if "Pilih metode pembayaran" in t]
    assert screens and all(t.startswith("Permintaan #1: Basic Seumur Hidup") for t in screens)


async def test_a_double_tap_on_pay_is_answered_without_an_error(
    app: BotUnderTest, caplog: pytest.LogCaptureFixture
) -> None:
    await add_method(app)
    await add_method(app, "DANA", number="0812000111")
    ani = await start(app, ANI, "Ani")
    catalog = await open_shop(app, ani)
    await tap(app, ani, catalog, "Basic")
    quote = app.core.last_sent(ANI)
    assert quote is not None
    data = find_button(app, quote, "Lanjut bayar")
    both = [app.core.press(ani, quote, data) for _ in range(2)]
    app.container.clock.advance(seconds=1)  # type: ignore[attr-defined]
    await asyncio.gather(*(app.send(u) for u in both))

    assert "failed" not in caplog.text
    last = app.core.last_sent(ANI)
    assert last is not None and labels(app, last) == ["BCA", "DANA", "✖️ Batalkan pembayaran"]


async def test_the_open_request_being_checked_only_offers_cancel(app: BotUnderTest) -> None:
    ani = await waiting_for_proof(app)
    await send(app, app.core.private_photo(ani, receipt_jpeg(0, 1)))
    catalog = await open_shop(app, ani)
    await tap(app, ani, catalog, "VIP")
    quote = app.core.last_sent(ANI)
    assert quote is not None
    await tap(app, ani, quote, "Lanjut bayar")
    told = app.core.last_sent(ANI)
    assert told is not None
    assert "#1 (Basic Seumur Hidup, Rp 97.000) — bukti sedang diperiksa admin." in told["text"]
    assert labels(app, told) == ["✖️ Batalkan pembayaran"]
    assert await statuses(app) == ["submitted"]


async def test_cancel_command_closes_the_open_request(app: BotUnderTest) -> None:
    ani = await waiting_for_proof(app)
    await send(app, app.core.command(ani, "/cancel"))
    answer = app.core.last_sent(ANI)
    assert answer is not None
    assert answer["text"] == (
        "Permintaan #1 dibatalkan. Kamu bisa mulai lagi kapan saja lewat 🛒 Beli."
    )
    assert "🛒 Beli / Upgrade" in labels(app, answer)
    assert await statuses(app) == ["cancelled"]

    await send(app, app.core.private_photo(ani, receipt_jpeg(0, 1)))
    await deliver(app)
    assert "tidak ada pembayaran yang menunggu bukti" in last_text(app, ANI)
    assert await proof_rows(app) == []


async def test_cancel_command_with_nothing_open_says_so(app: BotUnderTest) -> None:
    ani = await start(app, ANI, "Ani")
    await send(app, app.core.command(ani, "/cancel"))
    assert last_text(app, ANI) == "Tidak ada pembayaran yang terbuka untuk dibatalkan."
    assert await payment_rows(app) == []


async def test_an_old_cancel_button_never_cancels_the_newer_request(app: BotUnderTest) -> None:
    await add_method(app, "DANA", number="0812000111")
    ani = await waiting_for_proof(app)
    first_instructions = app.core.last_sent(ANI)
    assert first_instructions is not None
    first_methods = app.core.sent_to(ANI)[-2]
    await send(app, app.core.command(ani, "/cancel"))
    await buy_until_payment_screen(app, ani, "VIP")
    assert await statuses(app) == ["cancelled", "awaiting_proof"]
    told_before = len(app.core.sent_to(ANI))

    answer = await tap(app, ani, first_instructions, "Batalkan")
    assert answer == {"text": REQUEST_CLOSED, "show_alert": True}
    # The method button of the old request does not touch the new one either.
    answer = await tap(app, ani, first_methods, "BCA")
    assert answer == {"text": REQUEST_CLOSED, "show_alert": True}

    assert await statuses(app) == ["cancelled", "awaiting_proof"]
    assert len(app.core.sent_to(ANI)) == told_before
    await send(app, app.core.private_photo(ani, receipt_jpeg(0, 1)))
    await deliver(app)
    assert "Nomor permintaan: #2" in last_text(app, ANI)


# ---------------------------------------------------------------------- forged and stale buttons


async def test_a_plan_that_does_not_exist_is_refused_with_an_alert(app: BotUnderTest) -> None:
    await add_method(app)
    ani = await start(app, ANI, "Ani")
    catalog = await open_shop(app, ani)
    told_before = len(app.core.sent_to(ANI))
    for data in ("plan:9999", "buy:9999:-"):
        answer = await press(app, ani, catalog, data, strict=False)
        assert answer == {"text": PLAN_GONE, "show_alert": True}, data
    assert len(app.core.sent_to(ANI)) == told_before
    assert await payment_rows(app) == []


async def test_a_retired_plan_is_refused_from_an_old_catalog_and_an_old_quote(
    app: BotUnderTest,
) -> None:
    await add_method(app)
    ani = await start(app, ANI, "Ani")
    catalog = await open_shop(app, ani)
    await tap(app, ani, catalog, "Basic")
    quote = app.core.last_sent(ANI)
    assert quote is not None
    await set_plan_on_sale(app, await plan_id_of(app, "basic_lifetime"), False)
    told_before = len(app.core.sent_to(ANI))

    assert await tap(app, ani, catalog, "Basic") == {"text": PLAN_GONE, "show_alert": True}
    assert await tap(app, ani, quote, "Lanjut bayar") == {"text": PLAN_GONE, "show_alert": True}
    assert len(app.core.sent_to(ANI)) == told_before
    assert await payment_rows(app) == []

    catalog = await open_shop(app, ani)
    assert "Basic Seumur Hidup" not in catalog["text"] and "VIP Seumur Hidup" in catalog["text"]


async def test_a_forged_method_is_refused_and_no_method_is_set(app: BotUnderTest) -> None:
    await add_method(app)
    await add_method(app, "DANA", number="0812000111")
    ani = await start(app, ANI, "Ani")
    methods = await at_method_screen(app, ani)
    told_before = len(app.core.sent_to(ANI))
    answer = await press(app, ani, methods, "paym:1:999", strict=False)
    assert answer == {"text": METHOD_GONE, "show_alert": True}
    assert len(app.core.sent_to(ANI)) == told_before
    (row,) = await payment_rows(app)
    assert row.method_id is None and row.status == "awaiting_proof"


async def test_a_method_turned_off_after_the_screen_was_shown_is_refused(
    app: BotUnderTest,
) -> None:
    bca = await add_method(app)
    await add_method(app, "DANA", number="0812000111")
    ani = await start(app, ANI, "Ani")
    methods = await at_method_screen(app, ani)
    await set_method_active(app, bca, False)

    assert await tap(app, ani, methods, "BCA") == {"text": METHOD_GONE, "show_alert": True}
    (row,) = await payment_rows(app)
    assert row.method_id is None

    # Asked again (the photo path shows the methods on offer now): only DANA is left.
    await send(app, app.core.private_photo(ani, receipt_jpeg(0, 1)))
    assert labels(app, app.core.sent_to(ANI)[-1]) == ["DANA", "✖️ Batalkan pembayaran"]


async def test_a_forged_buy_with_a_mode_that_does_not_apply_is_refused(
    app: BotUnderTest,
) -> None:
    await add_method(app)
    ani = await start(app, ANI, "Ani")
    catalog = await open_shop(app, ani)
    basic = await plan_id_of(app, "basic_lifetime")
    for mode in ("accumulate", "full"):
        answer = await press(app, ani, catalog, f"buy:{basic}:{mode}", strict=False)
        assert answer == {
            "text": "Paket ini tidak bisa kamu beli: "
            "cara upgrade ini tidak tersedia untuk paket itu.",
            "show_alert": True,
        }
    assert await payment_rows(app) == []


@pytest.mark.parametrize(
    "data",
    ["zzz", "plan:abc", "plan:", "buy:1:gratis", "paym:1", "pcancel:satu", "review:approve"],
)
async def test_garbage_button_data_gets_the_stale_button_alert(
    app: BotUnderTest, data: str
) -> None:
    ani = await waiting_for_proof(app)
    instructions = app.core.last_sent(ANI)
    assert instructions is not None
    told_before = len(app.core.sent_to(ANI))
    answer = await press(app, ani, instructions, data, strict=False)
    assert answer == {"text": STALE, "show_alert": True}
    assert len(app.core.sent_to(ANI)) == told_before
    assert await statuses(app) == ["awaiting_proof"]


async def test_another_members_request_cannot_be_cancelled_or_changed(
    app: BotUnderTest,
) -> None:
    await waiting_for_proof(app)
    budi = await start(app, BUDI, "Budi")
    menu = app.core.last_sent(BUDI)
    assert menu is not None
    for data in ("pcancel:1", "paym:1:1", "pchg:1"):
        answer = await press(app, budi, menu, data, strict=False)
        assert answer == {"text": REQUEST_CLOSED, "show_alert": True}, data
    (row,) = await payment_rows(app)
    assert row.status == "awaiting_proof" and row.method_id == 1


# ---------------------------------------------------------------------- nothing to sell


async def test_no_payment_methods_tells_the_member_kindly_and_opens_nothing(
    app: BotUnderTest,
) -> None:
    ani = await start(app, ANI, "Ani")
    catalog = await open_shop(app, ani)
    await tap(app, ani, catalog, "Basic")
    quote = app.core.last_sent(ANI)
    assert quote is not None
    answer = await tap(app, ani, quote, "Lanjut bayar")
    assert answer == {
        "text": "Maaf, metode pembayaran belum disiapkan admin. Coba lagi nanti ya.",
        "show_alert": True,
    }
    assert await payment_rows(app) == []


async def test_a_vip_lifetime_member_sees_nothing_to_buy_and_why(app: BotUnderTest) -> None:
    admin_group(app)
    await add_method(app)
    ani = await start(app, ANI, "Ani")
    old_catalog = await open_shop(app, ani)
    await submit_proof(app, ani, receipt_jpeg(0, 1), "VIP")
    await approve_latest_card(app)

    catalog = await open_shop(app, ani)
    assert catalog["text"] == (
        "Kamu sudah memiliki paket tertinggi yang dijual saat ini. Terima kasih! 🙏"
    )
    assert labels(app, catalog) == ["❔ Kenapa paket lain tidak ada?", "⬅️ Kembali"]
    await tap(app, ani, catalog, "Kenapa")
    assert last_text(app, ANI) == (
        "Paket yang tidak ditawarkan ke kamu:\n"
        "• Basic Seumur Hidup: paket kamu sekarang sudah lebih tinggi"
        " (tidak bisa turun tingkat).\n"
        "• VIP Seumur Hidup: kamu sudah memiliki tingkat ini atau lebih tinggi seumur hidup."
    )

    # The catalog shown before the approval still has a VIP button: refused, nothing opened.
    answer = await tap(app, ani, old_catalog, "VIP")
    assert answer == {
        "text": "Paket ini tidak bisa kamu beli: "
        "kamu sudah memiliki tingkat ini atau lebih tinggi seumur hidup.",
        "show_alert": True,
    }
    assert await statuses(app) == ["approved"]


# ---------------------------------------------------------------------- temporal plans


async def holding_vip_30_days(app: BotUnderTest) -> tuple[JSON, int, int]:
    """Ani holds VIP 30 hari (bought and approved); VIP 180 hari is on sale too."""
    admin_group(app)
    await add_method(app)
    vip30 = await add_plan(app, "vip_30", "vip", 30, 500_000, 30)
    vip180 = await add_plan(app, "vip_180", "vip", 180, 1_500_000, 40)
    ani = await start(app, ANI, "Ani")
    await submit_proof(app, ani, receipt_jpeg(0, 1), "VIP 30")
    await approve_latest_card(app)
    assert "berlaku sampai 9 Feb 2026" in last_text(app, ANI)
    return ani, vip30, vip180


async def test_the_180_day_quote_offers_accumulate_and_full_price_and_freezes_the_choice(
    app: BotUnderTest,
) -> None:
    ani, _, vip180 = await holding_vip_30_days(app)
    app.container.clock.advance(days=14, hours=23)  # type: ignore[attr-defined]  # 15 days left

    catalog = await open_shop(app, ani)
    assert "VIP 180 hari — mulai Rp 1.250.000" in labels(app, catalog)
    await tap(app, ani, catalog, "VIP 180")
    quote = app.core.last_sent(ANI)
    assert quote is not None
    assert "Pilih cara upgrade:" in quote["text"]
    assert "Potongan dari sisa 15 hari VIP 30 hari: −Rp 250.000" in quote["text"]
    assert "Yang dibayar: Rp 1.250.000" in quote["text"]
    assert "Harga penuh: Rp 1.500.000" in quote["text"]
    assert "Sisa 15 hari VIP 30 hari ditambahkan ke masa aktif baru." in quote["text"]
    assert labels(app, quote) == [
        "Akumulasi — Rp 1.250.000",
        "Harga penuh — Rp 1.500.000",
        "⬅️ Kembali",
    ]
    assert find_button(app, quote, "Akumulasi") == f"buy:{vip180}:accumulate"

    await tap(app, ani, quote, "Akumulasi")  # one payment method: straight to where to pay
    assert "tepat Rp 1.250.000" in last_text(app, ANI)
    (_, first) = await payment_rows(app)
    assert (first.quote_mode, first.amount, first.credit) == ("accumulate", 1_250_000, 250_000)

    # Tapping the other mode while the first is open changes nothing: the mode is frozen.
    await tap(app, ani, quote, "Harga penuh")
    assert last_text(app, ANI).startswith(
        "Kamu masih punya pembayaran yang terbuka: #2 (VIP 180 hari, Rp 1.250.000)"
    )
    (_, still) = await payment_rows(app)
    assert (still.quote_mode, still.amount) == ("accumulate", 1_250_000)

    await send(app, app.core.command(ani, "/cancel"))
    await tap(app, ani, quote, "Harga penuh")
    assert "tepat Rp 1.500.000" in last_text(app, ANI)
    (_, _, second) = await payment_rows(app)
    assert (second.quote_mode, second.amount, second.days_carried) == ("full", 1_500_000, 15)


async def test_lifetime_from_a_temporal_plan_shows_the_full_price_notice(
    app: BotUnderTest,
) -> None:
    ani, _, _ = await holding_vip_30_days(app)
    catalog = await open_shop(app, ani)
    await tap(app, ani, catalog, "VIP Seumur Hidup")
    quote = app.core.last_sent(ANI)
    assert quote is not None
    assert "⚠️ Perhatian: paket seumur hidup dibayar dengan harga penuh." in quote["text"]
    assert "Harga penuh: Rp 299.000" in quote["text"]
    assert labels(app, quote) == ["✅ Lanjut bayar Rp 299.000", "⬅️ Kembali"]


# ---------------------------------------------------------------------- /me


async def me_text(app: BotUnderTest, user: JSON) -> tuple[str, list[str]]:
    await send(app, app.core.command(user, "/me"))
    shown = app.core.last_sent(user["id"])
    assert shown is not None
    return shown["text"], labels(app, shown)


async def test_me_with_nothing(app: BotUnderTest) -> None:
    ani = await start(app, ANI, "Ani")
    text, buttons = await me_text(app, ani)
    assert text == (
        "Keanggotaan kamu\nTingkat: belum ada paket aktif.\n\n"
        "Langkah berikutnya: pilih paket lewat 🛒 Beli."
    )
    assert buttons == ["🛒 Beli / Upgrade", "⬅️ Kembali"]


async def test_me_follows_an_open_request_through_its_states(app: BotUnderTest) -> None:
    admin_group(app)
    await add_method(app)
    await add_method(app, "DANA", number="0812000111")
    ani = await start(app, ANI, "Ani")
    methods = await at_method_screen(app, ani)

    text, buttons = await me_text(app, ani)
    assert "Pembayaran #1: Basic Seumur Hidup, Rp 97.000" in text
    assert "Status: menunggu pilihan metode pembayaran" in text
    assert "Langkah berikutnya: pilih metode pembayaran." in text
    assert buttons == [
        "➡️ Lanjutkan pembayaran",
        "✖️ Batalkan pembayaran",
        "⬅️ Kembali",
    ]

    await tap(app, ani, methods, "BCA")
    text, buttons = await me_text(app, ani)
    assert "Status: menunggu bukti transfer" in text
    assert "Langkah berikutnya: transfer Rp 97.000 lalu kirim foto buktinya di sini." in text
    assert buttons == ["✖️ Batalkan pembayaran", "⬅️ Kembali"]

    await send(app, app.core.private_photo(ani, receipt_jpeg(0, 1)))
    text, buttons = await me_text(app, ani)
    assert "Status: bukti sedang diperiksa admin" in text
    assert "Langkah berikutnya: tunggu admin memeriksa bukti kamu." in text
    assert buttons == ["✖️ Batalkan pembayaran", "⬅️ Kembali"]
    assert "Tingkat: belum ada paket aktif." in text


async def test_me_continue_button_brings_back_the_methods(app: BotUnderTest) -> None:
    await add_method(app)
    await add_method(app, "DANA", number="0812000111")
    ani = await start(app, ANI, "Ani")
    await at_method_screen(app, ani)
    await send(app, app.core.command(ani, "/me"))
    me = app.core.last_sent(ANI)
    assert me is not None
    await tap(app, ani, me, "Lanjutkan")
    methods = app.core.last_sent(ANI)
    assert methods is not None and "Pilih metode pembayaran" in methods["text"]
    await tap(app, ani, methods, "BCA")
    assert "tepat Rp 97.000" in last_text(app, ANI)


async def test_me_shows_a_temporal_membership_with_its_expiry_and_days_left(
    app: BotUnderTest,
) -> None:
    ani, _, _ = await holding_vip_30_days(app)
    app.container.clock.advance(days=10)  # type: ignore[attr-defined]
    text, buttons = await me_text(app, ani)
    assert "Tingkat: VIP" in text
    # Approved on 10-01-2026 (WIB) for 30 days; 10 days (and a few seconds) later.
    assert "• VIP 30 hari — sampai 9 Feb 2026 (19 hari lagi)" in text
    assert "Perpanjang VIP kamu sebelum habis: sisa harinya tidak hilang." in text
    # The VIP dashboard: no group set up in this bot, no account yet, no commission yet.
    assert "Dashboard VIP" in text
    assert "Grup diskusi: belum diatur oleh admin." in text
    assert "Akun TikTok affiliate: belum ada" in text
    assert "Komisi kamu: Rp 0 · dibayar Rp 0 · tersedia Rp 0" in text
    assert buttons == [
        "💰 Rincian komisi & saldo",
        "🔄 Perpanjang VIP 30 hari",
        "🛒 Beli / Upgrade",
        "⬅️ Kembali",
    ]
    (membership,) = await membership_rows(app)
    assert membership.expires_at is not None


# ---------------------------------------------------------------------- 24 hours without a proof


async def test_a_request_without_proof_expires_after_24_hours_once(app: BotUnderTest) -> None:
    ani = await waiting_for_proof(app)
    app.container.clock.advance(hours=23, minutes=59)  # type: ignore[attr-defined]
    assert await app.container.payments.expire_stale() == 0
    app.container.clock.advance(minutes=1)  # type: ignore[attr-defined]

    assert await app.container.payments.expire_stale() == 1
    assert await app.container.payments.expire_stale() == 0
    told_before = len(app.core.sent_to(ANI))
    await deliver(app)
    sent = app.core.sent_to(ANI)[told_before:]
    assert [m["text"] for m in sent] == [
        "⌛ Permintaan #1 ditutup karena 24 jam belum ada bukti pembayaran."
        " Kamu bisa mulai lagi kapan saja lewat menu."
    ]
    assert len(await outbox_to(app, ANI)) == 1
    assert await statuses(app) == ["expired"]

    await send(app, app.core.private_photo(ani, receipt_jpeg(0, 1)))
    await deliver(app)
    assert "tidak ada pembayaran yang menunggu bukti" in last_text(app, ANI)


async def test_a_submitted_request_does_not_expire(app: BotUnderTest) -> None:
    ani = await waiting_for_proof(app)
    await send(app, app.core.private_photo(ani, receipt_jpeg(0, 1)))
    app.container.clock.advance(hours=48)  # type: ignore[attr-defined]
    assert await app.container.payments.expire_stale() == 0
    assert await statuses(app) == ["submitted"]
    assert [row.text_key for row in await outbox_to(app, ANI)] == ["proof.received"]


# ---------------------------------------------------------------------- English


async def test_an_english_member_gets_the_flow_in_english(app: BotUnderTest) -> None:
    admin_group(app)
    await add_method(app)
    ann = await start(app, ANI, "Ann", language="en")
    catalog = await open_shop(app, ann)
    assert catalog["text"].startswith("Plans you can buy")
    assert "Basic Lifetime — Rp 97.000" in labels(app, catalog)
    answer = await press(app, ann, catalog, "plan:9999", strict=False)
    assert answer["text"] == (
        "This plan is no longer on sale. See the plans available under 🛒 Buy."
    )

    methods_first = await buy_until_payment_screen(app, ann, "Basic", "Continue to pay")
    assert "Transfer exactly Rp 97.000 to:" in methods_first["text"]
    assert labels(app, methods_first) == ["✖️ Cancel payment"]  # one method: nothing to change

    await send(app, app.core.private_text(ann, "done, sent it"))
    assert last_text(app, ANI).startswith(
        "I'm waiting for the photo of your transfer receipt for request #1 (Rp 97.000)."
    )
    await send(app, document(app, ann, b"%PDF-1.4", "receipt.pdf", "application/pdf"))
    assert last_text(app, ANI).startswith("This file is not an image.")
    await send(app, app.core.private_photo(ann, tiny_png()))
    assert last_text(app, ANI).startswith("That image is too small for an admin to read.")

    await send(app, app.core.private_photo(ann, receipt_jpeg(0, 1)))
    await deliver(app)
    assert last_text(app, ANI).startswith("✅ Proof received! Request number: #1.")
    await send(app, app.core.private_photo(ann, receipt_jpeg(0, 2)))
    assert last_text(app, ANI).startswith("We already have the proof for request #1")

    text, _ = await me_text(app, ann)
    assert "Your membership" in text and "Status: proof being checked by an admin" in text
    await send(app, app.core.command(ann, "/cancel"))
    assert last_text(app, ANI).startswith("Request #1 is cancelled.")
    await send(app, app.core.command(ann, "/cancel"))
    assert last_text(app, ANI) == "There is no open payment to cancel."
    assert await statuses(app) == ["cancelled"]


async def test_the_expiry_message_is_in_the_members_language(app: BotUnderTest) -> None:
    await waiting_for_proof(app, language="en")
    app.container.clock.advance(hours=24)  # type: ignore[attr-defined]
    await app.container.payments.expire_stale()
    await deliver(app)
    assert last_text(app, ANI).startswith(
        "⌛ Request #1 was closed because no payment proof arrived within 24 hours."
    )


# ---------------------------------------------------------------------- many proofs at once

ALREADY = "Bukti untuk permintaan #1 sudah kami terima dan sedang diperiksa admin."
APOLOGY = "Maaf, ada gangguan di sisi kami."


async def test_eight_photos_at_once_cost_one_decode_and_get_one_confirmation(
    app: BotUnderTest,
) -> None:
    """An album or an impatient member: eight updates handled concurrently. Proofs of one
    member are handled one at a time, so the second..eighth find the request submitted
    before anything is downloaded or decoded."""
    ani = await waiting_for_proof(app)
    inspected: list[int] = []

    def counting_inspector(data: bytes) -> ProofImage:
        inspected.append(len(data))
        return inspect_proof(data)

    app.dp["proof_inspector"] = counting_inspector  # the handler's seam (dispatcher data)
    app.container.clock.advance(seconds=5)  # type: ignore[attr-defined]  # a fresh throttle window
    told_before = len(app.core.sent_to(ANI))
    photos = [app.core.private_photo(ani, receipt_jpeg(0, n)) for n in range(8)]
    downloads_before = len([c for c in app.core.calls if c.method == "getFile"])

    await asyncio.gather(*(app.send(photo) for photo in photos))

    assert len(inspected) == 1
    assert len([c for c in app.core.calls if c.method == "getFile"]) == downloads_before + 1
    answers = texts(app, ANI)[told_before:]
    assert len(answers) == 7 and all(text.startswith(ALREADY) for text in answers)
    assert await statuses(app) == ["submitted"]
    assert len(await proof_rows(app)) == 1
    assert len(PROOF_LOCKS) == 0  # nobody holds or waits: the registry is empty again

    await deliver(app)
    answers = texts(app, ANI)[told_before:]
    assert [text for text in answers if RECEIVED in text] == [answers[-1]]
    assert len(cards(app)) == 1


async def test_the_confirmation_survives_telegram_failing_after_the_commit(
    app: BotUnderTest,
) -> None:
    """The proof is accepted and the card queued in one commit; the "proof received"
    goes through the outbox with them. Telegram answering 500 is retried by the relay,
    and the member is never told that something went wrong."""
    ani = await waiting_for_proof(app)
    told_before = len(app.core.sent_to(ANI))
    app.core.fail_next("sendMessage", 500)

    await send(app, app.core.private_photo(ani, receipt_jpeg(0, 1)))

    assert await statuses(app) == ["submitted"]
    assert len(app.core.sent_to(ANI)) == told_before  # nothing sent directly, no apology
    for _ in range(5):  # the relay retries what Telegram failed, after its backoff
        await deliver(app)
        app.container.clock.advance(minutes=5)  # type: ignore[attr-defined]
    answers = texts(app, ANI)[told_before:]
    assert [text for text in answers if RECEIVED in text] == [answers[0]]
    assert len(answers) == 1
    assert not any(APOLOGY in text for text in texts(app, ANI))
    assert len(cards(app)) == 1
    assert [row.text_key for row in await outbox_to(app, ANI)] == ["proof.received"]
