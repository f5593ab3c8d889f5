"""Payment cards in the admin group when things go sideways: the wrong person taps,
the data is forged, a proof is rejected and resent, two admins or two taps race,
the member walks away, and /pending brings the open work back.

Every test checks what the admin or the member reads and what the database holds.
"""

from __future__ import annotations

import asyncio
import copy
from collections.abc import AsyncIterator

import pytest
from sqlalchemy import func, select

from bot.container import build_container
from bot.dispatcher import build_dispatcher
from bot.settings import load_settings
from storage.models import AdminAction, OutboxMessage, PaymentMethod
from tests.handlers.conftest import ADMIN_CHAT, BotUnderTest
from tests.handlers.shopkit import (
    ADMIN_ID,
    add_method,
    admin_group,
    buy_until_payment_screen,
    cards,
    current,
    deliver,
    find_button,
    group_sticker,
    membership_rows,
    outbox_to,
    press,
    proof_rows,
    send,
    start,
    statuses,
    submit_proof,
    tap,
    texts,
)
from tests.kit.clock import FrozenClock
from tests.kit.fake_session import make_bot
from tests.kit.faketelegram import JSON, FakeTelegram
from tests.kit.images import receipt_jpeg

ANI, BUDI, CITRA = 501, 502, 503
LISTED_ADMIN = 7100  # in ADMIN_IDS, an ordinary member of the admin group

ONLY_ADMINS = "Maaf, ini hanya untuk admin grup admin."
NOT_FOUND = "Permintaan ini tidak ditemukan. Tombolnya mungkin sudah kedaluwarsa."
STALE = "Tombol ini sudah tidak berlaku. Ketik /start untuk menu terbaru."
REVIEW_BUTTONS = ["✅ Setujui", "❌ Tolak", "👤 Member"]
REASON_BUTTONS = [
    "Nominal tidak sesuai",
    "Bukti tidak terbaca",
    "Dana belum masuk",
    "Bukti duplikat",
    "✍️ Tulis alasan sendiri",
    "⬅️ Kembali",
]

# (callback code, button, the reason in Indonesian, the reason in English)
REASONS = [
    (
        "amount",
        "Nominal tidak sesuai",
        "Nominal yang ditransfer tidak sama dengan tagihan.",
        "The amount transferred is not the amount due.",
    ),
    (
        "unreadable",
        "Bukti tidak terbaca",
        "Foto bukti tidak terbaca dengan jelas.",
        "The proof photo can't be read clearly.",
    ),
    (
        "not_received",
        "Dana belum masuk",
        "Dana belum kami terima di rekening tujuan.",
        "We have not received the payment in our account.",
    ),
    (
        "duplicate",
        "Bukti duplikat",
        "Bukti ini sudah pernah dipakai untuk pembayaran lain.",
        "This proof was already used for another payment.",
    ),
]


@pytest.fixture
async def listed_app(db_url: str, clock: FrozenClock) -> AsyncIterator[BotUnderTest]:
    """Like the `app` fixture, with ADMIN_IDS naming LISTED_ADMIN."""
    core = FakeTelegram()
    settings = load_settings(
        _env_file=None,
        BOT_TOKEN=core.token,
        ADMIN_CHAT_ID=str(ADMIN_CHAT),
        DATABASE_URL=db_url,
        ADMIN_IDS=str(LISTED_ADMIN),
    )
    bot = make_bot(core)
    container = build_container(settings, bot=bot, clock=clock)
    dp = build_dispatcher(container)
    try:
        yield BotUnderTest(core, bot, dp, container)
    finally:
        await container.close()


def snapshot(app: BotUnderTest, message: JSON) -> JSON:
    """A copy of the message as it is now (`current` is live and follows later edits)."""
    return copy.deepcopy(current(app, message))


def labels(app: BotUnderTest, message: JSON) -> list[str]:
    return [text for text, _ in app.core.buttons(message)]


async def decisions_told(app: BotUnderTest, chat_id: int) -> list[OutboxMessage]:
    """What the member was queued besides "proof received" (queued with every card)."""
    return [row for row in await outbox_to(app, chat_id) if row.text_key != "proof.received"]


def last_text(app: BotUnderTest, chat_id: int) -> str:
    sent = app.core.last_sent(chat_id)
    assert sent is not None
    return str(sent.get("text") or sent.get("caption") or "")


async def card_for(
    app: BotUnderTest, user_id: int = ANI, name: str = "Ani", language: str = "id", seed: int = 1
) -> tuple[dict[str, JSON], JSON, JSON]:
    """The admin group, a BCA account and a member whose Basic proof waits on a card."""
    people = admin_group(app)
    if not await method_count(app):
        await add_method(app)
    member = await start(app, user_id, name, language)
    pay = "Continue to pay" if language == "en" else "Lanjut bayar"
    await buy_until_payment_screen(app, member, "Basic", pay)
    await send(app, app.core.private_photo(member, receipt_jpeg(seed % 6, seed)))
    await deliver(app)
    return people, member, cards(app)[-1]


