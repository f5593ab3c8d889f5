"""The daily report in private chat, as a member on a phone meets it."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import date

import pytest
from aiogram.fsm.storage.base import StorageKey

from domain.states import ReportStatus
from handlers.member.reports.draft import FlowAction, FlowCallback
from tests.handlers.conftest import ADMIN_CHAT, BotUnderTest
from tests.handlers.reportflowkit import (
    ADMIN,
    ANSWERS,
    fill_until_screenshots,
    fill_until_summary,
    last,
    last_text,
    member,
    photo,
    report_rows,
    say,
    screenshot_rows,
    tap_label,
    truncated_jpeg,
)
from tests.handlers.shopkit import find_button, outbox_to, press, send, start
from tests.kit.faketelegram import JSON
from tests.kit.images import receipt_jpeg

ANI = 601
TODAY = "10 Jan 2026"  # the frozen clock: 10:00 in Jakarta
ELEVEN_MB = 11 * 1024 * 1024


async def asked_admins(app: BotUnderTest) -> list[str]:
    """What members' messages were relayed to the admins as questions."""
    return [row.params["html"] for row in await outbox_to(app, ADMIN_CHAT)
            if row.kind == "qa_question"]  # fmt: skip


async def admin_cards(app: BotUnderTest) -> list[str]:
    return [row.text_key for row in await outbox_to(app, ADMIN_CHAT)]


# ---------------------------------------------------------------------- the whole journey


async def test_a_vip_reports_the_day_and_sends_it_to_the_admins(app: BotUnderTest) -> None:
    ani = await member(app, ANI, "Ani")
    await send(app, app.core.command(ani, "/report"))
    intro, question = app.core.sent_to(ANI)[-2:]
    assert f"Laporan harian tanggal {TODAY}" in intro["text"]
    assert "video" in question["text"] and "3" in question["text"]

    assert "link" in await say(app, ani, "2")
    assert "views" in await say(app, ani, ANSWERS[1])
    assert "pesanan" in await say(app, ani, "12,5rb")
    assert "penjualan" in await say(app, ani, "4")
    assert "komisi" in await say(app, ani, "Rp 1.250.000")
    assert "screenshot" in await say(app, ani, "85rb")

    assert "Screenshot 1 dari maksimal 5" in await photo(app, ani, seed=1)
    assert [t for t, _ in app.core.buttons(last(app, ani))] == ["✅ Selesai"]
    assert "Screenshot 2 dari maksimal 5" in await photo(app, ani, seed=2)
    await tap_label(app, ani, last(app, ani), "Selesai")

    summary = last(app, ani)
    text = summary["text"]
    assert f"Ringkasan laporan tanggal {TODAY}" in text
    assert "Video diposting: 2" in text
    assert "https://vt.tiktok.com/ZSa1/" in text and "https://vt.tiktok.com/ZSb2/" in text
    assert "Views: 12.500" in text and "Pesanan: 4" in text
    assert "Penjualan: Rp 1.250.000" in text and "Komisi: Rp 85.000" in text
    assert "Screenshot: 2" in text
    assert [t for t, _ in app.core.buttons(summary)] == ["📤 Kirim", "✏️ Ubah", "✖️ Batal"]
    assert await report_rows(app) == []  # nothing is sent before Send

    answer = await tap_label(app, ani, summary, "Kirim")
    assert answer["text"] == "Terkirim!"
    assert "terkirim (komisi Rp 85.000)" in last_text(app, ani)
    assert "Admin akan memvalidasinya" in last_text(app, ani)

    (row,) = await report_rows(app)
    assert row.report_date == date(2026, 1, 10) and row.version == 1
    assert row.status == ReportStatus.SUBMITTED
    assert (row.videos_posted, row.views, row.orders) == (2, 12_500, 4)
    assert (row.sales, row.commission_claimed) == (1_250_000, 85_000)
    assert row.links == {"items": ["https://vt.tiktok.com/ZSa1/", "https://vt.tiktok.com/ZSb2/"]}
    shots = await screenshot_rows(app, row.id)
    assert [s.media_kind for s in shots] == ["photo", "photo"]
    assert len({s.file_unique_id for s in shots}) == 2
    # The admins get the extra screenshot, then the card with the first one.
    assert await admin_cards(app) == ["report_review.screenshot", "report_review.card"]
    card = (await outbox_to(app, ADMIN_CHAT))[-1]
    assert card.photo_file_id == shots[0].telegram_file_id and card.buttons

    # The flow is over: a text is no longer read as a report answer but as a question.
    await send(app, app.core.private_text(ani, "5"))
    assert await asked_admins(app) == ["5"]