async def method_count(app: BotUnderTest) -> int:
    async with app.container.uow() as work:
        found = await work.session.execute(select(func.count(PaymentMethod.id)))
        return int(found.scalar_one())


async def actions(app: BotUnderTest, action: str) -> int:
    async with app.container.uow() as work:
        found = await work.session.execute(
            select(func.count(AdminAction.id)).where(AdminAction.action == action)
        )
        return int(found.scalar_one())


# ---------------------------------------------------------------------- who may tap


@pytest.mark.parametrize("label", ["Setujui", "Tolak"])
async def test_a_group_member_who_is_not_an_admin_is_refused(app: BotUnderTest, label: str) -> None:
    people, _, card = await card_for(app)
    before = snapshot(app, card)
    answer = await tap(app, people["stranger"], card, label)
    assert answer == {"text": ONLY_ADMINS, "show_alert": True}
    assert current(app, card) == before  # same caption, same buttons
    assert await statuses(app) == ["submitted"]
    assert await membership_rows(app) == []
    assert len(await decisions_told(app, ANI)) == 0


async def test_a_forged_reason_tap_from_a_non_admin_rejects_nothing(app: BotUnderTest) -> None:
    people, _, card = await card_for(app)
    assert find_button(app, card, "Tolak") == "review:reject:1:1:-"
    answer = await press(app, people["stranger"], card, "review:reason:1:1:amount", strict=False)
    assert answer == {"text": ONLY_ADMINS, "show_alert": True}
    assert await statuses(app) == ["submitted"]
    assert [p.status for p in await proof_rows(app)] == ["submitted"]


async def test_someone_in_admin_ids_may_act_without_being_a_group_admin(
    listed_app: BotUnderTest,
) -> None:
    app = listed_app
    _, _, card = await card_for(app)
    listed = app.core.user(LISTED_ADMIN, "Fajar")
    app.core.set_member_status(ADMIN_CHAT, LISTED_ADMIN, "member")
    answer = await tap(app, listed, card, "Setujui")
    assert answer == {"text": "Disetujui. Member sudah diberi tahu."}
    assert "Disetujui oleh Fajar" in current(app, card)["caption"]
    assert await statuses(app) == ["approved"]
    assert len(await membership_rows(app)) == 1


async def test_admin_ids_do_not_make_other_members_admins(listed_app: BotUnderTest) -> None:
    app = listed_app
    people, _, card = await card_for(app)
    answer = await tap(app, people["stranger"], card, "Setujui")
    assert answer == {"text": ONLY_ADMINS, "show_alert": True}
    assert await statuses(app) == ["submitted"]


async def test_a_demoted_admin_keeps_rights_for_the_cached_minute_then_loses_them(
    app: BotUnderTest,
) -> None:
    people, _, card = await card_for(app)
    clock = app.container.clock
    await tap(app, people["admin"], card, "Tolak")  # Telegram is asked; the answer is cached
    assert labels(app, current(app, card)) == REASON_BUTTONS
    app.core.set_member_status(ADMIN_CHAT, ADMIN_ID, "member")

    clock.advance(seconds=30)  # type: ignore[attr-defined]
    answer = await tap(
        app, people["admin"], current(app, card), "Kembali"
    )  # 31 s after: still cached
    assert answer == {}
    assert labels(app, current(app, card)) == REVIEW_BUTTONS

    clock.advance(seconds=30)  # type: ignore[attr-defined]
    answer = await tap(
        app, people["admin"], current(app, card), "Setujui"
    )  # 62 s after: asked again
    assert answer == {"text": ONLY_ADMINS, "show_alert": True}
    assert await statuses(app) == ["submitted"]
    assert labels(app, current(app, card)) == REVIEW_BUTTONS
    assert await membership_rows(app) == []


# ---------------------------------------------------------------------- forged taps


async def test_a_forged_request_id_is_not_found(app: BotUnderTest) -> None:
    people, _, card = await card_for(app)
    before = snapshot(app, card)
    for action in ("approve", "reject", "back", "write"):
        answer = await press(app, people["admin"], card, f"review:{action}:999:1:-", strict=False)
        assert answer == {"text": NOT_FOUND, "show_alert": True}, action
    answer = await press(app, people["admin"], card, "review:reason:999:1:amount", strict=False)
    assert answer == {"text": NOT_FOUND, "show_alert": True}
    assert current(app, card) == before
    assert await statuses(app) == ["submitted"]
    assert await actions(app, "approve_payment") == await actions(app, "reject_payment") == 0


async def test_a_forged_proof_id_changes_nothing_on_the_card(app: BotUnderTest) -> None:
    people, _, card = await card_for(app)
    before = snapshot(app, card)
    answer = await press(app, people["admin"], card, "review:approve:1:999:-", strict=False)
    assert answer["show_alert"] is True
    assert "bukti lama" not in answer["text"]  # there is no earlier proof of #1
    assert await statuses(app) == ["submitted"]
    assert await membership_rows(app) == []
    assert current(app, card) == before
    await tap(app, people["admin"], card, "Setujui")  # the real card still works
    assert await statuses(app) == ["approved"]


async def test_a_forged_proof_id_approves_and_rejects_nothing(app: BotUnderTest) -> None:
    """A forged proof id decides nothing."""
    people, _, card = await card_for(app)
    for data in ("review:approve:1:999:-", "review:reason:1:999:amount"):
        answer = await press(app, people["admin"], card, data, strict=False)
        assert answer["show_alert"] is True
    assert await statuses(app) == ["submitted"]
    assert [p.status for p in await proof_rows(app)] == ["submitted"]
    assert await membership_rows(app) == []
    assert await decisions_told(app, ANI) == []


@pytest.mark.parametrize(
    "data",
    [
        "zzz",
        "review:approve",
        "review:approve:satu:1:-",
        "review:delete:1:1:-",
        "review:reason:1:1:pelit",
        "review:approve:1:1:-:extra",
    ],
)
async def test_garbage_data_on_a_card_gets_the_stale_alert(app: BotUnderTest, data: str) -> None:
    people, _, card = await card_for(app)
    before = snapshot(app, card)
    answer = await press(app, people["admin"], card, data, strict=False)
    assert answer == {"text": STALE, "show_alert": True}
    assert current(app, card) == before
    assert await statuses(app) == ["submitted"]


# ---------------------------------------------------------------------- rejecting


@pytest.mark.parametrize("language", ["id", "en"])
@pytest.mark.parametrize(("code", "button", "reason_id", "reason_en"), REASONS)
async def test_a_listed_reason_reaches_the_member_in_their_language(
    app: BotUnderTest, language: str, code: str, button: str, reason_id: str, reason_en: str
) -> None:
    people, _, card = await card_for(app, language=language)
    await tap(app, people["admin"], card, "Tolak")
    assert labels(app, current(app, card)) == REASON_BUTTONS
    assert find_button(app, current(app, card), button).endswith(f":{code}")

    answer = await tap(app, people["admin"], current(app, card), button)
    assert answer == {"text": "Ditolak. Member sudah diberi tahu."}
    closed = current(app, card)
    assert "❌ Ditolak oleh Dewi pada 10 Jan 2026" in closed["caption"]
    assert closed["caption"].endswith(f"Alasan: {reason_id}")  # the group reads Indonesian
    assert labels(app, closed) == ["👤 Member"]  # a closed card keeps the member
    assert await statuses(app) == ["awaiting_proof"]
    assert [p.status for p in await proof_rows(app)] == ["rejected"]
    assert [p.reject_reason for p in await proof_rows(app)] == [code]

    await deliver(app)
    told = last_text(app, ANI)
    if language == "en":
        assert told.startswith("❌ The payment proof for request #1 was rejected.")
        assert f"Reason: {reason_en}" in told
    else:
        assert told.startswith("❌ Bukti pembayaran untuk permintaan #1 ditolak.")
        assert f"Alasan: {reason_id}" in told


async def test_after_a_rejection_a_new_proof_gets_a_new_card_and_the_old_card_is_dead(
    app: BotUnderTest,
) -> None:
    people, ani, old_card = await card_for(app)
    approve_old = find_button(app, old_card, "Setujui")
    await tap(app, people["admin"], old_card, "Tolak")
    await tap(app, people["admin"], current(app, old_card), "Bukti tidak terbaca")
    await deliver(app)

    await send(app, app.core.private_photo(ani, receipt_jpeg(3, 7)))
    assert await statuses(app) == ["submitted"]
    await deliver(app)
    assert "Bukti diterima! Nomor permintaan: #1." in last_text(app, ANI)
    new_card = cards(app)[-1]
    assert new_card["message_id"] != old_card["message_id"]
    assert "Pembayaran #1" in new_card["caption"]
    assert labels(app, new_card) == REVIEW_BUTTONS
    assert find_button(app, new_card, "Setujui") != approve_old

    # A client still showing the old card's Approve button: refused, nothing approved.
    answer = await press(app, people["other"], old_card, approve_old, strict=False)
    assert answer == {
        "text": "Kartu ini untuk bukti lama permintaan #1 yang sudah ditolak."
        " Pakai kartu bukti terbaru.",
        "show_alert": True,
    }
    assert await statuses(app) == ["submitted"]
    assert await membership_rows(app) == []
    assert "member mengirim bukti baru" in current(app, old_card)["caption"]
    assert labels(app, current(app, new_card)) == REVIEW_BUTTONS

    answer = await tap(app, people["admin"], new_card, "Setujui")
    assert answer == {"text": "Disetujui. Member sudah diberi tahu."}
    assert await statuses(app) == ["approved"]
    assert [p.status for p in await proof_rows(app)] == ["rejected", "accepted"]
    await deliver(app)
    assert "Pembayaran #1 disetujui" in last_text(app, ANI)