async def test_no_video_posted_skips_the_links(app: BotUnderTest) -> None:
    ani = await member(app, ANI, "Ani")
    await send(app, app.core.command(ani, "/report"))
    assert "views" in await say(app, ani, "0")
    summary = await fill_until_summary_from_views(app, ani)
    assert "Video diposting: 0" in summary["text"] and "Link:\n-" in summary["text"]
    # No links to edit when there is no video.
    await tap_label(app, ani, summary, "Ubah")
    labels = [t for t, _ in app.core.buttons(last(app, ani))]
    assert "Link video" not in labels and "Komisi" in labels


async def fill_until_summary_from_views(app: BotUnderTest, ani: JSON) -> JSON:
    for answer in ANSWERS[2:]:
        await say(app, ani, answer)
    await photo(app, ani)
    await tap_label(app, ani, last(app, ani), "Selesai")
    return last(app, ani)


async def test_the_menu_button_starts_the_report_too(app: BotUnderTest) -> None:
    ani = await member(app, ANI, "Ani")
    menu = app.core.sent_to(ANI)[1]
    await tap_label(app, ani, menu, "Laporan harian")
    assert "Berapa video yang kamu posting hari ini?" in last_text(app, ani)


async def test_editing_one_field_returns_to_the_summary(app: BotUnderTest) -> None:
    ani = await member(app, ANI, "Ani")
    summary = await fill_until_summary(app, ani)
    await tap_label(app, ani, summary, "Ubah")
    choices = last(app, ani)
    assert "Bagian mana" in choices["text"]
    await tap_label(app, ani, choices, "Komisi")
    assert "komisi" in last_text(app, ani)
    assert "Rp 90.000" not in last_text(app, ani)
    await say(app, ani, "90.000")
    new_summary = last(app, ani)
    assert "Komisi: Rp 90.000" in new_summary["text"]
    assert "Views: 12.500" in new_summary["text"]  # the rest is kept
    await tap_label(app, ani, new_summary, "Kirim")
    (row,) = await report_rows(app)
    assert row.commission_claimed == 90_000 and row.views == 12_500


async def test_editing_the_videos_asks_the_links_again_and_screenshots_start_over(
    app: BotUnderTest,
) -> None:
    ani = await member(app, ANI, "Ani")
    summary = await fill_until_summary(app, ani, shots=2)
    await tap_label(app, ani, summary, "Ubah")
    await tap_label(app, ani, last(app, ani), "Jumlah video")
    assert "link" in await say(app, ani, "1")
    await say(app, ani, "https://vt.tiktok.com/ZSnew/")
    summary = last(app, ani)
    assert "Video diposting: 1" in summary["text"] and "ZSnew" in summary["text"]
    assert "ZSa1" not in summary["text"]

    await tap_label(app, ani, summary, "Ubah")
    await tap_label(app, ani, last(app, ani), "Screenshot")
    await photo(app, ani, seed=4)
    await tap_label(app, ani, last(app, ani), "Selesai")
    assert "Screenshot: 1" in last_text(app, ani)


async def test_cancel_drops_the_draft_and_its_buttons_stop_working(app: BotUnderTest) -> None:
    ani = await member(app, ANI, "Ani")
    summary = await fill_until_summary(app, ani)
    await tap_label(app, ani, summary, "Batal")
    assert "Tidak ada yang terkirim" in last_text(app, ani)
    answer = await tap_label(app, ani, summary, "Kirim")
    assert "Tidak ada laporan yang sedang ditulis" in answer["text"]
    assert await report_rows(app) == []
    assert await admin_cards(app) == []