async def test_an_admin_writes_their_own_reason(app: BotUnderTest) -> None:
    people, _, card = await card_for(app)
    await tap(app, people["admin"], card, "Tolak")
    answer = await tap(app, people["admin"], current(app, card), "Tulis alasan sendiri")
    assert answer == {}
    prompt = app.core.last_sent(ADMIN_CHAT)
    assert prompt is not None
    assert prompt["text"].startswith(
        "Dewi, tulis alasan penolakan untuk permintaan #1 sebagai balasan pesan ini"
    )
    assert prompt["reply_to_message"]["message_id"] == card["message_id"]
    assert await statuses(app) == ["submitted"]

    note = "Transfer dari rekening atas nama lain, mohon kirim bukti dari rekening kamu <ya>"
    await send(app, app.core.group_text(ADMIN_CHAT, people["admin"], note, reply_to=prompt))
    assert last_text(app, ADMIN_CHAT) == (
        "Permintaan #1 ditolak dengan alasan kamu. Member sudah diberi tahu."
    )
    closed = current(app, card)
    assert closed["caption"].endswith(f"Alasan: {note}")
    assert labels(app, closed) == ["👤 Member"]  # a closed card keeps the member
    assert await statuses(app) == ["awaiting_proof"]
    assert [p.reject_reason for p in await proof_rows(app)] == [note]

    await deliver(app)
    assert f"Alasan: {note}" in last_text(app, ANI)


async def test_cancel_while_writing_a_reason_keeps_the_card_open(app: BotUnderTest) -> None:
    people, _, card = await card_for(app)
    await tap(app, people["admin"], card, "Tolak")
    await tap(app, people["admin"], current(app, card), "Tulis alasan sendiri")
    await send(app, app.core.command(people["admin"], "/cancel", chat_id=ADMIN_CHAT))
    assert last_text(app, ADMIN_CHAT) == (
        "Oke, penolakan #1 dibatalkan. Kartunya tetap menunggu keputusan."
    )
    assert await statuses(app) == ["submitted"]
    assert await decisions_told(app, ANI) == []

    # No longer writing: the next message in the group is just chat.
    sent_before = len(app.core.sent_to(ADMIN_CHAT))
    await send(app, app.core.group_text(ADMIN_CHAT, people["admin"], "oke nanti saya cek"))
    assert len(app.core.sent_to(ADMIN_CHAT)) == sent_before
    assert await statuses(app) == ["submitted"]

    # The card's buttons still work.
    await tap(app, people["admin"], current(app, card), "Kembali")
    assert labels(app, current(app, card)) == REVIEW_BUTTONS
    await tap(app, people["admin"], current(app, card), "Setujui")
    assert await statuses(app) == ["approved"]


@pytest.mark.parametrize("what", ["sticker", "photo", "command", "too long"])
async def test_anything_but_a_short_text_while_writing_asks_for_text(
    app: BotUnderTest, what: str
) -> None:
    people, _, card = await card_for(app)
    admin = people["admin"]
    await tap(app, admin, card, "Tolak")
    await tap(app, admin, current(app, card), "Tulis alasan sendiri")
    update = {
        "sticker": lambda: group_sticker(app, ADMIN_CHAT, admin),
        "photo": lambda: app.core.group_photo(ADMIN_CHAT, admin, receipt_jpeg(5, 3)),
        "command": lambda: app.core.group_text(ADMIN_CHAT, admin, "/approve"),
        "too long": lambda: app.core.group_text(ADMIN_CHAT, admin, "x" * 501),
    }[what]()
    await send(app, update)
    assert last_text(app, ADMIN_CHAT) == (
        "Tulis alasannya sebagai teks ya (maksimal 500 huruf), atau ketik /cancel untuk batal."
    )
    assert await statuses(app) == ["submitted"]

    # Still writing: the next text is the reason.
    await send(app, app.core.group_text(ADMIN_CHAT, admin, "Nama pengirim beda"))
    assert await statuses(app) == ["awaiting_proof"]
    assert current(app, card)["caption"].endswith("Alasan: Nama pengirim beda")


async def test_reject_then_back_restores_the_buttons(app: BotUnderTest) -> None:
    people, _, card = await card_for(app)
    caption = card["caption"]
    await tap(app, people["admin"], card, "Tolak")
    assert labels(app, current(app, card)) == REASON_BUTTONS
    await tap(app, people["other"], current(app, card), "Kembali")
    restored = current(app, card)
    assert labels(app, restored) == REVIEW_BUTTONS
    assert restored["caption"] == caption
    assert await statuses(app) == ["submitted"]
    await tap(app, people["admin"], restored, "Setujui")
    assert await statuses(app) == ["approved"]


async def test_a_double_tap_on_a_reason_rejects_once_and_tells_the_member_once(
    app: BotUnderTest,
) -> None:
    people, _, card = await card_for(app)
    await tap(app, people["admin"], card, "Tolak")
    data = find_button(app, current(app, card), "Nominal tidak sesuai")
    both = [app.core.press(people["admin"], current(app, card), data) for _ in range(2)]
    app.container.clock.advance(seconds=1)  # type: ignore[attr-defined]
    await asyncio.gather(*(app.send(u) for u in both))  # one thumb, twice, at once

    answers = sorted(
        app.core.callback_answers[u["callback_query"]["id"]].get("text", "") for u in both
    )
    assert answers == [
        "Bukti ini sudah ditolak oleh Dewi pada 10 Jan 2026 10.00. Tidak ada yang berubah.",
        "Ditolak. Member sudah diberi tahu.",
    ]
    assert await actions(app, "reject_payment") == 1
    assert [p.status for p in await proof_rows(app)] == ["rejected"]
    assert len(await decisions_told(app, ANI)) == 1
    told_before = len(app.core.sent_to(ANI))
    await deliver(app)
    assert len(app.core.sent_to(ANI)) == told_before + 1


async def test_two_admins_reject_with_different_reasons_only_the_first_counts(
    app: BotUnderTest,
) -> None:
    people, _, card = await card_for(app)
    await tap(app, people["admin"], card, "Tolak")
    reasons = snapshot(app, card)
    first = await tap(app, people["admin"], reasons, "Dana belum masuk")
    assert first == {"text": "Ditolak. Member sudah diberi tahu."}
    late = await press(
        app, people["other"], reasons, find_button(app, reasons, "Bukti duplikat"), strict=False
    )
    assert late["show_alert"] is True
    assert late["text"].startswith("Bukti ini sudah ditolak oleh Dewi pada ")
    assert [p.reject_reason for p in await proof_rows(app)] == ["not_received"]
    assert current(app, card)["caption"].endswith(
        "Alasan: Dana belum kami terima di rekening tujuan."
    )
    assert len(await decisions_told(app, ANI)) == 1


# ---------------------------------------------------------------------- the member walked away


async def test_approve_after_the_member_cancelled_is_refused_and_the_card_says_so(
    app: BotUnderTest,
) -> None:
    people, ani, card = await card_for(app)
    await send(app, app.core.command(ani, "/cancel"))
    assert await statuses(app) == ["cancelled"]

    answer = await tap(app, people["admin"], card, "Setujui")
    assert answer == {
        "text": "Member sudah membatalkan permintaan ini. Tidak ada yang berubah.",
        "show_alert": True,
    }
    closed = current(app, card)
    assert closed["caption"].endswith("✖️ Dibatalkan oleh member.")
    assert labels(app, closed) == ["👤 Member"]  # a closed card keeps the member
    assert await statuses(app) == ["cancelled"]
    assert await membership_rows(app) == []
    assert [p.status for p in await proof_rows(app)] == ["withdrawn"]


async def test_a_reason_after_the_member_cancelled_is_refused_too(app: BotUnderTest) -> None:
    people, ani, card = await card_for(app)
    await tap(app, people["admin"], card, "Tolak")
    reasons = snapshot(app, card)
    await send(app, app.core.command(ani, "/cancel"))
    answer = await tap(app, people["admin"], reasons, "Bukti duplikat")
    assert answer["text"] == "Member sudah membatalkan permintaan ini. Tidak ada yang berubah."
    assert current(app, card)["caption"].endswith("✖️ Dibatalkan oleh member.")
    assert await statuses(app) == ["cancelled"]
    assert len(await decisions_told(app, ANI)) == 0


# ---------------------------------------------------------------------- /pending


async def test_pending_with_nothing_open(app: BotUnderTest) -> None:
    people = admin_group(app)
    await send(app, app.core.command(people["admin"], "/pending", chat_id=ADMIN_CHAT))
    assert last_text(app, ADMIN_CHAT) == "Tidak ada pembayaran yang terbuka. 🎉"