async def test_a_double_tap_on_send_sends_one_report(app: BotUnderTest) -> None:
    ani = await member(app, ANI, "Ani")
    summary = await fill_until_summary(app, ani)
    data = find_button(app, summary, "Kirim")
    app.container.clock.advance(seconds=1)  # type: ignore[attr-defined]
    first = app.core.press(ani, summary, data)
    second = app.core.press(ani, summary, data)
    await asyncio.gather(app.send(first), app.send(second))
    answers = sorted(
        app.core.callback_answers[u["callback_query"]["id"]]["text"] for u in (first, second)
    )
    assert answers == ["Laporan ini sudah terkirim. Tidak perlu menekan lagi.", "Terkirim!"]
    (row,) = await report_rows(app)
    assert row.version == 1
    assert await admin_cards(app) == ["report_review.card"]
    # And a third tap, later, is just as kind.
    answer = await press(app, ani, summary, data)
    assert "sudah terkirim" in answer["text"]


async def test_sending_again_the_same_day_replaces_the_report(app: BotUnderTest) -> None:
    ani = await member(app, ANI, "Ani")
    await tap_label(app, ani, await fill_until_summary(app, ani), "Kirim")
    await send(app, app.core.command(ani, "/report"))
    assert "laporan yang lama diganti" in app.core.sent_to(ANI)[-2]["text"]
    summary = await fill_until_summary(app, ani, (*ANSWERS[:-1], "100rb"))
    await tap_label(app, ani, summary, "Kirim")
    assert "diperbarui (komisi Rp 100.000)" in last_text(app, ani)
    (row,) = await report_rows(app)
    assert row.version == 2 and row.commission_claimed == 100_000
    assert await admin_cards(app) == ["report_review.card", "report_review.card"]


async def test_a_rejected_report_may_be_sent_again(app: BotUnderTest) -> None:
    ani = await member(app, ANI, "Ani")
    await tap_label(app, ani, await fill_until_summary(app, ani), "Kirim")
    (row,) = await report_rows(app)
    await app.container.reports.reject(row.id, row.version, ADMIN, note="angka tidak cocok")
    await send(app, app.core.command(ani, "/report"))
    assert "sebelumnya ditolak" in app.core.sent_to(ANI)[-2]["text"]


async def test_a_validated_report_cannot_be_replaced(app: BotUnderTest) -> None:
    ani = await member(app, ANI, "Ani")
    await tap_label(app, ani, await fill_until_summary(app, ani), "Kirim")
    (row,) = await report_rows(app)
    await app.container.reports.validate(row.id, row.version, ADMIN)
    await send(app, app.core.command(ani, "/report"))
    assert f"tanggal {TODAY} sudah divalidasi" in last_text(app, ani)
    assert "Sampai jumpa besok" in last_text(app, ani)
    await send(app, app.core.private_text(ani, "3"))  # no flow started: a question
    assert await asked_admins(app) == ["3"]


async def test_validation_while_the_member_rewrites_is_told_at_send(app: BotUnderTest) -> None:
    ani = await member(app, ANI, "Ani")
    await tap_label(app, ani, await fill_until_summary(app, ani), "Kirim")
    summary = await fill_until_summary(app, ani)
    (row,) = await report_rows(app)
    await app.container.reports.validate(row.id, row.version, ADMIN)
    await tap_label(app, ani, summary, "Kirim")
    assert "sudah divalidasi" in last_text(app, ani)
    (row,) = await report_rows(app)
    assert row.version == 1 and row.status == ReportStatus.VALIDATED


async def test_a_draft_begun_two_days_ago_cannot_be_sent(app: BotUnderTest) -> None:
    ani = await member(app, ANI, "Ani")
    summary = await fill_until_summary(app, ani)
    app.container.clock.advance(days=2)  # type: ignore[attr-defined]
    await tap_label(app, ani, summary, "Kirim")
    assert f"({TODAY}) sudah lewat" in last_text(app, ani)
    assert await report_rows(app) == []


async def test_a_draft_begun_before_midnight_is_sent_for_that_day(app: BotUnderTest) -> None:
    ani = await member(app, ANI, "Ani")
    summary = await fill_until_summary(app, ani)
    app.container.clock.advance(hours=15)  # type: ignore[attr-defined]  # 01:00 next day
    await tap_label(app, ani, summary, "Kirim")
    (row,) = await report_rows(app)
    assert row.report_date == date(2026, 1, 10)