async def test_pending_is_one_list_whose_buttons_open_each_card_oldest_first(
    app: BotUnderTest,
) -> None:
    people, _, _ = await card_for(app, ANI, "Ani", seed=1)
    await card_for(app, BUDI, "Budi", seed=2)
    citra = await start(app, CITRA, "Citra")
    await buy_until_payment_screen(app, citra, "VIP")
    assert await statuses(app) == ["submitted", "submitted", "awaiting_proof"]

    sent_before = len(app.core.sent_to(ADMIN_CHAT))
    await send(app, app.core.command(people["other"], "/pending", chat_id=ADMIN_CHAT))
    (listing,) = app.core.sent_to(ADMIN_CHAT)[sent_before:]  # one message, not a burst
    assert listing["text"] == (
        "Pembayaran terbuka\n"
        "Menunggu keputusan admin: 2\n"
        "Menunggu bukti dari member: 1\n"
        "• #3 Citra: VIP Seumur Hidup, Rp 299.000 — menunggu bukti transfer\n"
        "\n"
        "Ketuk permintaan di bawah untuk membuka kartunya (foto bukti dengan tombol "
        "Setujui/Tolak)."
    )
    assert labels(app, listing) == ["📄 #1 · Ani · Rp 97.000", "📄 #2 · Budi · Rp 97.000"]

    await tap(app, people["admin"], listing, "📄 #2 · Budi · Rp 97.000")
    second = app.core.last_sent(ADMIN_CHAT)
    assert second is not None and "photo" in second
    assert second["caption"].startswith("💳 Pembayaran #2\nMember: Budi")
    assert labels(app, second) == REVIEW_BUTTONS

    answer = await tap(app, people["admin"], second, "Setujui")
    assert answer == {"text": "Disetujui. Member sudah diberi tahu."}
    assert "Disetujui oleh Dewi" in current(app, second)["caption"]
    assert await statuses(app) == ["submitted", "approved", "awaiting_proof"]
    await deliver(app)
    assert "Pembayaran #2 disetujui" in last_text(app, BUDI)

    # The list is old now: its button for #2 says so and posts nothing.
    sent_before = len(app.core.sent_to(ADMIN_CHAT))
    closed = await tap(app, people["admin"], listing, "📄 #2 · Budi · Rp 97.000")
    assert closed == {
        "text": "Permintaan ini sudah tidak menunggu keputusan.",
        "show_alert": True,
    }
    assert len(app.core.sent_to(ADMIN_CHAT)) == sent_before


async def test_a_stranger_cannot_open_a_card_from_the_pending_list(app: BotUnderTest) -> None:
    people, _, _ = await card_for(app)
    await send(app, app.core.command(people["admin"], "/pending", chat_id=ADMIN_CHAT))
    listing = app.core.last_sent(ADMIN_CHAT)
    assert listing is not None
    sent_before = len(app.core.sent_to(ADMIN_CHAT))
    answer = await tap(app, people["stranger"], listing, labels(app, listing)[0])
    assert answer["text"] == ONLY_ADMINS and answer.get("show_alert") is True
    assert len(app.core.sent_to(ADMIN_CHAT)) == sent_before


async def test_pending_shows_a_request_waiting_for_its_method(app: BotUnderTest) -> None:
    people = admin_group(app)
    await add_method(app)
    await add_method(app, "DANA", number="0812000111")  # two methods: a choice to make
    citra = await start(app, CITRA, "Citra")
    await send(app, app.core.command(citra, "/buy"))
    catalog_message = app.core.last_sent(CITRA)
    assert catalog_message is not None
    await tap(app, citra, catalog_message, "Basic")
    quote = app.core.last_sent(CITRA)
    assert quote is not None
    await tap(app, citra, quote, "Lanjut bayar")
    await send(app, app.core.command(people["admin"], "/pending", chat_id=ADMIN_CHAT))
    assert last_text(app, ADMIN_CHAT) == (
        "Pembayaran terbuka\n"
        "Menunggu keputusan admin: 0\n"
        "Menunggu bukti dari member: 1\n"
        "• #1 Citra: Basic Seumur Hidup, Rp 97.000 — menunggu pilihan metode pembayaran"
    )


async def test_pending_opens_an_image_file_proof_as_a_document(app: BotUnderTest) -> None:
    people = admin_group(app)
    await add_method(app)
    ani = await start(app, ANI, "Ani")
    await buy_until_payment_screen(app, ani, "Basic")
    jpeg = receipt_jpeg(2, 2)
    await send(app, app.core.private_document(ani, jpeg, "bukti.jpg", "image/jpeg"))
    await send(app, app.core.command(people["admin"], "/pending", chat_id=ADMIN_CHAT))
    listing = app.core.last_sent(ADMIN_CHAT)
    assert listing is not None
    await tap(app, people["admin"], listing, labels(app, listing)[0])
    resent = app.core.last_sent(ADMIN_CHAT)
    assert resent is not None and "document" in resent
    assert resent["caption"].startswith("💳 Pembayaran #1")
    assert labels(app, resent) == REVIEW_BUTTONS