async def test_without_a_membership_there_is_no_report(app: BotUnderTest) -> None:
    budi = await member(app, 602, "Budi", plan=None)
    await send(app, app.core.command(budi, "/report"))
    assert "hanya untuk member" in last_text(app, budi) and "/buy" in last_text(app, budi)


async def test_someone_who_never_started_is_registered_and_told_what_reports_need(
    app: BotUnderTest,
) -> None:
    """No /start first: the first update registers them; without a plan, no report."""
    cici = app.core.user(603, "Cici")
    await send(app, app.core.command(cici, "/report"))
    assert "hanya untuk member" in last_text(app, cici) and "/buy" in last_text(app, cici)


async def test_a_basic_member_may_report(app: BotUnderTest) -> None:
    dedi = await member(app, 604, "Dedi", plan="basic_lifetime")
    await tap_label(app, dedi, await fill_until_summary(app, dedi), "Kirim")
    assert len(await report_rows(app)) == 1


async def test_the_flow_speaks_english_to_an_english_member(app: BotUnderTest) -> None:
    eve = await member(app, 605, "Eve", lang="en")
    await send(app, app.core.command(eve, "/report"))
    assert "How many videos did you post today?" in last_text(app, eve)
    assert "not a number" in await say(app, eve, "lots")
    for answer in ANSWERS:
        await say(app, eve, answer)
    assert "Screenshot 1 of at most 5" in await photo(app, eve)
    await tap_label(app, eve, last(app, eve), "Done")
    summary = last(app, eve)
    assert "Commission: Rp 85.000" in summary["text"]
    assert [t for t, _ in app.core.buttons(summary)] == ["📤 Send", "✏️ Edit", "✖️ Cancel"]
    await tap_label(app, eve, summary, "Send")
    assert "was sent (commission Rp 85.000)" in last_text(app, eve)


# ---------------------------------------------------------------------- commands mid-flow


async def test_cancel_command_mid_flow_drops_the_draft(app: BotUnderTest) -> None:
    ani = await member(app, ANI, "Ani")
    await send(app, app.core.command(ani, "/report"))
    await say(app, ani, "2")
    await send(app, app.core.command(ani, "/cancel"))
    assert "Laporan dibatalkan" in last_text(app, ani)
    await send(app, app.core.private_text(ani, "https://vt.tiktok.com/ZSa1/"))
    assert await asked_admins(app) == ["https://vt.tiktok.com/ZSa1/"]  # not a report answer
    # Without a draft, /cancel is the shop's again.
    await send(app, app.core.command(ani, "/cancel"))
    assert "Laporan dibatalkan" not in last_text(app, ani)


async def test_other_commands_are_not_swallowed_and_the_draft_waits(app: BotUnderTest) -> None:
    ani = await member(app, ANI, "Ani")
    await send(app, app.core.command(ani, "/report"))
    await say(app, ani, "2")
    await send(app, app.core.command(ani, "/balance"))
    assert "Komisi & saldo" in last_text(app, ani)
    await send(app, app.core.command(ani, "/help"))
    assert "Bantuan" in last_text(app, ani)
    # The draft is still waiting for the links.
    assert "views" in await say(app, ani, "https://vt.tiktok.com/ZSa1/")


async def test_report_mid_flow_starts_over(app: BotUnderTest) -> None:
    ani = await member(app, ANI, "Ani")
    await send(app, app.core.command(ani, "/report"))
    await say(app, ani, "2")
    await send(app, app.core.command(ani, "/report"))
    assert "Berapa video" in last_text(app, ani)
    assert "views" in await say(app, ani, "0")


# ---------------------------------------------------------------------- bad input, every step

STEP_ANSWERS = {  # the steps in order, each with a good answer
    "videos": "2",
    "links": ANSWERS[1],
    "views": "12500",
    "orders": "4",
    "sales": "1.250.000",
    "commission": "85rb",
}
BAD_TEXT = [
    ("videos", "abc", "bukan angka"),
    ("videos", "-1", "tidak boleh minus"),
    ("videos", "101", "terlalu besar (maksimal 100)"),
    ("videos", "2,5", "tanpa koma desimal"),
    ("videos", "Rp 3", "bukan angka"),
    ("links", "halo", "halo bukan link. Kirim link"),
    ("links", "https://vt.tiktok.com/ok/ tiktok.com/x", "tiktok.com/x bukan link"),
    ("links", " ".join(f"https://t.co/{n}" for n in range(21)), "maksimal 20"),
    ("links", "https://" + "a" * 300, "terlalu panjang"),
    ("views", "1e6", "bukan angka"),
    ("views", "-5", "tidak boleh minus"),
    ("views", "99.999.999.999", "terlalu besar (maksimal 10.000.000.000)"),
    ("views", "1,5", "tanpa koma desimal"),
    ("orders", "empat", "bukan angka"),
    ("orders", "2.000.000", "terlalu besar (maksimal 1.000.000)"),
    ("sales", "1.500rb", "bisa dibaca dua cara"),
    ("sales", "Rp -5.000", "tidak boleh minus"),
    ("sales", "2.000.000.000", "terlalu besar (maksimal Rp 1.000.000.000)"),
    ("sales", "12.500,50", "tanpa sen"),
    ("sales", "banyak", "bukan jumlah rupiah"),
    ("commission", "200jt", "terlalu besar (maksimal Rp 100.000.000)"),
    ("commission", "1.500rb", "bisa dibaca dua cara"),
    ("commission", "-85rb", "tidak boleh minus"),
    ("commission", "85,5", "tanpa sen"),
    ("commission", "1.25", "bukan jumlah rupiah"),
]


async def reach(app: BotUnderTest, user: JSON, step: str) -> None:
    await send(app, app.core.command(user, "/report"))
    for name, answer in STEP_ANSWERS.items():
        if name == step:
            return
        await say(app, user, answer)


async def answer_rest_and_send(app: BotUnderTest, user: JSON, step: str) -> None:
    names = list(STEP_ANSWERS)
    for name in names[names.index(step) :]:
        await say(app, user, STEP_ANSWERS[name])
    await photo(app, user)
    await tap_label(app, user, last(app, user), "Selesai")
    await tap_label(app, user, last(app, user), "Kirim")


@pytest.mark.parametrize(("step", "typed", "reply"), BAD_TEXT)
async def test_a_wrong_answer_is_explained_and_the_question_stays(
    app: BotUnderTest, step: str, typed: str, reply: str
) -> None:
    ani = await member(app, ANI, "Ani")
    await reach(app, ani, step)
    assert reply in await say(app, ani, typed)
    await answer_rest_and_send(app, ani, step)
    (row,) = await report_rows(app)
    assert (row.videos_posted, row.views, row.commission_claimed) == (2, 12_500, 85_000)


@pytest.mark.parametrize("step", list(STEP_ANSWERS))
@pytest.mark.parametrize("kind", ["photo", "sticker", "document"])
async def test_a_picture_or_sticker_where_text_is_asked_is_refused(
    app: BotUnderTest, step: str, kind: str
) -> None:
    ani = await member(app, ANI, "Ani")
    await reach(app, ani, step)
    update = {
        "photo": lambda: app.core.private_photo(ani, receipt_jpeg(0, 1)),
        "sticker": lambda: app.core.private_sticker(ani),
        "document": lambda: app.core.private_document(ani, b"%PDF-1.4", "a.pdf", "application/pdf"),
    }[kind]()
    await send(app, update)
    assert "menunggu jawaban berupa teks" in last_text(app, ani)
    await answer_rest_and_send(app, ani, step)
    assert len(await report_rows(app)) == 1


# ---------------------------------------------------------------------- screenshots


def _doc(app: BotUnderTest, user: JSON, data: bytes, name: str, mime: str) -> JSON:
    return app.core.private_document(user, data, name, mime)