async def test_pending_from_a_non_admin_is_refused(app: BotUnderTest) -> None:
    people, _, _ = await card_for(app)
    sent_before = len(app.core.sent_to(ADMIN_CHAT))
    await send(app, app.core.command(people["stranger"], "/pending", chat_id=ADMIN_CHAT))
    (refusal,) = app.core.sent_to(ADMIN_CHAT)[sent_before:]
    assert refusal["text"] == ONLY_ADMINS
    assert refusal["reply_to_message"]["from"]["id"] == people["stranger"]["id"]


# ---------------------------------------------------------------------- duplicates


async def test_the_same_image_from_a_second_member_is_flagged_on_the_card(
    app: BotUnderTest,
) -> None:
    admin_group(app)
    await add_method(app)
    same = receipt_jpeg(1, 11)
    ani = await start(app, ANI, "Ani")
    first = await submit_proof(app, ani, same)
    assert "⚠️" not in first["caption"]
    budi = await start(app, BUDI, "Budi")
    second = await submit_proof(app, budi, same)
    assert "Pembayaran #2" in second["caption"] and "Member: Budi" in second["caption"]
    assert second["caption"].endswith(
        "⚠️ Bukti ini sama/mirip dengan bukti permintaan #1 dari member lain: Ani"
        f" (id {ANI}). Periksa dengan teliti."
    )
    (_, flagged) = await proof_rows(app)
    assert flagged.duplicate_of_proof_id == 1
    assert labels(app, second) == REVIEW_BUTTONS  # flagged, never refused by itself
    assert await statuses(app) == ["submitted", "submitted"]


async def test_the_member_reusing_their_own_proof_is_flagged_as_theirs(app: BotUnderTest) -> None:
    people = admin_group(app)
    await add_method(app)
    same = receipt_jpeg(4, 12)
    ani = await start(app, ANI, "Ani")
    await submit_proof(app, ani, same)
    await tap(app, people["admin"], cards(app)[-1], "Setujui")
    second = await submit_proof(app, ani, same, "VIP")
    assert second["caption"].endswith(
        "⚠️ Bukti ini sama/mirip dengan bukti permintaan #1 dari member yang sama."
        " Periksa apakah ini pembayaran baru."
    )


async def test_unrelated_receipts_are_not_flagged(app: BotUnderTest) -> None:
    _, _, first = await card_for(app, ANI, "Ani", seed=1)
    _, _, second = await card_for(app, BUDI, "Budi", seed=2)
    assert "⚠️" not in first["caption"] and "⚠️" not in second["caption"]
    assert texts(app, ADMIN_CHAT) == [first["caption"], second["caption"]]


# ---------------------------------------------------------------------- more races around a card


async def test_only_the_admin_who_asked_to_write_is_writing(app: BotUnderTest) -> None:
    people, _, card = await card_for(app)
    await tap(app, people["admin"], card, "Tolak")
    await tap(app, people["admin"], current(app, card), "Tulis alasan sendiri")
    sent_before = len(app.core.sent_to(ADMIN_CHAT))
    await send(app, app.core.group_text(ADMIN_CHAT, people["other"], "Sebentar, saya cek mutasi"))
    assert len(app.core.sent_to(ADMIN_CHAT)) == sent_before  # Eko is just chatting
    assert await statuses(app) == ["submitted"]
    await send(app, app.core.group_text(ADMIN_CHAT, people["admin"], "Nominal kurang Rp 1.000"))
    assert current(app, card)["caption"].endswith("Alasan: Nominal kurang Rp 1.000")
    assert await statuses(app) == ["awaiting_proof"]


async def test_a_reason_written_after_another_admin_approved_changes_nothing(
    app: BotUnderTest,
) -> None:
    people, _, card = await card_for(app)
    await tap(app, people["admin"], card, "Tolak")
    await tap(app, people["admin"], current(app, card), "Tulis alasan sendiri")
    await tap(app, people["other"], current(app, card), "Kembali")
    await tap(app, people["other"], current(app, card), "Setujui")
    assert await statuses(app) == ["approved"]

    await send(app, app.core.group_text(ADMIN_CHAT, people["admin"], "Bukti buram"))
    assert last_text(app, ADMIN_CHAT).startswith("Sudah disetujui oleh Eko pada 10 Jan 2026")
    assert "Disetujui oleh Eko" in current(app, card)["caption"]
    assert "Bukti buram" not in current(app, card)["caption"]
    assert await statuses(app) == ["approved"]
    assert [p.status for p in await proof_rows(app)] == ["accepted"]
    await deliver(app)
    assert "Pembayaran #1 disetujui" in last_text(app, ANI)