SHOT_CASES: dict[str, tuple[Callable[[BotUnderTest, JSON], JSON], str]] = {
    "text": (lambda app, u: app.core.private_text(u, "sudah"), "menunggu screenshot"),
    "sticker": (lambda app, u: app.core.private_sticker(u), "menunggu screenshot"),
    "pdf": (
        lambda app, u: _doc(app, u, b"%PDF-1.4 laporan" + bytes(64), "lap.pdf", "application/pdf"),
        "bukan gambar",
    ),
    "truncated jpeg file": (
        lambda app, u: _doc(app, u, truncated_jpeg(), "dash.jpg", "image/jpeg"),
        "rusak atau tidak lengkap",
    ),
    "truncated jpeg photo": (
        lambda app, u: app.core.private_photo(u, truncated_jpeg()),
        "rusak atau tidak lengkap",
    ),
    "pdf named .jpg": (
        lambda app, u: _doc(app, u, b"%PDF-1.4 x" + bytes(64), "dash.jpg", "image/jpeg"),
        "tidak bisa dibaca sebagai gambar",
    ),
}


@pytest.mark.parametrize("case", list(SHOT_CASES))
async def test_only_pictures_are_taken_as_screenshots(app: BotUnderTest, case: str) -> None:
    ani = await member(app, ANI, "Ani")
    await fill_until_screenshots(app, ani)
    make, reply = SHOT_CASES[case]
    await send(app, make(app, ani))
    assert reply in last(app, ani)["text"]
    await photo(app, ani)
    await tap_label(app, ani, last(app, ani), "Selesai")
    assert "Screenshot: 1" in last_text(app, ani)


async def test_a_screenshot_over_10_mb_is_refused_before_download(app: BotUnderTest) -> None:
    ani = await member(app, ANI, "Ani")
    await fill_until_screenshots(app, ani)
    update = _doc(app, ani, receipt_jpeg(0, 1), "dash.jpg", "image/jpeg")
    update["message"]["document"]["file_size"] = ELEVEN_MB
    await send(app, update)
    assert "terlalu besar (maksimal 10 MB)" in last_text(app, ani)
    assert app.core.calls_of("getFile") == []


async def test_an_image_file_is_accepted_as_a_document(app: BotUnderTest) -> None:
    ani = await member(app, ANI, "Ani")
    await fill_until_screenshots(app, ani)
    await send(app, _doc(app, ani, receipt_jpeg(1, 3), "dash.jpg", "image/jpeg"))
    assert "Screenshot 1" in last_text(app, ani)
    await tap_label(app, ani, last(app, ani), "Selesai")
    await tap_label(app, ani, last(app, ani), "Kirim")
    (row,) = await report_rows(app)
    assert [s.media_kind for s in await screenshot_rows(app, row.id)] == ["document"]


async def test_a_failed_download_asks_again(app: BotUnderTest) -> None:
    ani = await member(app, ANI, "Ani")
    await fill_until_screenshots(app, ani)
    app.core.fail_next("getFile", 400, "Bad Request: wrong file_id or the file is unavailable")
    assert "gagal diambil dari Telegram" in await photo(app, ani)
    assert "Screenshot 1" in await photo(app, ani)


async def test_the_same_screenshot_twice_is_kept_once(app: BotUnderTest) -> None:
    ani = await member(app, ANI, "Ani")
    await fill_until_screenshots(app, ani)
    await photo(app, ani, seed=1)
    assert "sudah kamu kirim" in await photo(app, ani, seed=1)


async def test_done_before_any_screenshot_asks_for_one(app: BotUnderTest) -> None:
    ani = await member(app, ANI, "Ani")
    await fill_until_screenshots(app, ani)
    await photo(app, ani)
    old_done = last(app, ani)
    # /report again: the Done button of the earlier draft no longer counts.
    await fill_until_screenshots(app, ani)
    answer = await tap_label(app, ani, old_done, "Selesai")
    assert "Tidak ada laporan yang sedang ditulis" in answer["text"]
    # A Done for this very draft (a client may send one) before any screenshot.
    forged = FlowCallback(action=FlowAction.DONE, flow=await draft_token(app, ANI)).pack()
    answer = await press(app, ani, last(app, ani), forged, strict=False)
    assert answer["text"] == "Kirim minimal satu screenshot dulu."
    assert "Screenshot 1" in await photo(app, ani, seed=3)


async def draft_token(app: BotUnderTest, user_id: int) -> str:
    key = StorageKey(bot_id=app.bot.id, chat_id=user_id, user_id=user_id)
    return str((await app.dp.storage.get_data(key))["flow"])


async def test_five_screenshots_lead_to_the_summary_and_a_sixth_is_refused(
    app: BotUnderTest,
) -> None:
    ani = await member(app, ANI, "Ani")
    await fill_until_screenshots(app, ani)
    for n in range(1, 5):
        await photo(app, ani, seed=n)
    await photo(app, ani, seed=5)
    sent = app.core.sent_to(ANI)
    assert "5 dari 5 screenshot diterima" in sent[-2]["text"]
    summary = sent[-1]
    assert "Screenshot: 5" in summary["text"]
    assert "Laporanmu sudah siap" in await photo(app, ani, seed=6)
    await tap_label(app, ani, summary, "Kirim")
    (row,) = await report_rows(app)
    assert len(await screenshot_rows(app, row.id)) == 5


async def test_an_album_of_three_arriving_at_once_keeps_all_three(app: BotUnderTest) -> None:
    ani = await member(app, ANI, "Ani")
    await fill_until_screenshots(app, ani)
    album = [app.core.private_photo(ani, receipt_jpeg(n, n)) for n in range(1, 4)]
    app.container.clock.advance(seconds=1)  # type: ignore[attr-defined]
    await asyncio.gather(*(app.send(update) for update in album))
    texts = [m["text"] for m in app.core.sent_to(ANI)[-3:]]
    assert sorted(texts) == [
        f"📸 Screenshot {n} dari maksimal 5 diterima. Kirim lagi, atau tekan Selesai."
        for n in (1, 2, 3)
    ]
    await tap_label(app, ani, last(app, ani), "Selesai")
    assert "Screenshot: 3" in last_text(app, ani)


async def test_an_album_of_seven_keeps_five_and_says_so(app: BotUnderTest) -> None:
    ani = await member(app, ANI, "Ani")
    await fill_until_screenshots(app, ani)
    album = [app.core.private_photo(ani, receipt_jpeg(n % 6, n)) for n in range(1, 8)]
    app.container.clock.advance(seconds=5)  # out of the throttle's window of the answers  # type: ignore[attr-defined]
    await asyncio.gather(*(app.send(update) for update in album))
    texts = [m["text"] for m in app.core.sent_to(ANI)]
    assert sum("sudah penuh" in t for t in texts) == 1
    assert sum("itu batasnya" in t for t in texts) == 2
    (summary,) = [m for m in app.core.sent_to(ANI) if "Ringkasan" in m["text"]]
    assert "Screenshot: 5" in summary["text"]
    await tap_label(app, ani, summary, "Kirim")
    (row,) = await report_rows(app)
    assert len(await screenshot_rows(app, row.id)) == 5


async def test_text_at_the_summary_points_to_the_buttons(app: BotUnderTest) -> None:
    ani = await member(app, ANI, "Ani")
    await fill_until_summary(app, ani)
    assert "Pakai tombol di bawah ringkasan" in await say(app, ani, "ok")


async def test_an_old_summary_after_a_restart_is_refused(app: BotUnderTest) -> None:
    ani = await member(app, ANI, "Ani")
    old = await fill_until_summary(app, ani)
    await send(app, app.core.command(ani, "/report"))
    answer = await tap_label(app, ani, old, "Kirim")
    assert "Tidak ada laporan yang sedang ditulis" in answer["text"]
    assert await report_rows(app) == []


async def test_start_alone_is_not_a_report(app: BotUnderTest) -> None:
    await start(app, 606, "Fajar")
    assert len(app.core.sent_to(606)) == 2


async def test_twenty_long_links_still_fit_in_the_summary(app: BotUnderTest) -> None:
    ani = await member(app, ANI, "Ani")
    links = "\n".join(f"https://www.tiktok.com/@ani/video/{n:04d}" + "x" * 250 for n in range(20))
    summary = await fill_until_summary(app, ani, ("20", links, *ANSWERS[2:]))
    assert "… dan 15 link lagi" in summary["text"] and len(summary["text"]) < 4096
    await tap_label(app, ani, summary, "Kirim")
    (row,) = await report_rows(app)
    assert len(row.links["items"]) == 20