async def test_a_reason_written_for_a_proof_already_replaced_keeps_both_cards_right(
    app: BotUnderTest,
) -> None:
    people, ani, card = await card_for(app)
    await tap(app, people["admin"], card, "Tolak")
    await tap(app, people["admin"], current(app, card), "Tulis alasan sendiri")
    await tap(app, people["other"], current(app, card), "Bukti duplikat")  # Eko is faster
    rejected_caption = current(app, card)["caption"]
    assert rejected_caption.endswith(
        "Alasan: Bukti ini sudah pernah dipakai untuk pembayaran lain."
    )
    await send(app, app.core.private_photo(ani, receipt_jpeg(2, 8)))  # Ani sends a new proof
    await deliver(app)
    new_card = cards(app)[-1]

    await send(app, app.core.group_text(ADMIN_CHAT, people["admin"], "Bukti buram"))
    reply = last_text(app, ADMIN_CHAT)
    assert "Eko" in reply and "pada -" not in reply
    assert current(app, card)["caption"] == rejected_caption
    assert labels(app, current(app, new_card)) == REVIEW_BUTTONS
    assert await statuses(app) == ["submitted"]
    assert [p.status for p in await proof_rows(app)] == ["rejected", "submitted"]


async def test_a_reason_written_for_a_replaced_proof_rejects_nothing(app: BotUnderTest) -> None:
    """A reason typed for a proof that was replaced meanwhile decides nothing."""
    people, ani, card = await card_for(app)
    await tap(app, people["admin"], card, "Tolak")
    await tap(app, people["admin"], current(app, card), "Tulis alasan sendiri")
    await tap(app, people["other"], current(app, card), "Bukti duplikat")
    await send(app, app.core.private_photo(ani, receipt_jpeg(2, 8)))
    await deliver(app)
    new_card = cards(app)[-1]
    await send(app, app.core.group_text(ADMIN_CHAT, people["admin"], "Bukti buram"))
    assert await statuses(app) == ["submitted"]
    assert [p.status for p in await proof_rows(app)] == ["rejected", "submitted"]
    assert labels(app, current(app, new_card)) == REVIEW_BUTTONS
    assert [o.text_key for o in await decisions_told(app, ANI)] == ["payment.rejected"]


async def test_pending_lists_eleven_cards_as_eleven_buttons_in_one_message(
    app: BotUnderTest,
) -> None:
    people = admin_group(app)
    await add_method(app)
    for n in range(11):
        member = await start(app, 600 + n, f"Member{n}")
        await buy_until_payment_screen(app, member, "Basic")
        await send(app, app.core.private_photo(member, receipt_jpeg(n % 6, 100 + n)))
    sent_before = len(app.core.sent_to(ADMIN_CHAT))
    await send(app, app.core.command(people["admin"], "/pending", chat_id=ADMIN_CHAT))
    (listing,) = app.core.sent_to(ADMIN_CHAT)[sent_before:]
    assert listing["text"].startswith(
        "Pembayaran terbuka\nMenunggu keputusan admin: 11\nMenunggu bukti dari member: 0"
    )
    assert labels(app, listing) == [f"📄 #{n + 1} · Member{n} · Rp 97.000" for n in range(11)]


async def test_an_english_member_is_told_of_the_approval_in_english(app: BotUnderTest) -> None:
    people, _, card = await card_for(app, language="en")
    assert "Pembayaran #1" in card["caption"]  # the admin group reads Indonesian
    await tap(app, people["admin"], card, "Setujui")
    await deliver(app)
    assert last_text(app, ANI).startswith("✅ Payment #1 approved!")
    assert "Basic Lifetime" in last_text(app, ANI)


async def test_a_rejected_request_expires_a_day_after_the_rejection(app: BotUnderTest) -> None:
    people, _, card = await card_for(app)
    await tap(app, people["admin"], card, "Tolak")
    await tap(app, people["admin"], current(app, card), "Dana belum masuk")
    await deliver(app)
    app.container.clock.advance(hours=23)  # type: ignore[attr-defined]
    assert await app.container.payments.expire_stale() == 0
    app.container.clock.advance(hours=1)  # type: ignore[attr-defined]
    assert await app.container.payments.expire_stale() == 1
    await deliver(app)
    assert last_text(app, ANI).startswith("⌛ Permintaan #1 ditutup karena 24 jam")
    assert await statuses(app) == ["expired"]
    assert [o.text_key for o in await decisions_told(app, ANI)] == [
        "payment.rejected",
        "payment.expired",
    ]


async def test_a_tap_carrying_another_cards_ids_leaves_this_card_alone(
    app: BotUnderTest,
) -> None:
    people, _, ani_card = await card_for(app, ANI, "Ani", seed=1)
    await card_for(app, BUDI, "Budi", seed=2)
    before = snapshot(app, ani_card)
    answer = await press(app, people["admin"], ani_card, "review:approve:2:2:-", strict=False)
    assert answer.get("show_alert") is True
    assert current(app, ani_card)["caption"] == before["caption"]
    assert labels(app, current(app, ani_card)) == REVIEW_BUTTONS
